"""Seller Support cases in the admin: the list (scoped, filtered by the follow-up flag, searched by the case id with
or without dashes and by ASIN), status moves as actions (a refused move is a message, never a 500), a case's page
with its timeline, its move form (with "resolve the alert too") and its message form (tone warnings first)."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.utils import timezone

from alerts.models import Alert
from cases.models import CaseEvent, SupportCase
from tests.alerts.reports import red_alert
from tests.cases.factories import CaseEventFactory, SupportCaseFactory
from tests.page_queries import compare

Status = SupportCase.Status
URL = "/admin/cases/supportcase/"


@pytest.fixture(autouse=True)
def in_agency_a(agency_a):
    with agency_a.scope():
        yield


def messages_of(answer):
    return [str(message) for message in answer.context["messages"]]


def act(client, action, cases):
    return client.post(URL, {"action": action, ACTION_CHECKBOX_NAME: [case.pk for case in cases], "index": 0},
                       follow=True)


def status_of(case):
    case.refresh_from_db()
    return case.status


def page_data(case, **changes):
    """What the case's page posts when nothing is changed, with ``changes``."""
    data = {"subject": case.subject, "category": case.category, "amazon_case_id_typed": case.amazon_case_id,
            "asins_text": ", ".join(case.asins), "priority": case.priority, "expected_result": case.expected_result,
            "alert": case.alert_id or "", "assignee": "", "move_to": "", "move_note": "", "move_transferred_to": "",
            "move_case_id": "", "entry_kind": "", "entry_text": "", "entry_at": ""}
    data.update(changes)
    return data


def test_the_list_shows_the_operators_cases_only_with_the_case_id_as_shown(agency_a, agency_b, client_as):
    mine = SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="1234567890", subject="Mine")
    SupportCaseFactory(store=agency_a.other_store, subject="Beyond the operator")
    with agency_b.scope():
        theirs = SupportCaseFactory(store=agency_b.assigned_store, subject="Another agency's")
    client = client_as(agency_a.operator)

    page = client.get(URL).content.decode()

    assert "123-456-7890" in page and "Mine" in page
    assert "Beyond the operator" not in page and "Another agency&#x27;s" not in page
    assert client.get(f"{URL}{theirs.pk}/change/").status_code in (302, 404)
    assert client.get(f"{URL}{mine.pk}/change/").status_code == 200


@pytest.mark.parametrize("typed", ["1234567890", "123-456-7890", "b0cxyz1234"])
def test_search_finds_a_case_by_its_id_with_or_without_dashes_and_by_asin(agency_a, client_as, typed):
    SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="1234567890", subject="Sought case")
    SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="9999999999", asins=["B0AAAAAAAA"],
                       subject="Unsought case")
    page = client_as(agency_a.owner).get(URL, {"q": typed}).content.decode()
    assert "Sought case" in page and "Unsought case" not in page


def test_the_follow_up_filter_lists_the_flagged_cases(agency_a, client_as):
    now = timezone.now()
    SupportCaseFactory(store=agency_a.assigned_store, subject="Late one", waiting_since=now - datetime.timedelta(
        hours=25))
    SupportCaseFactory(store=agency_a.assigned_store, subject="Fresh one", waiting_since=now)
    page = client_as(agency_a.owner).get(URL, {"needs_follow_up": "yes"}).content.decode()
    assert "Late one" in page and "Fresh one" not in page


def test_an_action_moves_the_cases_it_may_and_names_each_refused_one(agency_a, client_as):
    opened = SupportCaseFactory(store=agency_a.assigned_store, subject="Opened")
    closed = SupportCaseFactory(store=agency_a.assigned_store, subject="Closed", status=Status.CLOSED,
                                waiting_since=None)

    answer = act(client_as(agency_a.operator), "to_answered", [opened, closed])

    assert answer.status_code == 200
    assert (status_of(opened), status_of(closed)) == (Status.ANSWERED, Status.CLOSED)
    shown = messages_of(answer)
    assert "1 case moved to Answered." in shown
    assert any("Closed" in message and "it can move to Reopened, not to Answered" in message for message in shown)


def test_resolving_with_alerts_resolves_the_alert_a_case_answers(agency_a, client_as):
    alert = red_alert(agency_a, agency_a.assigned_store)
    case = SupportCaseFactory(store=agency_a.assigned_store, alert=alert)

    act(client_as(agency_a.operator), "to_resolved_with_alerts", [case])

    assert status_of(case) == Status.RESOLVED
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED


def test_a_viewer_is_offered_no_moves(agency_a, client_as):
    case = SupportCaseFactory(store=agency_a.assigned_store)
    answer = act(client_as(agency_a.viewer), "to_resolved", [case])
    assert status_of(case) == Status.OPENED
    assert answer.status_code in (200, 403)


def test_the_case_page_shows_the_timeline(agency_a, client_as):
    case = SupportCaseFactory(store=agency_a.assigned_store)
    CaseEventFactory(case=case, text="Called the client about the invoice")
    page = client_as(agency_a.operator).get(f"{URL}{case.pk}/change/").content.decode()
    assert "Called the client about the invoice" in page and "cases-timeline" in page


def test_the_case_page_moves_the_status_and_refuses_a_transfer_without_its_team_on_the_field(agency_a, client_as):
    case = SupportCaseFactory(store=agency_a.assigned_store)
    client = client_as(agency_a.operator)

    refused = client.post(f"{URL}{case.pk}/change/", page_data(case, move_to="transferred"))

    assert refused.status_code == 200 and "move_transferred_to" in refused.context["adminform"].form.errors
    assert status_of(case) == Status.OPENED

    client.post(f"{URL}{case.pk}/change/", page_data(case, move_to="transferred",
                                                      move_transferred_to="Policy Enforcement", move_note="Sent up"))

    assert status_of(case) == Status.TRANSFERRED
    assert CaseEvent.objects.filter(case=case, kind="status").latest("pk").text == "Sent up"


def test_the_case_page_saves_all_or_nothing_an_entry_refused_undoes_the_details_and_the_move(agency_a, client_as):
    case = SupportCaseFactory(store=agency_a.assigned_store, subject="Before")
    later = timezone.localtime() + datetime.timedelta(days=2)

    answer = client_as(agency_a.operator).post(f"{URL}{case.pk}/change/", page_data(
        case, subject="After", move_to="awaiting_amazon", entry_kind="note", entry_text="Checked the listing.",
        entry_at_0=later.strftime("%Y-%m-%d"), entry_at_1=later.strftime("%H:%M:%S")), follow=True)

    case.refresh_from_db()
    assert (case.subject, case.status) == ("Before", Status.OPENED)
    assert not CaseEvent.objects.filter(case=case).exists()
    shown = messages_of(answer)
    assert len(shown) == 1 and "nothing was saved" in shown[0] and "is in the future" in shown[0]


def test_the_case_page_resolves_the_alert_too_when_asked(agency_a, client_as):
    alert = red_alert(agency_a, agency_a.assigned_store)
    case = SupportCaseFactory(store=agency_a.assigned_store, alert=alert)
    client = client_as(agency_a.operator)

    client.post(f"{URL}{case.pk}/change/", page_data(case, move_to="resolved", resolve_alert="on",
                                                      move_note="Reinstated"))

    assert status_of(case) == Status.RESOLVED
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED


def test_the_case_page_warns_about_the_tone_before_logging_our_message(agency_a, client_as):
    case = SupportCaseFactory(store=agency_a.assigned_store)
    client = client_as(agency_a.operator)
    entry = {"entry_kind": "our_message", "entry_text": "Restore it IMMEDIATELY!!!"}

    warned = client.post(f"{URL}{case.pk}/change/", page_data(case, **entry))

    assert "entry_text" in warned.context["adminform"].form.errors
    assert not CaseEvent.objects.filter(case=case, kind="our_message").exists()

    client.post(f"{URL}{case.pk}/change/", page_data(case, confirm_tone="on", **entry))

    assert CaseEvent.objects.get(case=case, kind="our_message").author == agency_a.operator


def test_adding_a_case_normalises_its_id_and_refuses_a_malformed_one_on_the_field(agency_a, client_as):
    client = client_as(agency_a.operator)
    data = {"store": agency_a.assigned_store.pk, "subject": "A+ rejected", "category": "a_plus_content",
            "asins_text": "B0CXYZ1234", "priority": "normal", "expected_result": "", "alert": "", "assignee": ""}

    refused = client.post(f"{URL}add/", {**data, "amazon_case_id_typed": "12-ab"})
    assert "amazon_case_id_typed" in refused.context["adminform"].form.errors

    client.post(f"{URL}add/", {**data, "amazon_case_id_typed": "123-456-7890"})
    case = SupportCase.objects.get()
    assert (case.amazon_case_id, case.status, case.created_by) == ("1234567890", Status.OPENED, agency_a.operator)


def test_the_list_reads_the_same_queries_for_10_and_100_cases(agency_a, client_as, django_assert_max_num_queries):
    client = client_as(agency_a.operator)
    few, many = compare(lambda: client.get(URL), lambda n: SupportCaseFactory.create_batch(
        n, store=agency_a.assigned_store, subject="Counted case"), django_assert_max_num_queries,
                        marker="Counted case")
    assert (few, many) == (10, 50)  # a page holds 50
