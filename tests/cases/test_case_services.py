"""Recording a case, moving its status and writing its timeline through ``cases.services.cases``: Amazon's case id
kept as digits, every bad detail named on its field and nothing written, moves refused on ``status`` as the API and
the admin refuse them, the follow-up timer, the tone check before our message is logged, an Amazon reply answering
a waiting case, documents of the library attached, and resolving the alert a case answers."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.tenancy import Caller
from alerts.models import Alert
from cases.models import CaseCategory, CaseEvent, SupportCase
from cases.selectors import cases as selectors
from cases.services import cases as services
from tests.alerts.reports import red_alert
from tests.cases.factories import MessageTemplateVersionFactory, SupportCaseFactory
from tests.documents.factories import make_document

Status = SupportCase.Status


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def a(agency_a):
    with agency_a.scope():
        yield agency_a


def operator(persona):
    return Caller.person(agency=persona.agency, user=persona.operator, role="operator")


def owner(persona):
    return Caller.person(agency=persona.agency, user=persona.owner, role="owner")


def refused(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def create(persona, caller=None, **details):
    values = {"store": persona.assigned_store, "subject": "Listing removed", "category": "listing_removal",
              "asins": ["B0CXYZ1234"], "priority": "normal", "expected_result": "Restore it"}
    values.update(details)
    return services.case_create(agency=persona.agency, caller=caller or operator(persona), **values)


# -- recording a case ---------------------------------------------------------------------------------------------
def test_a_case_id_typed_with_dashes_is_stored_as_its_digits_and_the_case_is_opened(a):
    case = create(a, amazon_case_id="123-456-7890", asins="b0cxyz1234, 0306406152")

    case.refresh_from_db()
    assert (case.amazon_case_id, case.display_case_id) == ("1234567890", "123-456-7890")
    assert case.asins == ["B0CXYZ1234", "0306406152"]
    assert case.status == Status.OPENED and case.waiting_since is not None and case.opened_at is not None
    first = CaseEvent.objects.get(case=case)
    assert (first.kind, first.from_status, first.to_status, first.author) == ("status", "", "opened", a.operator)


def test_a_case_without_a_case_id_is_a_draft_that_does_not_wait(a):
    case = create(a)
    assert (case.status, case.waiting_since, case.amazon_case_id) == (Status.DRAFTED, None, "")


def test_every_bad_detail_is_named_on_its_field_and_nothing_is_written(a, agency_b):
    with agency_b.scope():
        their_alert = red_alert(agency_b, agency_b.assigned_store)
    errors = refused(lambda: create(a, amazon_case_id="123-45", asins=["B0SHORT", "0306406153"],
                                    category="haircut", alert=their_alert, subject=""))

    assert set(errors) == {"amazon_case_id", "asins", "category", "alert", "subject"}
    assert "123-45" in errors["amazon_case_id"][0]
    assert any("B0SHORT" in message for message in errors["asins"])
    assert any("0306406153" in message for message in errors["asins"])
    assert "haircut" in errors["category"][0]
    assert not SupportCase.objects.exists() and not CaseEvent.objects.exists()


def test_a_store_of_another_agency_or_beyond_the_operator_is_no_such_store(a, agency_b):
    assert refused(lambda: create(a, store=agency_b.assigned_store)).keys() == {"store"}
    assert refused(lambda: create(a, store=a.other_store)).keys() == {"store"}
    assert create(a, caller=owner(a), store=a.other_store).store == a.other_store


def test_an_alert_of_another_store_of_the_agency_is_refused(a):
    other_alert = red_alert(a, a.other_store)
    assert refused(lambda: create(a, caller=owner(a), alert=other_alert)).keys() == {"alert"}


def test_an_agencys_own_category_is_accepted(a):
    CaseCategory.objects.create(agency=a.agency, code="vat_invoice", name="VAT invoice")
    assert create(a, category="vat_invoice").category == "vat_invoice"


def test_one_amazon_case_is_one_record_however_its_id_was_typed(a):
    create(a, amazon_case_id="1234567890")
    errors = refused(lambda: create(a, amazon_case_id="123-456-7890"))
    assert errors == {"amazon_case_id": ["Case 123-456-7890 is already recorded in the agency."]}


def test_changing_details_checks_them_as_recording_does(a):
    case = create(a, amazon_case_id="1234567890")
    services.case_update(agency=a.agency, caller=operator(a), case=case, amazon_case_id="123 456 7891",
                         priority="high")
    case.refresh_from_db()
    assert (case.amazon_case_id, case.priority) == ("1234567891", "high")
    assert refused(lambda: services.case_update(agency=a.agency, caller=operator(a), case=case,
                                                amazon_case_id="")).keys() == {"amazon_case_id"}
    assert refused(lambda: services.case_update(agency=a.agency, caller=operator(a), case=case,
                                                asins="B0X")).keys() == {"asins"}


# -- moves ----------------------------------------------------------------------------------------------------------
def move(persona, case, to_status, **kwargs):
    return services.case_move(agency=persona.agency, caller=operator(persona), case=case, to_status=to_status,
                              **kwargs)


def test_a_move_is_recorded_on_the_timeline_with_its_note_and_author(a):
    case = create(a, amazon_case_id="1234567890")
    move(a, case, Status.AWAITING_AMAZON, note="Sent the invoices")

    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert (event.kind, event.from_status, event.to_status, event.text, event.author) == (
        "status", "opened", "awaiting_amazon", "Sent the invoices", a.operator)


def test_a_move_the_status_does_not_allow_is_refused_on_status_and_changes_nothing(a):
    case = create(a, amazon_case_id="1234567890")
    move(a, case, Status.CLOSED)

    errors = refused(lambda: move(a, case, Status.ANSWERED))

    assert errors == {"status": ["This case is Closed: it can move to Reopened, not to Answered."]}
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert CaseEvent.objects.filter(case=case).count() == 2


def test_opening_a_draft_needs_the_case_id_which_is_normalised(a):
    case = create(a)
    assert refused(lambda: move(a, case, Status.OPENED)).keys() == {"amazon_case_id"}
    assert refused(lambda: move(a, case, Status.OPENED, amazon_case_id="12-ab")).keys() == {"amazon_case_id"}

    move(a, case, Status.OPENED, amazon_case_id="123-456-7890")

    case.refresh_from_db()
    assert (case.status, case.amazon_case_id) == (Status.OPENED, "1234567890")
    assert case.waiting_since is not None


def test_a_transfer_names_the_amazon_team_and_keeps_the_wait(a):
    case = create(a, amazon_case_id="1234567890")
    started = case.waiting_since
    assert refused(lambda: move(a, case, Status.TRANSFERRED)).keys() == {"transferred_to"}

    move(a, case, Status.TRANSFERRED, transferred_to="Policy Enforcement")

    case.refresh_from_db()
    assert (case.status, case.transferred_to, case.waiting_since) == (Status.TRANSFERRED, "Policy Enforcement",
                                                                      started)


def test_resolving_stops_the_timer_and_reopening_clears_the_end(a):
    case = create(a, amazon_case_id="1234567890")
    move(a, case, Status.RESOLVED)
    case.refresh_from_db()
    assert case.waiting_since is None and case.resolved_at is not None
    move(a, case, Status.REOPENED)
    case.refresh_from_db()
    assert case.resolved_at is None and case.waiting_since is not None


def test_resolving_a_case_that_answers_an_open_alert_offers_it_and_resolves_it_when_asked(a):
    alert = red_alert(a, a.assigned_store)
    offered = create(a, amazon_case_id="1234567890", alert=alert)
    asked = create(a, amazon_case_id="1234567891", alert=alert)

    result = move(a, offered, Status.RESOLVED)
    assert (result.alert_open, result.alert_resolved) == (True, False)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN

    result = move(a, asked, Status.RESOLVED, note="Amazon reinstated the listing", resolve_alert=True)

    assert (result.alert_open, result.alert_resolved) == (False, True)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED
    assert alert.transitions.latest("pk").reason == "Amazon reinstated the listing"


def test_the_offer_to_resolve_the_alert_can_be_taken_after_the_case_was_resolved(a):
    alert = red_alert(a, a.assigned_store)
    case = create(a, amazon_case_id="1234567890", alert=alert)
    assert refused(lambda: services.case_alert_resolve(agency=a.agency, caller=operator(a), case=case)).keys() == {
        "status"}
    move(a, case, Status.RESOLVED)

    assert services.case_alert_resolve(agency=a.agency, caller=operator(a), case=case) is True

    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED
    assert "123-456-7890" in alert.transitions.latest("pk").reason


# -- the timeline ---------------------------------------------------------------------------------------------------
def log(persona, case, kind, text, **kwargs):
    return services.case_message_add(agency=persona.agency, caller=operator(persona), case=case, kind=kind,
                                     text=text, **kwargs)


def test_our_message_with_chasing_words_is_refused_until_its_tone_is_confirmed(a):
    case = create(a, amazon_case_id="1234567890")
    text = "Please restore it IMMEDIATELY!!!"

    errors = refused(lambda: log(a, case, "our_message", text))

    assert set(errors) == {"text"}
    assert any("IMMEDIATELY" in message for message in errors["text"])
    assert not CaseEvent.objects.filter(case=case, kind="our_message").exists()

    logged = log(a, case, "our_message", text, confirm_tone=True)

    assert {warning.code for warning in logged.warnings} >= {"exclamations", "chasing"}
    assert CaseEvent.objects.get(case=case, kind="our_message").text == text


def test_a_calm_message_and_a_note_are_logged_without_warnings(a):
    case = create(a, amazon_case_id="1234567890")
    assert log(a, case, "our_message", "Please review the attached invoice.").warnings == ()
    assert log(a, case, "note", "Called the client!!!").warnings == ()  # notes are ours: no tone check


def test_amazons_reply_answers_a_case_waiting_for_amazon(a):
    case = create(a, amazon_case_id="1234567890")
    logged = log(a, case, "amazon_reply", "We reinstated the ASIN.")

    assert logged.moved_to == Status.ANSWERED
    case.refresh_from_db()
    assert (case.status, case.waiting_since) == (Status.ANSWERED, None)
    kinds = list(CaseEvent.objects.filter(case=case).order_by("at", "pk").values_list("kind", "to_status"))
    assert kinds[-2:] == [("amazon_reply", ""), ("status", "answered")]


def test_a_reply_on_a_case_not_waiting_is_only_logged(a):
    case = create(a)
    assert log(a, case, "amazon_reply", "Noted").moved_to == ""
    case.refresh_from_db()
    assert case.status == Status.DRAFTED


def test_an_entry_needs_a_known_kind_text_and_a_time_not_in_the_future(a):
    case = create(a)
    assert refused(lambda: log(a, case, "status", "x")).keys() == {"kind"}
    assert refused(lambda: log(a, case, "note", "  ")).keys() == {"text"}
    future = timezone.now() + datetime.timedelta(hours=2)
    assert refused(lambda: log(a, case, "note", "x", at=future)).keys() == {"at"}


def test_a_message_from_a_template_counts_its_use(a):
    version = MessageTemplateVersionFactory(template__agency=a.agency)
    case = create(a, amazon_case_id="1234567890")
    log(a, case, "our_message", "Please review the listing.", template_version=version)
    version.refresh_from_db()
    version.template.refresh_from_db()
    assert (version.use_count, version.template.use_count) == (1, 1)


def test_a_document_of_the_library_is_attached_once(a):
    document = make_document(a)
    case = create(a, amazon_case_id="1234567890")

    first = services.case_document_attach(agency=a.agency, caller=operator(a), case=case, document=document)
    again = services.case_document_attach(agency=a.agency, caller=operator(a), case=case, document=document)

    assert first.pk == again.pk and (first.kind, first.document) == ("document", document)
    assert CaseEvent.objects.filter(case=case, kind="document").count() == 1


def test_a_document_of_another_agency_is_no_such_document(a, agency_b):
    theirs = make_document(agency_b)
    case = create(a, amazon_case_id="1234567890")
    errors = refused(lambda: services.case_document_attach(agency=a.agency, caller=operator(a), case=case,
                                                           document=theirs))
    assert errors.keys() == {"document"}
    assert not CaseEvent.objects.filter(case=case, kind="document").exists()


# -- the follow-up flag ---------------------------------------------------------------------------------------------
def test_the_follow_up_list_flags_a_wait_past_24_hours_and_high_priority_at_once(a):
    now = timezone.now()
    exactly = SupportCaseFactory(store=a.assigned_store, waiting_since=now - datetime.timedelta(hours=24))
    late = SupportCaseFactory(store=a.assigned_store, waiting_since=now - datetime.timedelta(hours=24, seconds=1))
    high = SupportCaseFactory(store=a.assigned_store, priority="high", waiting_since=now)
    SupportCaseFactory(store=a.assigned_store, status=Status.RESOLVED, priority="urgent", waiting_since=None)

    flagged = selectors.cases_needing_follow_up(agency=a.agency, caller=owner(a), now=now)

    assert [item.case for item in flagged] == [high, late]
    assert exactly not in [item.case for item in flagged]
    assert {item.kind for item in flagged} <= {"chat", "follow_up"}
    assert flagged[1].late_since == late.waiting_since + datetime.timedelta(hours=24)
