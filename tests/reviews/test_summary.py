"""The month, frozen (``reviews.summary.month_summaries``) against a month computed by hand: October 2026 of one store
of agency A (time zone Asia/Shanghai), with missing days, red and yellow days, a policy count that rose, alerts,
cases, chats with two freezes and a lift, and an appeal kit judged as of 31 October."""

import datetime
import json
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from alerts.models import Alert
from alerts.rules import AlertKind
from cases.chat_rules import ChatRules
from cases.models import ChatFreezeLift, SupportCase
from documents import types
from health import metrics
from health.thresholds import Thresholds
from reviews.models import StoreReview
from reviews.summary import month as calendar
from reviews.summary import month_summaries
from reviews.summary.metric_month import DayJudge, metric_months
from tests.cases.factories import ChatSessionFactory, SupportCaseFactory
from tests.documents.factories import make_document
from tests.factories import StoreFactory
from tests.health.factories import HealthSnapshotFactory
from tests.reviews.factories import StoreReviewFactory

OCTOBER = datetime.date(2026, 10, 1)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(month, day, hour=12, minute=0):
    """A moment of 2026 in Shanghai."""
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def snapshot(store, day, **values):
    """A snapshot of ``store`` on ``day`` with only ``values`` reported (every other metric: no data)."""
    return HealthSnapshotFactory(store=store, date=day, **{**dict.fromkeys(metrics.KEYS), **values})


def alert(store, rule, *, first_seen_at, resolved_at=None):
    with scopes_disabled():
        return Alert.objects.create(
            agency=store.agency, store=store, rule=rule, kind=AlertKind.METRIC, severity="red",
            status=Alert.Status.RESOLVED if resolved_at else Alert.Status.OPEN, first_seen_at=first_seen_at,
            last_seen_at=first_seen_at, due_at=first_seen_at, resolved_at=resolved_at)


@pytest.fixture
def store(agency_a):
    return StoreFactory(agency=agency_a.agency, client=agency_a.client, name="Fixture store")


@pytest.fixture
def october(agency_a, store):
    """The hand-computed month of ``store`` (see each test for its figures)."""
    d = datetime.date
    # September: the previous month's last reported values (cancel rate last reported on the 15th).
    snapshot(store, d(2026, 9, 15), ahr_score=500, late_shipment_rate=0.02, cancel_rate=0.01, ip_complaints=0)
    snapshot(store, d(2026, 9, 30), ahr_score=300, late_shipment_rate=0.01, valid_tracking_rate=0.97,
             ip_complaints=0)
    # October: six days reported out of 31; every other day is missing.
    snapshot(store, d(2026, 10, 1), ahr_score=280, late_shipment_rate=0.010, valid_tracking_rate=0.99,
             cancel_rate=0.01, ip_complaints=0, account_status="NORMAL")
    snapshot(store, d(2026, 10, 2), ahr_score=190, late_shipment_rate=0.035, cancel_rate=0.02, ip_complaints=1,
             account_status="NORMAL")
    snapshot(store, d(2026, 10, 3), ahr_score=90, late_shipment_rate=0.05, ip_complaints=1,
             account_status="AT_RISK")
    snapshot(store, d(2026, 10, 10), ahr_score=150, ip_complaints=1, account_status="NORMAL")
    snapshot(store, d(2026, 10, 20), ahr_score=220, late_shipment_rate=0.045, ip_complaints=2,
             account_status="NORMAL",
             report_targets={"late_shipment_rate": {"target": 0.05, "condition": "LESS_THAN", "status": "GOOD"}})
    snapshot(store, d(2026, 10, 31), ahr_score=260, late_shipment_rate=0.02, valid_tracking_rate=0.94,
             ip_complaints=2, account_status="NORMAL",
             warning_states=[{"type": "spammingSellerMessaging", "status": "BAD"}])
    # November: not October's.
    snapshot(store, d(2026, 11, 1), ahr_score=10, late_shipment_rate=0.5)

    alert(store, "late_shipment_rate", first_seen_at=at(10, 2, 10), resolved_at=at(10, 25))
    alert(store, "late_shipment_rate", first_seen_at=at(9, 25), resolved_at=at(10, 5))
    alert(store, "ip_complaints", first_seen_at=at(10, 31, 23, 30))  # 15:30 UTC: still October in Shanghai
    alert(store, "account_status", first_seen_at=at(9, 20), resolved_at=at(11, 1, 0, 30))  # open at month end
    alert(store, "ahr_score", first_seen_at=at(11, 1, 0, 10))  # 31 October in UTC, November in Shanghai
    alert(store, "valid_tracking_rate", first_seen_at=at(9, 1), resolved_at=at(9, 20))

    SupportCaseFactory(store=store, status=SupportCase.Status.RESOLVED, opened_at=at(10, 5), resolved_at=at(10, 9),
                       waiting_since=None)
    SupportCaseFactory(store=store, status=SupportCase.Status.RESOLVED, opened_at=at(9, 10),
                       resolved_at=at(10, 31, 23), waiting_since=None)
    SupportCaseFactory(store=store, opened_at=at(10, 29), waiting_since=at(10, 29))  # 60 hours at month end
    SupportCaseFactory(store=store, opened_at=at(10, 31, 8), waiting_since=at(10, 31, 8))  # 16 hours
    SupportCaseFactory(store=store, status=SupportCase.Status.DRAFTED, amazon_case_id="", opened_at=None,
                       waiting_since=None)
    SupportCaseFactory(store=store, opened_at=at(11, 2), waiting_since=at(11, 2))

    for moment, outcome in [
        (at(8, 1), "resolved"),
        (at(9, 27, 20), "invalid"), (at(9, 28, 10), "invalid"),  # frozen until 5 October 10:00
        (at(10, 3, 9), "resolved"),
        (at(10, 10, 9), "invalid"), (at(10, 10, 9, 30), "invalid"),  # frozen until the lift on the 12th
        (at(10, 20, 9), "not_connected"),
        (at(10, 28, 10), "invalid"), (at(10, 28, 16), "invalid"),  # frozen until 4 November
        (at(11, 1, 0, 30), "invalid"),  # November in Shanghai
    ]:
        ChatSessionFactory(store=store, requested_at=moment, outcome=outcome)
    with scopes_disabled():
        ChatFreezeLift.objects.create(agency=store.agency, store=store, lifted_at=at(10, 12, 9),
                                      frozen_until=at(10, 17, 9, 30), reason="Conduct reviewed.")

    make_document(agency_a, store=store, type_code=types.LEGAL_REPRESENTATIVE_ID, title="Passport",
                  expires_on=d(2026, 11, 15))  # 15 days left on 31 October (expired by now)
    make_document(agency_a, store=store, type_code=types.ADDRESS_PROOF, title="Power bill",
                  issued_on=d(2026, 7, 1))  # good until 29 September: stale
    make_document(agency_a, store=store, type_code=types.SUPPLIER_INVOICE, title="Invoice",
                  issued_on=d(2026, 9, 15))  # good until 14 December: fresh on 31 October
    with agency_a.scope():
        return month_summaries(agency=agency_a.agency, store_ids=[store.pk], month=OCTOBER)[store.pk]


def test_a_metric_counts_only_the_days_that_reported_it_and_compares_with_the_previous_months_last_value(october):
    assert october["month"] == "2026-10"
    assert october["metrics"]["ahr_score"] == {
        "month_end": 260, "worst": 90, "colour": "green", "change": -40,
        "days_red": 1, "days_yellow": 2, "days_reported": 6}
    # 10 October did not report it; 20 October is yellow by the report's own 5 % target, not red by the agency's 4 %.
    assert october["metrics"]["late_shipment_rate"] == {
        "month_end": 0.02, "worst": 0.05, "colour": "green", "change": 0.01,
        "days_red": 1, "days_yellow": 2, "days_reported": 5}
    # Held above its target: its worst is its lowest; September's last value was 0.97.
    assert october["metrics"]["valid_tracking_rate"] == {
        "month_end": 0.94, "worst": 0.94, "colour": "red", "change": -0.03,
        "days_red": 1, "days_yellow": 0, "days_reported": 2}
    # September 30 did not report it: the change is against the 15th's 1 %; 2.0 % is exactly the yellow edge.
    assert october["metrics"]["cancel_rate"] == {
        "month_end": 0.02, "worst": 0.02, "colour": "yellow", "change": 0.01,
        "days_red": 0, "days_yellow": 1, "days_reported": 2}


def test_a_policy_count_is_red_on_the_days_it_rose_and_yellow_while_it_stays(october):
    # 0 (green), 1 (risen from 0: red), 1, 1 (yellow), 2 (risen: red), 2 (yellow).
    assert october["metrics"]["ip_complaints"] == {
        "month_end": 2, "worst": 2, "colour": "yellow", "change": 2,
        "days_red": 2, "days_yellow": 3, "days_reported": 6}


def test_a_status_and_the_warnings_have_a_worst_day_but_no_change(october):
    assert october["metrics"]["account_status"] == {
        "month_end": "NORMAL", "worst": "AT_RISK", "colour": "green", "change": None,
        "days_red": 1, "days_yellow": 0, "days_reported": 6}
    bad = [{"type": "spammingSellerMessaging", "status": "BAD"}]
    assert october["metrics"]["warning_states"] == {
        "month_end": bad, "worst": bad, "colour": "red", "change": None,
        "days_red": 1, "days_yellow": 0, "days_reported": 1}


def test_a_metric_never_reported_is_no_data_and_every_metric_of_the_vocabulary_is_there(october):
    assert list(october["metrics"]) == list(metrics.KEYS)
    assert october["metrics"]["odr_mfn"] == {
        "month_end": None, "worst": None, "colour": "no_data", "change": None,
        "days_red": 0, "days_yellow": 0, "days_reported": 0}


def test_the_ahr_and_the_metrics_red_at_month_end(october):
    assert october["ahr"] == {"month_end": 260, "lowest": 90}
    assert october["red_metrics"] == ["valid_tracking_rate", "warning_states"]


def test_alerts_by_rule_with_the_months_bounds_in_the_agencys_time_zone(october):
    assert october["alerts"] == {
        "opened": {"late_shipment_rate": 1, "ip_complaints": 1},
        "resolved": {"late_shipment_rate": 2},
        "open_at_month_end": {"ip_complaints": 1, "account_status": 1},
    }


def test_cases_opened_resolved_and_waiting_for_amazon_more_than_24_hours_at_month_end(october):
    assert october["cases"] == {"opened": 3, "resolved": 2, "waiting_over_24h": 1}


def test_chats_used_invalid_and_the_days_the_channel_was_frozen(october):
    # Frozen 1–5 October (from September), 10–12 (lifted on the 12th), 28–31 (until 4 November): 12 days.
    assert october["chats"] == {"used": 6, "invalid": 4, "days_frozen": 12}


def test_the_appeal_kit_is_judged_as_of_the_months_last_day(october):
    documents = october["documents"]
    assert documents["missing"] == [types.BUSINESS_LICENCE]
    assert [(found["title"], found["type"]) for found in documents["expiring"]] == [
        ("Passport", types.LEGAL_REPRESENTATIVE_ID)]
    assert [(found["title"], found["type"]) for found in documents["stale"]] == [
        ("Power bill", types.ADDRESS_PROOF)]
    assert all(isinstance(found["id"], int) for found in documents["expiring"] + documents["stale"])


def test_the_summary_is_json_ready_and_kept_as_is_by_a_review(agency_a, store, october):
    assert json.loads(json.dumps(october)) == october
    datetime.datetime.fromisoformat(october["computed_at"])
    review = StoreReviewFactory(store=store, summary=october)
    with scopes_disabled():
        assert StoreReview.objects.get(pk=review.pk).summary == october


def test_a_store_without_snapshots_or_activity_has_no_data_and_nothing_counted(agency_a, store):
    with agency_a.scope():
        found = month_summaries(agency=agency_a.agency, store_ids=[store.pk], month=OCTOBER)[store.pk]
    assert {figures["colour"] for figures in found["metrics"].values()} == {"no_data"}
    assert {figures["days_reported"] for figures in found["metrics"].values()} == {0}
    assert found["ahr"] == {"month_end": None, "lowest": None}
    assert found["alerts"] == {"opened": {}, "resolved": {}, "open_at_month_end": {}}
    assert found["cases"] == {"opened": 0, "resolved": 0, "waiting_over_24h": 0}
    assert found["chats"] == {"used": 0, "invalid": 0, "days_frozen": 0}
    assert found["documents"]["missing"] == list(types.DEFAULT_APPEAL_KIT)
    assert found["red_metrics"] == []


def test_another_agencys_store_finds_none_of_its_data(agency_a, agency_b):
    theirs = agency_b.assigned_store
    snapshot(theirs, datetime.date(2026, 10, 5), ahr_score=50)
    alert(theirs, "ahr_score", first_seen_at=at(10, 5))
    with agency_a.scope():
        found = month_summaries(agency=agency_a.agency, store_ids=[theirs.pk], month=OCTOBER)[theirs.pk]
    assert found["metrics"]["ahr_score"]["days_reported"] == 0
    assert found["alerts"]["opened"] == {}


def test_the_number_of_queries_does_not_grow_with_the_number_of_stores(agency_a):
    def queries_for(count):
        stores = [StoreFactory(agency=agency_a.agency, client=agency_a.client) for _n in range(count)]
        for found in stores:
            snapshot(found, datetime.date(2026, 10, 5), ahr_score=150, ip_complaints=1)
            snapshot(found, datetime.date(2026, 9, 30), ahr_score=300, ip_complaints=0)
            alert(found, "ahr_score", first_seen_at=at(10, 5))
            SupportCaseFactory(store=found, opened_at=at(10, 6), waiting_since=at(10, 6))
            ChatSessionFactory(store=found, requested_at=at(10, 7), outcome="invalid")
            make_document(agency_a, store=found, type_code=types.ADDRESS_PROOF, issued_on=datetime.date(2026, 9, 1),
                          title=f"Bill {found.pk}")
        with agency_a.scope(), CaptureQueriesContext(connection) as captured:
            found = month_summaries(agency=agency_a.agency, store_ids=[s.pk for s in stores], month=OCTOBER)
        assert len(found) == count
        assert all(summary["metrics"]["ahr_score"]["days_yellow"] == 1 for summary in found.values())
        return len(captured)

    assert queries_for(2) == queries_for(20)


# -- the pure parts -----------------------------------------------------------------------------------------------
def test_the_month_runs_from_midnight_on_the_first_in_the_agencys_time_zone():
    start, end = calendar.month_bounds(OCTOBER, "Asia/Shanghai")
    assert start == datetime.datetime(2026, 9, 30, 16, tzinfo=datetime.UTC)
    assert end == datetime.datetime(2026, 10, 31, 16, tzinfo=datetime.UTC)
    start, end = calendar.month_bounds(datetime.date(2026, 2, 1), "America/Los_Angeles")
    assert (start.utcoffset(), end.utcoffset()) == (datetime.timedelta(hours=-8), datetime.timedelta(hours=-8))
    assert len(calendar.days_of(datetime.date(2026, 2, 1))) == 28
    assert calendar.previous_month(datetime.date(2026, 1, 1)) == datetime.date(2025, 12, 1)


def test_a_freeze_counts_every_day_it_touched_and_a_lift_ends_it():
    rules = ChatRules()
    chats = [(at(10, 3, 15), "invalid"), (at(10, 3, 16), "invalid")]  # frozen 3 October 16:00 → 10 October 16:00
    assert calendar.days_frozen(rules=rules, chats=chats, lifts=[], month=OCTOBER, time_zone="Asia/Shanghai") == 8
    assert calendar.days_frozen(rules=rules, chats=chats, lifts=[at(10, 4, 8)], month=OCTOBER,
                                time_zone="Asia/Shanghai") == 2
    valid_between = [(at(10, 3, 15), "invalid"), (at(10, 3, 15, 30), "resolved"), (at(10, 3, 16), "invalid")]
    assert calendar.days_frozen(rules=rules, chats=valid_between, lifts=[], month=OCTOBER,
                                time_zone="Asia/Shanghai") == 0


def test_a_month_with_the_same_value_every_day_judges_it_once():
    judge = DayJudge(Thresholds())
    values = [0.035] * 20 + [None] * 11 + [0.01, 0.05]
    found = metric_months("late_shipment_rate", [7] * 31 + [8] * 2, values, judge=judge, before={7: 0.035})
    assert found[7] == {"month_end": 0.035, "worst": 0.035, "colour": "yellow", "change": 0.0, "days_red": 0,
                        "days_yellow": 20, "days_reported": 20}
    assert found[8] == {"month_end": 0.05, "worst": 0.05, "colour": "red", "change": None, "days_red": 1,
                        "days_yellow": 0, "days_reported": 2}
    assert len(judge._colours) == 3


def test_a_policy_counts_first_day_is_judged_against_the_previous_months_last_count():
    judge = DayJudge(Thresholds())
    found = metric_months("ip_complaints", [1, 1, 2, 2], [1, 1, 1, 1], judge=judge, before={1: 1})
    assert (found[1]["days_red"], found[1]["days_yellow"]) == (0, 2)  # known, not risen
    assert (found[2]["days_red"], found[2]["days_yellow"]) == (1, 1)  # seen first: news
