"""``/api/v1/cases/``: recording, reading, changing and moving Seller Support cases, their timeline and documents.
Amazon's case id is answered as digits and as shown; bad input is a 400 naming the field; a move the status does not
allow is a 409 naming the current status and the moves it allows; operators reach only their stores' cases (others
are 404), viewers and read-only keys only read (403 on writes); the follow-up flag filters the list."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Agency
from alerts.models import Alert
from cases.models import CaseEvent, SupportCase
from tests.alerts.reports import red_alert
from tests.cases.factories import SupportCaseFactory
from tests.documents.factories import make_document
from tests.page_queries import compare

Status = SupportCase.Status
LIST = "/api/v1/cases/"


@pytest.fixture(autouse=True)
def in_english(agency_a, agency_b):
    Agency.objects.filter(pk__in=[agency_a.agency.pk, agency_b.agency.pk]).update(default_language="en")


@pytest.fixture(autouse=True)
def in_agency_a(agency_a):
    with agency_a.scope():
        yield


def url(case, action=""):
    return f"{LIST}{case.pk}/{action + '/' if action else ''}"


def new_case(persona, **details):
    return {"store": persona.assigned_store.pk, "subject": "Listing removed", "category": "listing_removal",
            "asins": ["B0CXYZ1234"], "priority": "normal", "expected_result": "Restore it", **details}


@pytest.fixture
def case(agency_a):
    return SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="1234567890")


# -- recording -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["owner", "manager", "operator", "read-write key"])
def test_those_who_work_on_the_store_record_a_case_its_id_kept_as_digits(agency_a, api_as, who):
    client = api_as(agency_a.rw_header if who == "read-write key" else agency_a.staff[who])

    answer = client.post(LIST, new_case(agency_a, amazon_case_id="123-456-7890"), format="json")

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["amazon_case_id"], body["display_case_id"], body["status"]) == ("1234567890", "123-456-7890",
                                                                                 "opened")
    assert body["events"][0]["to_status"] == "opened"
    assert SupportCase.objects.get().amazon_case_id == "1234567890"


@pytest.mark.parametrize(("field", "value"), [
    ("amazon_case_id", "12-34"), ("amazon_case_id", "ORDER-1234567"), ("asins", ["B0SHORT"]),
    ("asins", "0306406153"), ("asins", [f"B0{number:08d}" for number in range(201)]), ("category", "haircut")])
def test_a_malformed_case_id_or_asin_or_an_unknown_category_is_a_400_naming_the_field(agency_a, api_as, field,
                                                                                     value):
    answer = api_as(agency_a.operator).post(LIST, new_case(agency_a, **{field: value}), format="json")

    assert answer.status_code == 400
    assert list(answer.json()) == [field]
    assert not SupportCase.objects.exists()


def test_another_agencys_store_or_alert_is_a_field_error(agency_a, agency_b, api_as):
    client = api_as(agency_a.owner)
    assert list(client.post(LIST, new_case(agency_a, store=agency_b.assigned_store.pk), format="json").json()) == [
        "store"]
    with agency_b.scope():
        their_alert = red_alert(agency_b, agency_b.assigned_store)
    answer = client.post(LIST, new_case(agency_a, alert=their_alert.pk), format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["alert"]


@pytest.mark.parametrize("who", ["viewer", "read-only key"])
def test_viewers_and_read_only_keys_read_but_do_not_write(agency_a, api_as, case, who):
    client = api_as(agency_a.ro_header if who == "read-only key" else agency_a.viewer)
    assert client.get(LIST).status_code == 200
    assert client.get(url(case)).status_code == 200
    assert client.post(LIST, new_case(agency_a), format="json").status_code == 403
    assert client.patch(url(case), {"subject": "x"}, format="json").status_code == 403
    assert client.post(url(case, "move"), {"to_status": "resolved"}, format="json").status_code == 403
    assert client.post(url(case, "events"), {"kind": "note", "text": "x"}, format="json").status_code == 403
    assert client.post(url(case, "documents"), {"document": 1}, format="json").status_code == 403


def test_an_operator_reaches_only_the_cases_of_their_stores(agency_a, agency_b, api_as, case):
    beyond = SupportCaseFactory(store=agency_a.other_store)
    with agency_b.scope():
        theirs = SupportCaseFactory(store=agency_b.assigned_store)
    client = api_as(agency_a.operator)

    listed = [row["id"] for row in client.get(LIST).json()["results"]]

    assert listed == [case.pk]
    for other in (beyond, theirs):
        assert client.get(url(other)).status_code == 404
        assert client.patch(url(other), {"subject": "x"}, format="json").status_code == 404
        assert client.post(url(other, "move"), {"to_status": "resolved"}, format="json").status_code == 404
        assert client.get(url(other, "events")).status_code == 404
        assert client.post(url(other, "documents"), {"document": 1}, format="json").status_code == 404
    assert client.post(LIST, new_case(agency_a, store=agency_a.other_store.pk), format="json").status_code == 400


# -- reading and changing --------------------------------------------------------------------------------------------
def test_a_case_reads_with_its_timeline_and_the_moves_it_allows(agency_a, api_as, case):
    body = api_as(agency_a.operator).get(url(case)).json()
    assert body["display_case_id"] == "123-456-7890"
    assert body["allowed_moves"] == ["awaiting_amazon", "answered", "transferred", "resolved", "closed"]
    assert body["category_label"] == "Listing removal"


def test_changing_details_normalises_them_and_refuses_moving_the_store(agency_a, api_as, case):
    client = api_as(agency_a.operator)
    answer = client.patch(url(case), {"amazon_case_id": "123 456 7899", "asins": "b0cxyz9999"}, format="json")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["amazon_case_id"], answer.json()["asins"]) == ("1234567899", ["B0CXYZ9999"])
    answer = client.patch(url(case), {"store": agency_a.other_store.pk}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["store"]


# -- moves -------------------------------------------------------------------------------------------------------------
def test_a_move_is_made_and_recorded_with_its_note(agency_a, api_as, case):
    answer = api_as(agency_a.operator).post(url(case, "move"), {"to_status": "transferred", "note": "Escalated",
                                                               "transferred_to": "Policy Enforcement"},
                                            format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["status"], body["transferred_to"]) == ("transferred", "Policy Enforcement")
    assert body["events"][-1]["text"] == "Escalated"


def test_a_move_the_status_does_not_allow_is_a_409_naming_the_status_and_the_moves(agency_a, api_as, case):
    client = api_as(agency_a.operator)
    client.post(url(case, "move"), {"to_status": "closed"}, format="json")

    answer = client.post(url(case, "move"), {"to_status": "answered"}, format="json")

    assert answer.status_code == 409
    assert answer.json() == {"status": ["This case is Closed: it can move to Reopened, not to Answered."],
                             "current_status": "closed", "allowed_moves": ["reopened"]}


def test_a_transfer_without_the_team_is_a_400_on_transferred_to(agency_a, api_as, case):
    answer = api_as(agency_a.operator).post(url(case, "move"), {"to_status": "transferred"}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["transferred_to"]


def test_resolving_a_case_offers_its_open_alert_and_resolves_it_when_asked(agency_a, api_as):
    alert = red_alert(agency_a, agency_a.assigned_store)
    first = SupportCaseFactory(store=agency_a.assigned_store, alert=alert)
    second = SupportCaseFactory(store=agency_a.assigned_store, alert=alert)
    client = api_as(agency_a.operator)

    offered = client.post(url(first, "move"), {"to_status": "resolved"}, format="json").json()
    assert (offered["alert_open"], offered["alert_resolved"]) == (True, False)

    resolved = client.post(url(second, "move"), {"to_status": "resolved", "note": "Reinstated",
                                                 "resolve_alert": True}, format="json").json()
    assert (resolved["alert_open"], resolved["alert_resolved"]) == (False, True)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED


# -- the timeline and documents ----------------------------------------------------------------------------------------
def test_our_message_with_tone_warnings_is_a_400_on_text_unless_confirmed(agency_a, api_as, case):
    client = api_as(agency_a.operator)
    entry = {"kind": "our_message", "text": "This is unacceptable, fix it NOW!!!"}

    refused = client.post(url(case, "events"), entry, format="json")

    assert refused.status_code == 400 and list(refused.json()) == ["text"]
    assert not CaseEvent.objects.filter(case=case, kind="our_message").exists()

    logged = client.post(url(case, "events"), {**entry, "confirm_tone": True}, format="json")

    assert logged.status_code == 201, logged.content
    assert {warning["code"] for warning in logged.json()["warnings"]} >= {"emotional", "exclamations"}
    assert logged.json()["event"]["by"] == agency_a.operator.email


def test_amazons_reply_moves_a_waiting_case_to_answered_and_the_timeline_lists_it(agency_a, api_as, case):
    client = api_as(agency_a.operator)
    answer = client.post(url(case, "events"), {"kind": "amazon_reply", "text": "Reinstated."}, format="json")
    assert answer.status_code == 201 and answer.json()["moved_to"] == "answered"
    kinds = [row["kind"] for row in client.get(url(case, "events")).json()["results"]]
    assert kinds[-2:] == ["amazon_reply", "status"]


def test_a_document_is_attached_and_another_agencys_is_a_field_error(agency_a, agency_b, api_as, case):
    mine = make_document(agency_a)
    theirs = make_document(agency_b)
    client = api_as(agency_a.operator)

    answer = client.post(url(case, "documents"), {"document": mine.pk}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["document"] == mine.pk

    answer = client.post(url(case, "documents"), {"document": theirs.pk}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["document"]


# -- the follow-up flag and the list -----------------------------------------------------------------------------------
def test_needs_follow_up_lists_the_cases_waiting_over_24_hours_and_the_high_ones(agency_a, api_as):
    now = timezone.now()
    fresh = SupportCaseFactory(store=agency_a.assigned_store, waiting_since=now - datetime.timedelta(hours=23))
    late = SupportCaseFactory(store=agency_a.assigned_store, waiting_since=now - datetime.timedelta(hours=25))
    high = SupportCaseFactory(store=agency_a.assigned_store, priority="high", waiting_since=now)
    client = api_as(agency_a.owner)

    flagged = client.get(LIST, {"needs_follow_up": "true"}).json()["results"]
    others = client.get(LIST, {"needs_follow_up": "false"}).json()["results"]

    assert {row["id"] for row in flagged} == {late.pk, high.pk}
    assert all(row["needs_follow_up"] for row in flagged)
    assert [row["id"] for row in others] == [fresh.pk]
    assert client.get(LIST, {"needs_follow_up": "maybe"}).status_code == 400


def test_the_list_filters_by_status_priority_category_store_and_alert(agency_a, api_as):
    alert = red_alert(agency_a, agency_a.assigned_store)
    answering = SupportCaseFactory(store=agency_a.assigned_store, alert=alert, category="account_health")
    SupportCaseFactory(store=agency_a.other_store, status=Status.RESOLVED, waiting_since=None)
    client = api_as(agency_a.owner)

    assert [row["id"] for row in client.get(LIST, {"alert": alert.pk}).json()["results"]] == [answering.pk]
    assert [row["id"] for row in client.get(LIST, {"category": "account_health"}).json()["results"]] == [
        answering.pk]
    assert len(client.get(LIST, {"status": "resolved"}).json()["results"]) == 1
    assert client.get(LIST, {"status": "escalated"}).status_code == 400
    assert len(client.get(LIST, {"store": agency_a.assigned_store.pk}).json()["results"]) == 1


def test_the_list_reads_the_same_queries_for_10_cases_as_for_100(agency_a, api_as, django_assert_max_num_queries):
    client = api_as(agency_a.owner)
    alert = red_alert(agency_a, agency_a.assigned_store)

    def grow(count):
        SupportCaseFactory.create_batch(count, store=agency_a.assigned_store, alert=alert, assignee=agency_a.operator)

    few, many = compare(lambda: client.get(LIST, {"page_size": 100}), grow, django_assert_max_num_queries,
                        marker='"display_case_id"')
    assert (few, many) == (10, 100)
