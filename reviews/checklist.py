"""The monthly review's checklist: what an operator checks for every store, and how its answers are judged. Pure
rules over values, no database.

A checklist is a list of items, each ``{"code", "en", "zh-hans", "required"}``: a stable code (what the answers,
the API and the reports speak), its text in English and in Chinese (an agency writes its own items in both, so the
text travels with the version, not with the product's translations), and whether it must be answered before the
review is submitted. ``DEFAULT_ITEMS`` is the product's checklist (DOMAIN.md's advice); an agency's versions are
``ChecklistVersion`` rows (the first cycle writes version 1 from these).

Each item is answered:

* ``done``: checked, nothing to report;
* ``not_applicable``: does not concern this store (a store that cannot chat has no chat channel to watch);
* ``issue_found``: something is wrong, and a note saying what is then required.

The answers of a review are ``{code: {"answer": ..., "note": ...}}``. A required item without an answer blocks
submission (``missing_required``); an answer to an item the checklist does not have is refused, naming it.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext

DONE = "done"
NOT_APPLICABLE = "not_applicable"
ISSUE_FOUND = "issue_found"
ANSWERS = (DONE, NOT_APPLICABLE, ISSUE_FOUND)

#: The longest note of one answer.
NOTE_MAX_LENGTH = 2000
#: The longest text of an item, in either language.
TEXT_MAX_LENGTH = 300
#: The most items a checklist may have.
MAX_ITEMS = 50
#: An item's code: lower-case letters, digits and underscores, starting with a letter.
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

#: The languages an item is written in (the keys of its texts).
LANGUAGES = ("en", "zh-hans")


def _item(code, en, zh, required=True):
    return {"code": code, "en": en, "zh-hans": zh, "required": required}


#: The product's checklist (DOMAIN.md, "The monthly account-health review" and the targets of "What the agency must
#: watch"). The chat channel is optional: many stores are not eligible to chat at all.
DEFAULT_ITEMS = (
    _item("ahr_on_target", "Account Health Rating at or above target, and no new policy warning",
          "账户健康评级（AHR）达标，且没有新的政策警告"),
    _item("odr_on_target", "Order Defect Rate (ODR) on target (below 1%)", "订单缺陷率（ODR）达标（低于 1%）"),
    _item("lsr_on_target", "Late Shipment Rate (LSR) on target (below 4%)", "迟发率（LSR）达标（低于 4%）"),
    _item("vtr_on_target", "Valid Tracking Rate (VTR) on target (above 95%)", "有效追踪率（VTR）达标（高于 95%）"),
    _item("cancel_rate_on_target", "Pre-fulfilment cancel rate on target (below 2.5%)",
          "配送前取消率达标（低于 2.5%）"),
    _item("ip_authenticity_checked", "Intellectual-property and product authenticity complaints looked at",
          "已查看知识产权投诉和商品真实性投诉"),
    _item("appeal_documents_fresh", "Appeal documents fresh (address proof dated within the last 90 days)",
          "申诉材料在有效期内（地址证明为最近 90 天内开具）"),
    _item("cases_followed_up", "Open Seller Support cases followed up", "未结的卖家支持工单已跟进"),
    _item("chat_not_frozen", "Chat channel not frozen", "在线聊天（HR）通道未被冻结", required=False),
    _item("red_metrics_plan", "A plan of action for every red metric", "每个红色指标都有行动计划"),
)


def default_items():
    """A fresh copy of ``DEFAULT_ITEMS`` (what version 1 of an agency's checklist holds)."""
    return [dict(item) for item in DEFAULT_ITEMS]


def item_text(item, language):
    """The item's text in ``language`` (a Chinese language: its Chinese text; any other: its English), falling back
    to the other text when that one is empty."""
    chinese = str(language or "").lower().startswith("zh")
    first, second = ("zh-hans", "en") if chinese else ("en", "zh-hans")
    return item.get(first) or item.get(second) or item.get("code", "")


def item_codes(items):
    """The codes of ``items``, in order."""
    return [item["code"] for item in items]


def _named(code, items):
    """How an error names an item: its code and its text in the current language."""
    for item in items:
        if item["code"] == code:
            return f"“{code}” ({item_text(item, get_language())})"
    return f"“{code}”"


def check_answers(items, answers):
    """``answers`` (``{code: answer}``, each answer ``"done"``, ``{"answer": "done"}`` or ``{"answer":
    "issue_found", "note": "…"}``; ``None`` clears an answer) checked against ``items``, cleaned to ``{code:
    {"answer", "note"} or None}``. Refused on ``answers``, every problem named: an item the checklist does not
    have, an answer that is not one of ``ANSWERS``, an issue found without a note, a note too long."""
    if not isinstance(answers, dict):
        raise ValidationError({"answers": [gettext(
            "Send the answers as an object of item codes, e.g. {\"ahr_on_target\": \"done\"}.")]})
    known = set(item_codes(items))
    cleaned, errors = {}, []
    for code, value in answers.items():
        if code not in known:
            errors.append(gettext("“%(code)s” is not an item of this checklist.") % {"code": code})
            continue
        if value is None:
            cleaned[code] = None
            continue
        if isinstance(value, str):
            value = {"answer": value}
        if not isinstance(value, dict):
            errors.append(gettext("The answer to %(item)s must be one of: %(answers)s.")
                          % {"item": _named(code, items), "answers": ", ".join(ANSWERS)})
            continue
        answer, note = value.get("answer"), str(value.get("note") or "").strip()
        if answer not in ANSWERS:
            errors.append(gettext("“%(answer)s” is not an answer to %(item)s: use one of %(answers)s.")
                          % {"answer": answer, "item": _named(code, items), "answers": ", ".join(ANSWERS)})
            continue
        if answer == ISSUE_FOUND and not note:
            errors.append(gettext("Say what issue was found for %(item)s.") % {"item": _named(code, items)})
            continue
        if len(note) > NOTE_MAX_LENGTH:
            errors.append(gettext("The note of %(item)s is %(length)s characters long; at most %(max)s.")
                          % {"item": _named(code, items), "length": len(note), "max": NOTE_MAX_LENGTH})
            continue
        cleaned[code] = {"answer": answer, "note": note}
    if errors:
        raise ValidationError({"answers": errors})
    return cleaned


def merge_answers(current, cleaned):
    """``current`` answers with ``cleaned`` ones (``check_answers``) laid over them: an answer replaces the item's,
    ``None`` clears it."""
    merged = dict(current or {})
    for code, value in cleaned.items():
        if value is None:
            merged.pop(code, None)
        else:
            merged[code] = value
    return merged


def missing_required(items, answers):
    """The codes of the required items of ``items`` that ``answers`` leave unanswered, in the checklist's order."""
    answers = answers or {}
    return [item["code"] for item in items if item.get("required") and not (answers.get(item["code"]) or {}).get(
        "answer")]


def check_complete(items, answers):
    """Refuse, on ``answers``, answers that leave required items unanswered, naming them."""
    missing = missing_required(items, answers)
    if missing:
        raise ValidationError({"answers": [gettext("Answer the required items first: %(items)s.")
                                           % {"items": "; ".join(_named(code, items) for code in missing)}]})


def has_issues(answers):
    """Whether any of ``answers`` found an issue."""
    return any((value or {}).get("answer") == ISSUE_FOUND for value in (answers or {}).values())


def check_items(items):
    """A new version's ``items`` checked and cleaned (``[{"code", "en", "zh-hans", "required"}]``). Refused, on
    ``items``, naming each problem: not a list, empty or too long, an item without a valid or with a repeated code,
    a text missing in either language or too long."""
    if not isinstance(items, list) or not items:
        raise ValidationError({"items": [gettext("A checklist needs at least one item.")]})
    if len(items) > MAX_ITEMS:
        raise ValidationError({"items": [gettext("A checklist has at most %(max)s items, not %(count)s.")
                                         % {"max": MAX_ITEMS, "count": len(items)}]})
    cleaned, errors, seen = [], [], set()
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(gettext("Item %(position)s is not an object with a code and its texts.")
                          % {"position": position})
            continue
        code = str(item.get("code") or "").strip()
        if not CODE_PATTERN.match(code):
            errors.append(gettext("Item %(position)s: “%(code)s” is not a code (2 to 40 lower-case letters, digits "
                                  "and underscores, starting with a letter).") % {"position": position, "code": code})
            continue
        if code in seen:
            errors.append(gettext("Item %(position)s: the code “%(code)s” is used twice.")
                          % {"position": position, "code": code})
            continue
        seen.add(code)
        texts = {language: str(item.get(language) or "").strip() for language in LANGUAGES}
        for language, text in texts.items():
            if not text:
                errors.append(gettext("Item “%(code)s” has no text in %(language)s.")
                              % {"code": code, "language": language})
            elif len(text) > TEXT_MAX_LENGTH:
                errors.append(gettext("Item “%(code)s”: its text in %(language)s is longer than %(max)s characters.")
                              % {"code": code, "language": language, "max": TEXT_MAX_LENGTH})
        cleaned.append({"code": code, **texts, "required": bool(item.get("required", True))})
    if errors:
        raise ValidationError({"items": errors})
    return cleaned
