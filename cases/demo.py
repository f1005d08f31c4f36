"""Demo data of the Seller Support app: the starter template library, a few cases in different statuses and three HR
chats, on the demo stores.

* **Templates**: for every built-in category one template in English and one in Simplified Chinese
  (``STARTER_TEMPLATES``), four parts each with placeholders, calm and factual: none raises a tone warning
  (``cases.tone``), as written or filled in for a demo case.
* **Cases** (``CASE_STORIES``), each written from its category's English template (the use is counted): a listing
  removal waiting for Amazon, flagged high; an account-health case answering one of the demo's open alerts, Amazon
  asked for more (needs our action); the A+ content rejection of DOMAIN.md, resolved, with a paper of the client
  attached; a Brand Registry dispute transferred to the Brand Registry team; a two-step verification draft (no case
  id yet); a payments question closed.
* **Chats** on three stores, each with a short transcript: one judged an invalid inquiry (the answer was on a help
  page), one resolved, one transferred to the listing-removal case. A store that the rules would not let chat gets
  "Amazon opened the channel anyway" recorded first (as brand-registered stores get it early), so the chats are
  logged through the same services and rules as a person's.

Everything goes in through the services, by the demo manager; then the cases' times move back a day and some
(``CASES_WRITTEN_AGO``), so that the one waiting for Amazon is late for its follow-up. ``loaddemo`` loads the demo
agency once; this load also does nothing when the agency has templates already, so running it twice adds nothing.
"""

import datetime

from django.db.models import F
from django.utils import timezone

from accounts.models import Store
from accounts.roles import Role
from accounts.tenancy import Caller
from alerts.models import Alert
from documents.models import AppealDocument

from . import categories
from .models import CaseEvent, ChatSession, MessageTemplate, SupportCase
from .selectors import chats as chat_selectors
from .services import cases as case_services
from .services import chats as chat_services
from .services import templates as services

EN, ZH = MessageTemplate.Language.ENGLISH, MessageTemplate.Language.CHINESE

#: ``(category, language, name, issue type, reference, evidence, expected result)``.
STARTER_TEMPLATES = [
    (categories.ACCOUNT_HEALTH, EN, "Account health: plan of action",
     "We are writing about the account health of our store {store} on {marketplace}.",
     "Seller ID {seller_id}, case ID {case_id}.",
     "Our plan of action, with the root cause, the corrective actions and the preventive measures, is attached.",
     "Please review the plan of action and let us know whether the account health status can be restored."),
    (categories.ACCOUNT_HEALTH, ZH, "账户健康：行动计划",
     "我们的店铺 {store}（{marketplace} 站点）的账户健康状况需要审核。",
     "卖家编号 {seller_id}，案例编号 {case_id}。",
     "附件是我们的行动计划，包括根本原因、纠正措施和预防措施。",
     "请审核我们的行动计划，并告知账户健康状况能否恢复。"),
    (categories.LISTING_REMOVAL, EN, "Listing removed: review request",
     "Our listing for ASIN {asin} in the store {store} was removed.",
     "ASIN {asin}, case ID {case_id}.",
     "The attached supplier invoice and product photos show that the product meets the listing requirements.",
     "Please review the listing and reinstate it if it meets the requirements."),
    (categories.LISTING_REMOVAL, ZH, "商品被下架：申请审核",
     "我们店铺 {store} 中 ASIN 为 {asin} 的商品被下架。",
     "ASIN {asin}，案例编号 {case_id}。",
     "附件中的供应商发票和商品照片说明该商品符合上架要求。",
     "请审核该商品，如符合要求请恢复上架。"),
    (categories.BRAND_REGISTRY, EN, "Brand Registry: listing control",
     "We have a question about the brand of our store {store} in Brand Registry.",
     "ASINs {asins}, case ID {case_id}.",
     "The attached trademark certificate and brand authorisation show that we own the brand.",
     "Please check the brand's listings and confirm that our brand representative can edit them."),
    (categories.BRAND_REGISTRY, ZH, "品牌备案：商品编辑权限",
     "我们店铺 {store} 的品牌备案有一个问题需要处理。",
     "ASIN：{asins}，案例编号 {case_id}。",
     "附件中的商标注册证和品牌授权书说明该品牌归我们所有。",
     "请核查该品牌的商品，并确认我们的品牌代表可以编辑这些商品。"),
    (categories.TWO_STEP_VERIFICATION, EN, "Two-step verification: lost device",
     "The account owner of the store {store} lost the phone used for two-step verification.",
     "Seller ID {seller_id} on {marketplace}.",
     "The attached ID of the account owner and a recent utility bill confirm the owner's identity and address.",
     "Please help us reset the two-step verification so that the owner can sign in with a new phone."),
    (categories.TWO_STEP_VERIFICATION, ZH, "两步验证：设备丢失",
     "店铺 {store} 的账户所有人遗失了用于两步验证的手机。",
     "卖家编号 {seller_id}，站点 {marketplace}。",
     "附件中的账户所有人身份证件和近期水电费账单可以证明其身份和地址。",
     "请协助我们重置两步验证，以便账户所有人使用新手机登录。"),
    (categories.CATEGORY_APPROVAL, EN, "Category approval: application",
     "We would like to sell in a category that needs approval, in the store {store}.",
     "ASIN {asin}, seller ID {seller_id}.",
     "The attached supplier invoices and the product's test report show where the products come from and that they "
     "are safe.",
     "Please review our application for the category."),
    (categories.CATEGORY_APPROVAL, ZH, "分类审核：申请",
     "我们希望在店铺 {store} 中销售需要审核的分类商品。",
     "ASIN {asin}，卖家编号 {seller_id}。",
     "附件中的供应商发票和商品检测报告说明了商品来源和安全性。",
     "请审核我们的分类申请。"),
    (categories.A_PLUS_CONTENT, EN, "A+ content rejected: review request",
     "Our brand's A+ content for ASIN {asin} was rejected for containing promotional information.",
     "ASIN {asin}, case ID {case_id}.",
     "The attached screenshot shows that the content mentions no discount, price or promotion.",
     "Please review the content and approve it."),
    (categories.A_PLUS_CONTENT, ZH, "A+ 页面被拒：申请审核",
     "我们品牌 ASIN {asin} 的 A+ 页面因包含促销信息被拒绝。",
     "ASIN {asin}，案例编号 {case_id}。",
     "附件截图显示该页面没有提及任何折扣、价格或促销。",
     "请审核该页面内容并予以批准。"),
    (categories.PAYMENTS, EN, "Payments: disbursement on hold",
     "The disbursement of the store {store} on {marketplace} is on hold.",
     "Seller ID {seller_id}, case ID {case_id}.",
     "The attached bank statement and business licence confirm the deposit account and the business.",
     "Please let us know what is needed to release the disbursement."),
    (categories.PAYMENTS, ZH, "付款：转账被暂停",
     "店铺 {store}（{marketplace} 站点）的转账被暂停。",
     "卖家编号 {seller_id}，案例编号 {case_id}。",
     "附件中的银行对账单和营业执照可以确认收款账户和企业信息。",
     "请告知释放转账所需的材料。"),
    (categories.OTHER, EN, "General question",
     "We have a question about the store {store} on {marketplace}.",
     "Seller ID {seller_id}.",
     "The attached screenshot shows the page the question is about.",
     "Please let us know how to proceed."),
    (categories.OTHER, ZH, "一般问题",
     "我们有一个关于店铺 {store}（{marketplace} 站点）的问题。",
     "卖家编号 {seller_id}。",
     "附件截图显示了问题所在的页面。",
     "请告知我们应如何处理。"),
]

#: ``(category, subject, ASINs, priority, expected result, Amazon case id, statuses to move through)``; the store of
#: each is the demo store at the same position (the account-health one: the store of an open alert, if any).
CASE_STORIES = [
    (categories.LISTING_REMOVAL, "Listing removed for suspected inauthenticity", ["B0DEMO0001"], "high",
     "Reinstate the listing.", "1234500001", ["awaiting_amazon"]),
    (categories.ACCOUNT_HEALTH, "Plan of action for the account health warning", [], "urgent",
     "Restore the account health status.", "1234500002", ["answered", "needs_action"]),
    (categories.A_PLUS_CONTENT, "A+ content rejected for promotional information", ["B0DEMO0003"], "normal",
     "Approve the A+ content.", "1234567890", ["answered", "resolved"]),
    (categories.BRAND_REGISTRY, "Brand representative cannot edit the brand's listings", ["B0DEMO0004", "B0DEMO0005"],
     "normal", "Give our brand representative edit rights.", "1234500004", ["transferred"]),
    (categories.TWO_STEP_VERIFICATION, "Account owner lost the two-step verification phone", [], "high",
     "Reset two-step verification.", "", []),
    (categories.PAYMENTS, "Disbursement on hold", [], "normal", "Release the disbursement.", "1234500006",
     ["answered", "resolved", "closed"]),
]

REPLIES = {
    categories.ACCOUNT_HEALTH: "Thank you for your plan of action. Please add the supplier invoices for the last 365 "
                               "days.",
    categories.A_PLUS_CONTENT: "We reviewed the A+ content again and approved it.",
    categories.PAYMENTS: "The disbursement was released after the verification of the deposit account.",
}

TRANSCRIPT = """Amazon (9:02 AM): Hello, this is Seller Support. How can I help you today?
You (9:03 AM): {message}
Amazon (9:08 AM): {answer}
You (9:09 AM): Thank you."""

#: What a chat without a case fills in that a store cannot give.
CHAT_VALUES = {"case_id": "1234500099", "asin": "B0DEMO0099"}

#: ``(category, outcome, Amazon's answer)`` of the demo chats, in the order they are logged.
CHAT_STORIES = [
    (categories.PAYMENTS, ChatSession.Outcome.INVALID,
     "The disbursement schedule is explained on the help page \"Payments dashboard\"."),
    (categories.ACCOUNT_HEALTH, ChatSession.Outcome.RESOLVED,
     "I checked the account: the warning was removed and no action is needed."),
    (categories.LISTING_REMOVAL, ChatSession.Outcome.TRANSFERRED,
     "I have forwarded the case to the Policy Enforcement Team, who will reply on the case."),
]


def load(*, agency, people):
    """Add the starter templates, the demo cases and chats (see the module), as the demo manager. Runs after the
    accounts, health, alerts and documents apps' demo data (their stores, alerts and papers), in the same
    transaction."""
    if MessageTemplate.objects.filter(agency=agency).exists():
        return
    manager = people[Role.MANAGER][0]
    caller = Caller.person(agency=agency, user=manager, role=Role.MANAGER)
    templates = _starter_templates(agency=agency, caller=caller)
    stores = list(Store.objects.filter(agency=agency).select_related("client").order_by("pk"))
    if not stores:
        return
    cases = _cases(agency=agency, caller=caller, stores=stores, templates=templates)
    _written_earlier(agency=agency, cases=cases)
    _chats(agency=agency, caller=caller, stores=stores, templates=templates, transferred_to=cases[0])


def _starter_templates(*, agency, caller):
    """The starter library: ``{(category, language): template}``."""
    created = {}
    for category, language, name, issue_type, reference, evidence, expected_result in STARTER_TEMPLATES:
        created[category, language] = services.template_create(
            agency=agency, caller=caller, name=name, category=category, language=language, issue_type=issue_type,
            reference=reference, evidence=evidence, expected_result=expected_result)
    return created


def _open_alert(agency):
    return (Alert.objects.filter(agency=agency, status__in=Alert.OPEN_STATUSES).select_related("store")
            .order_by("pk").first())


def _cases(*, agency, caller, stores, templates):
    """The demo cases (``CASE_STORIES``), each with its first message written from its category's English
    template, Amazon's reply where the story has one, and its moves."""
    alert = _open_alert(agency)
    created = []
    for position, (category, subject, asins, priority, expected, case_id, moves) in enumerate(CASE_STORIES):
        store = stores[position % len(stores)]
        answers = None
        if category == categories.ACCOUNT_HEALTH and alert is not None:
            store, answers = alert.store, alert
        case = case_services.case_create(
            agency=agency, caller=caller, store=store, subject=subject, category=category, asins=asins,
            priority=priority, expected_result=expected, amazon_case_id=case_id, alert=answers)
        if case_id:
            rendered = services.template_render(agency=agency, caller=caller,
                                                template=templates[category, MessageTemplate.Language.ENGLISH],
                                                case=case)
            case_services.case_message_add(agency=agency, caller=caller, case=case, kind=CaseEvent.Kind.OUR_MESSAGE,
                                           text=rendered.text, template_version=rendered.version)
        for to_status in moves:
            if to_status == SupportCase.Status.ANSWERED and category in REPLIES:
                case_services.case_message_add(agency=agency, caller=caller, case=case,
                                               kind=CaseEvent.Kind.AMAZON_REPLY, text=REPLIES[category])
                continue  # the reply answered the case
            case_services.case_move(agency=agency, caller=caller, case=case, to_status=to_status,
                                    transferred_to="Brand Registry team" if to_status == "transferred" else "")
        paper = AppealDocument.objects.filter(agency=agency, client=store.client_id, deleted_at__isnull=True).order_by(
            "pk").first() if category == categories.A_PLUS_CONTENT else None
        if paper is not None:
            case_services.case_document_attach(agency=agency, caller=caller, case=case, document=paper)
        created.append(case)
    return created


#: How long ago the demo's cases were written: past the default follow-up hours, so that the case still waiting for
#: Amazon shows as late, as a morning's list does.
CASES_WRITTEN_AGO = datetime.timedelta(hours=30)


def _written_earlier(*, agency, cases):
    """Move the demo cases' times and timelines back by ``CASES_WRITTEN_AGO`` (they were written now, through the
    services)."""
    ids = [case.pk for case in cases]
    ago = CASES_WRITTEN_AGO
    SupportCase.objects.filter(agency=agency, pk__in=ids).update(
        created_at=F("created_at") - ago, waiting_since=F("waiting_since") - ago, opened_at=F("opened_at") - ago,
        resolved_at=F("resolved_at") - ago, closed_at=F("closed_at") - ago)
    CaseEvent.objects.filter(agency=agency, case__in=ids).update(at=F("at") - ago)


def _may_chat(*, agency, caller, store, at):
    """Whether ``store`` may chat at ``at``; when only the eligibility rules stand in the way, the manager records
    that Amazon opened the channel anyway first (a quota or a freeze still says no)."""
    if chat_selectors.chat_eligibility(agency=agency, store=store, now=at).may_chat:
        return True
    chat_services.chat_channel_open_anyway(agency=agency, caller=caller, store=store, reason=(
        "Amazon opened the chat channel for this brand-registered store before it was eligible (demo)."))
    return chat_selectors.chat_eligibility(agency=agency, store=store, now=at).may_chat


def _chats(*, agency, caller, stores, templates, transferred_to):
    """The demo chats (``CHAT_STORIES``), yesterday morning in the chat window, each with its transcript; the
    transferred one on the store of ``transferred_to``, the case it went to."""
    yesterday = timezone.localtime(timezone.now()) - datetime.timedelta(days=1)
    start = yesterday.replace(hour=9, minute=0, second=0, microsecond=0)
    others = [store for store in stores if store.pk != transferred_to.store_id]
    for position, (category, outcome, answer) in enumerate(CHAT_STORIES):
        transferred = outcome == ChatSession.Outcome.TRANSFERRED
        store = transferred_to.store if transferred else others[position % len(others)] if others else stores[0]
        at = start + datetime.timedelta(minutes=20 * position)
        if not _may_chat(agency=agency, caller=caller, store=store, at=at):
            continue
        template = templates[category, MessageTemplate.Language.ENGLISH]
        rendered = services.template_render(agency=agency, caller=caller, template=template,
                                            case=transferred_to if transferred else None,
                                            store=None if transferred else store,
                                            values=None if transferred else CHAT_VALUES)
        message = rendered.text.replace("\n\n", " ")
        chat_services.chat_log(
            agency=agency, caller=caller, store=store, requested_at=at, agent="Seller Support", category=category,
            message=rendered.text, outcome=outcome, case=transferred_to if transferred else None,
            template_version=rendered.version, transcript=TRANSCRIPT.format(message=message, answer=answer))
