"""``GET /api/v1/stores/{id}/chat-eligibility/``: whether the store may chat now, with every reason why not in words a
person can act on, the chats left today, the end of a freeze and the next 08:00–10:00 Beijing window. A store of
another agency, or beyond an operator, is a 404; the answer costs the same queries whatever the store's history."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Agency
from alerts.models import Alert
from alerts.rules import AlertKind
from cases import quota
from cases.models import StoreChatChannel
from tests.cases.factories import ChatSessionFactory
from tests.cases.test_chat_services import make_healthy
from tests.factories import StoreFactory


@pytest.fixture(autouse=True)
def in_english(agency_a, agency_b):
    Agency.objects.filter(pk__in=[agency_a.agency.pk, agency_b.agency.pk]).update(default_language="en")


def url(store):
    return f"/api/v1/stores/{getattr(store, 'pk', store)}/chat-eligibility/"


def today_start(agency):
    return quota.day_bounds(agency.today(), agency.time_zone)[0]


def test_an_eligible_store_may_chat_with_three_chats_left_and_the_next_window(agency_a, api_as):
    make_healthy(agency_a.assigned_store)

    answer = api_as(agency_a.operator).get(url(agency_a.assigned_store))

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["may_chat"], body["reasons"], body["chats_left_today"], body["frozen_until"]) == (True, [], 3, None)
    start = datetime.datetime.fromisoformat(body["next_window"]["start"])
    end = datetime.datetime.fromisoformat(body["next_window"]["end"])
    assert body["next_window"]["start"].endswith("+08:00")
    assert (start.hour, end.hour, end - start) == (8, 10, datetime.timedelta(hours=2))
    assert end > timezone.now()
    assert body["opened_anyway"] is False


def test_every_reason_is_given_with_the_chats_left_and_the_end_of_the_freeze(agency_a, api_as):
    agency = agency_a.agency
    now = timezone.now()
    with scopes_disabled():
        store = StoreFactory(agency=agency, client=agency_a.client, marketplace="IN", selling_plan="individual",
                             registered_on=agency.today() - datetime.timedelta(days=10))
        Alert.objects.create(agency=agency, store=store, rule="account_status", kind=AlertKind.ACCOUNT_STATUS,
                             severity="red", first_seen_at=now, last_seen_at=now, due_at=now)
        StoreChatChannel.objects.create(agency=agency, store=store, bulk_deletion_on=agency.today())
    start = today_start(agency)
    moments = [min(start + datetime.timedelta(seconds=second), now) for second in range(3)]
    for moment, outcome in zip(moments, ("invalid", "invalid", ""), strict=True):
        ChatSessionFactory(store=store, requested_at=moment, outcome=outcome)

    answer = api_as(agency_a.manager).get(url(store))

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["may_chat"] is False
    assert [reason["code"] for reason in body["reasons"]] == [
        "plan", "store_age", "marketplace", "ahr_missing", "serious_alert", "bulk_deletion", "quota", "frozen"]
    assert all(reason["message"] for reason in body["reasons"])
    by_code = {reason["code"]: reason["message"] for reason in body["reasons"]}
    assert "open a case" in by_code["quota"]
    assert "Account status" in by_code["serious_alert"]
    assert body["chats_left_today"] == 0
    assert datetime.datetime.fromisoformat(body["frozen_until"]) == moments[1] + datetime.timedelta(days=7)


def test_opened_anyway_shows_with_its_reason_and_skips_the_eligibility_reasons(agency_a, api_as):
    answer = api_as(agency_a.manager).post(f"/api/v1/stores/{agency_a.other_store.pk}/chat-channel/open-anyway/",
                                           {"reason": "Brand Registry opened it early."}, format="json")
    assert answer.status_code == 200, answer.content

    body = api_as(agency_a.viewer).get(url(agency_a.other_store)).json()

    assert (body["may_chat"], body["opened_anyway"]) == (True, True)
    assert body["opened_anyway_reason"] == "Brand Registry opened it early."


@pytest.mark.parametrize("who", ["viewer", "read-only key", "idle_operator"])
def test_readers_read_and_a_store_beyond_an_operator_is_a_404(agency_a, api_as, who):
    client = api_as(agency_a.ro_header if who == "read-only key" else agency_a.staff[who])
    expected = 404 if who == "idle_operator" else 200
    assert client.get(url(agency_a.assigned_store)).status_code == expected


def test_another_agencys_store_or_a_word_is_a_404(agency_a, agency_b, api_as):
    client = api_as(agency_a.owner)
    assert client.get(url(agency_b.assigned_store)).status_code == 404
    assert client.get(url("abc")).status_code == 404
    assert api_as(agency_a.operator).get(url(agency_a.other_store)).status_code == 404


def test_the_answer_costs_the_same_queries_whatever_the_history(agency_a, api_as):
    store = agency_a.assigned_store
    client = api_as(agency_a.rw_header)
    client.get(url(store))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(store)).status_code == 200
        return len(captured)

    few = queries()
    make_healthy(store)
    now = timezone.now()
    for back in range(30):
        ChatSessionFactory(store=store, requested_at=now - datetime.timedelta(days=back, minutes=1),
                           outcome="invalid" if back % 3 else "resolved")
    with scopes_disabled():
        for rule in ("ahr_score", "account_status"):
            Alert.objects.create(agency=agency_a.agency, store=store, rule=rule, kind=AlertKind.AHR, severity="red",
                                 first_seen_at=now, last_seen_at=now, due_at=now)
    assert queries() == few
