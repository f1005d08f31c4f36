"""The Seller Support demo: ``loaddemo`` gives the demo agency a starter template library (every built-in category in
English and Chinese, calm: no tone warning), cases in several statuses written from the templates, and three chats
with their transcripts. Loading it twice adds nothing."""

import io

import pytest
from django.core.management import call_command
from django_scopes import scope

from accounts import extensions
from accounts.models import Agency, Membership
from alerts.models import Alert
from cases import categories, demo, templating, tone
from cases.models import CaseEvent, ChatMessage, ChatSession, MessageTemplate, SupportCase


def loaddemo():
    call_command("loaddemo", "--password", "demo-test-pass", stdout=io.StringIO(), stderr=io.StringIO())


def load_cases_demo(agency):
    """The cases app's demo data as ``loaddemo`` loads it (again, when it contributes it already)."""
    people = {}
    with scope(agency=agency):
        for membership in Membership.objects.filter(agency=agency).select_related("user").order_by("pk"):
            people.setdefault(membership.role, []).append(membership.user)
        demo.load(agency=agency, people=people)


@pytest.fixture(scope="module")
def sample_values():
    return {"store": "Peak Outdoor US 1", "marketplace": "US", "seller_id": "A1234567890123", "case_id": "123-456-7890",
            "asin": "B0DEMO0001", "asins": "B0DEMO0001, B0DEMO0002", "category": "Listing removal",
            "expected_result": "Reinstate the listing.", "operator": "Wang Fang 王芳", "today": "2026-01-16"}


def test_every_built_in_category_has_a_calm_starter_template_in_english_and_in_chinese(sample_values):
    languages = {(category, language) for category, language, *_rest in demo.STARTER_TEMPLATES}

    assert languages == {(category.code, language) for category in categories.BUILT_IN
                         for language in MessageTemplate.Language.values}
    for _category, _language, name, *parts in demo.STARTER_TEMPLATES:
        templating.check_template_parts(dict(zip(templating.PARTS, parts, strict=True)))
        message = templating.render_template(dict(zip(templating.PARTS, parts, strict=True)), sample_values)
        assert tone.tone_warnings(" ".join(parts)) == [], name
        assert tone.tone_warnings(message.text) == [], name


@pytest.mark.django_db(transaction=True)
def test_loaddemo_adds_the_template_library_cases_and_chats_once():
    loaddemo()
    agency = Agency.objects.get(slug="demo")
    if demo.load not in extensions.demo_data.contributions():
        load_cases_demo(agency)  # until the app contributes its demo data

    with scope(agency=agency):
        templates = list(MessageTemplate.objects.filter(agency=agency))
        cases = list(SupportCase.objects.filter(agency=agency))
        chats = list(ChatSession.objects.filter(agency=agency))
        transcripts = ChatMessage.objects.filter(agency=agency).count()
        messages = list(CaseEvent.objects.filter(agency=agency, kind=CaseEvent.Kind.OUR_MESSAGE)
                        .select_related("template_version"))
        used = sum(template.use_count for template in templates)

    assert len(templates) == len(demo.STARTER_TEMPLATES)
    assert {case.status for case in cases} >= {"drafted", "awaiting_amazon", "needs_action", "resolved",
                                               "transferred", "closed"}
    assert all(message.template_version is not None for message in messages) and used == len(messages) > 0
    assert all(not tone.tone_warnings(message.text) for message in messages)
    with scope(agency=agency):
        if Alert.objects.filter(agency=agency, status__in=Alert.OPEN_STATUSES).exists():
            assert any(case.alert_id for case in cases), "a case answers one of the demo's open alerts"
    assert {chat.outcome for chat in chats} <= {"invalid", "resolved", "transferred"}
    assert len(chats) == 3, "each demo chat is logged (the channel opened anyway where the rules say no)"
    transferred = next(chat for chat in chats if chat.outcome == "transferred")
    assert transferred.case is not None and transferred.case.store_id == transferred.store_id
    assert transcripts >= 4 * len(chats)

    load_cases_demo(agency)
    with scope(agency=agency):
        assert MessageTemplate.objects.filter(agency=agency).count() == len(templates)
        assert SupportCase.objects.filter(agency=agency).count() == len(cases)
        assert ChatSession.objects.filter(agency=agency).count() == len(chats)
