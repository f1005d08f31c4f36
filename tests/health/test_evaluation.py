"""Evaluation: every store's health from its latest snapshot, written as ``StoreHealth`` in sets, queued after
commits and swept daily."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from accounts.models import Store
from health import services, tasks
from health.models import HealthPolicy, HealthSnapshot, Source, StoreHealth
from health.thresholds import Colour
from tests.factories import AgencyFactory, ClientFactory, StoreFactory
from tests.health.factories import HealthSnapshotFactory

TODAY = datetime.date(2025, 3, 20)


def day(offset):
    return TODAY - datetime.timedelta(days=offset)


def snapshot(store, offset=0, **values):
    return HealthSnapshotFactory(store=store, date=day(offset), **values)


def evaluate(persona, *stores):
    with persona.scope():
        services.store_health_evaluate(agency=persona.agency, store_ids=[store.pk for store in stores])


def health_of(store):
    with scopes_disabled():
        return StoreHealth.objects.get(store=store)


def test_a_store_past_a_target_is_red_with_its_worst_metric_and_counts(agency_a):
    store = agency_a.assigned_store
    snapshot(store, 1, late_shipment_rate=0.01)
    snapshot(store, 0, late_shipment_rate=0.046, cancel_rate=0.021, ahr_score=180)

    evaluate(agency_a, store)

    health = health_of(store)
    assert (health.date, health.colour, health.worst_metric) == (TODAY, Colour.RED, "late_shipment_rate")
    assert (health.red_count, health.yellow_count, health.ahr_score) == (1, 2, 180)
    assert health.evaluations["late_shipment_rate"]["colour"] == Colour.RED
    assert health.evaluations["odr_afn"]["colour"] == Colour.NO_DATA
    assert set(health.evaluations) == set(HealthSnapshot().values())


def test_a_store_without_snapshots_gets_no_data_and_one_that_lost_them_goes_back_to_no_data(agency_a):
    store = agency_a.other_store
    evaluate(agency_a, store)
    assert (health_of(store).colour, health_of(store).date, health_of(store).evaluations) == (
        Colour.NO_DATA, None, {})

    snapshot(store, 0, account_status="AT_RISK")
    evaluate(agency_a, store)
    assert health_of(store).colour == Colour.RED
    with scopes_disabled():
        HealthSnapshot.objects.filter(store=store).delete()
    evaluate(agency_a, store)
    assert (health_of(store).colour, health_of(store).worst_metric) == (Colour.NO_DATA, "")


def test_a_policy_count_is_compared_with_the_latest_earlier_snapshot_that_has_it(agency_a):
    """A day without the count (no data) is skipped, not read as zero."""
    store = agency_a.assigned_store
    snapshot(store, 2, ip_complaints=1)
    snapshot(store, 1, ip_complaints=None)
    latest = snapshot(store, 0, ip_complaints=1)
    evaluate(agency_a, store)
    assert health_of(store).evaluations["ip_complaints"]["colour"] == Colour.YELLOW
    assert health_of(store).evaluations["ip_complaints"]["previous"] == 1

    with scopes_disabled():
        HealthSnapshot.objects.filter(pk=latest.pk).update(ip_complaints=2)
    evaluate(agency_a, store)
    assert health_of(store).colour == Colour.RED
    assert health_of(store).worst_metric == "ip_complaints"


def test_a_count_seen_for_the_first_time_is_red(agency_a):
    store = agency_a.assigned_store
    snapshot(store, 0, listing_policy_violations=3)
    evaluate(agency_a, store)
    assert health_of(store).evaluations["listing_policy_violations"]["colour"] == Colour.RED
    assert health_of(store).evaluations["listing_policy_violations"]["previous"] is None


def test_the_trend_compares_with_the_latest_snapshot_at_least_a_week_older(agency_a):
    store = agency_a.assigned_store
    snapshot(store, 10, account_status="DEACTIVATED", ahr_score=90)
    snapshot(store, 8, ahr_score=150)
    snapshot(store, 6, ahr_score=210)  # less than a week before the latest: not last week's
    snapshot(store, 0, ahr_score=250)

    evaluate(agency_a, store)

    health = health_of(store)
    assert (health.week_ago_date, health.week_ago_colour, health.week_ago_ahr_score) == (
        day(8), Colour.YELLOW, 150)
    assert health.colour == Colour.GREEN


def test_a_store_with_one_recent_snapshot_has_no_trend(agency_a):
    store = agency_a.assigned_store
    snapshot(store, 3)
    snapshot(store, 0)
    evaluate(agency_a, store)
    assert (health_of(store).week_ago_date, health_of(store).week_ago_colour) == (None, Colour.NO_DATA)


def test_the_agencys_policy_applies_and_the_reports_own_target_wins_for_its_day(agency_a):
    store, other = agency_a.assigned_store, agency_a.other_store
    with agency_a.scope():
        HealthPolicy.objects.create(agency=agency_a.agency, late_shipment_rate_target=0.02)
    snapshot(store, 0, late_shipment_rate=0.025)
    snapshot(other, 0, late_shipment_rate=0.025,
             report_targets={"late_shipment_rate": {"target": 0.04, "condition": "LESS_THAN", "status": "GOOD"}})

    evaluate(agency_a, store, other)

    assert health_of(store).colour == Colour.RED
    assert health_of(store).evaluations["late_shipment_rate"]["target"]["value"] == 0.02
    assert health_of(other).colour == Colour.GREEN
    assert health_of(other).evaluations["late_shipment_rate"]["target"]["from_report"] is True


def test_evaluating_twice_writes_the_same_rows_once(agency_a):
    store = agency_a.assigned_store
    snapshot(store, 0, odr_mfn=0.02)
    evaluate(agency_a, store, agency_a.other_store)
    with scopes_disabled():
        first = sorted(StoreHealth.objects.values_list("store_id", "colour", "worst_metric", "date"))
    evaluate(agency_a, store, agency_a.other_store)
    with scopes_disabled():
        assert sorted(StoreHealth.objects.values_list("store_id", "colour", "worst_metric", "date")) == first
        assert StoreHealth.objects.count() == 2


def test_another_agencys_store_ids_are_left_alone(agency_a, agency_b):
    snapshot(agency_b.assigned_store, 0, odr_mfn=0.5)
    evaluate(agency_a, agency_a.assigned_store, agency_b.assigned_store)
    with scopes_disabled():
        assert list(StoreHealth.objects.values_list("store_id", flat=True)) == [agency_a.assigned_store.pk]


def test_evaluating_500_stores_takes_as_many_queries_as_evaluating_5(agency_a):
    agency = agency_a.agency
    client = ClientFactory(agency=agency)
    stores = [StoreFactory(agency=agency, client=client) for _ in range(500)]
    with scopes_disabled():
        HealthSnapshot.objects.bulk_create([
            HealthSnapshot(agency=agency, store=store, date=day(offset), source=Source.API,
                           received_at=datetime.datetime(2025, 3, 20, tzinfo=datetime.UTC),
                           late_shipment_rate=0.01 * (number % 6), ip_complaints=number % 3)
            for number, store in enumerate(stores) for offset in (0, 8)])

    def queries(some):
        with agency_a.scope(), CaptureQueriesContext(connection) as captured:
            services.store_health_evaluate(agency=agency, store_ids=[store.pk for store in some])
        return len(captured)

    # Stores never evaluated before, both times (an evaluation that finds open alerts also updates them).
    few, many = queries(stores[:5]), queries(stores[5:])
    assert few == many <= 16  # the evaluation's own 6, and the alerts it opens (alerts.services.alerts_sync)
    with scopes_disabled():
        assert StoreHealth.objects.count() == 500
        assert StoreHealth.objects.filter(colour=Colour.RED).count() > 0
        assert StoreHealth.objects.exclude(week_ago_date=day(8)).count() == 0


# -- tasks ---------------------------------------------------------------------------------------------------
def test_queued_evaluation_runs_after_commit_in_chunks_of_500(agency_a, django_capture_on_commit_callbacks):
    assert [len(chunk) for chunk in tasks.chunks(range(1201))] == [500, 500, 201]
    snapshot(agency_a.assigned_store, 0, account_status="DEACTIVATED")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.queue_evaluation(agency=agency_a.agency, store_ids=[agency_a.assigned_store.pk] * 3 + list(
            range(10**6, 10**6 + 600)))
    assert len(callbacks) == 2
    with scopes_disabled():
        assert not StoreHealth.objects.exists()  # nothing before the commit

    for callback in callbacks:
        callback()
    assert health_of(agency_a.assigned_store).colour == Colour.RED


def test_ingesting_a_batch_evaluates_the_stores_it_changed(agency_a, django_capture_on_commit_callbacks):
    rows = [{"store": agency_a.assigned_store.pk, "date": str(day(0)), "late_shipment_rate": 0.05}]
    with agency_a.scope(), django_capture_on_commit_callbacks(execute=True):
        services.snapshots_upsert(agency=agency_a.agency, rows=rows, source=Source.API)
    assert health_of(agency_a.assigned_store).colour == Colour.RED
    with scopes_disabled():
        assert not StoreHealth.objects.filter(store=agency_a.other_store).exists()


def test_the_daily_sweep_evaluates_every_store_of_every_active_agency(agency_a, agency_b,
                                                                     django_capture_on_commit_callbacks):
    closed = AgencyFactory(slug="closed", is_active=False)
    closed_store = StoreFactory(agency=closed)
    snapshot(agency_b.other_store, 0, odr_afn=0.02)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_all_agencies() >= 2

    with scopes_disabled():
        evaluated = set(StoreHealth.objects.values_list("store_id", flat=True))
        expected = set(Store.objects.filter(agency__is_active=True).values_list("pk", flat=True))
    assert evaluated == expected
    assert closed_store.pk not in evaluated
    assert health_of(agency_b.other_store).colour == Colour.RED


def test_the_sweep_is_scheduled_daily(settings):
    assert settings.CELERY_BEAT_SCHEDULE["health.sweep"]["task"] == "health.tasks.sweep_all_agencies"


def test_an_evaluation_for_an_inactive_agency_does_nothing(db):
    closed = AgencyFactory(slug="gone", is_active=False)
    store = StoreFactory(agency=closed)
    assert tasks.evaluate_stores.apply(kwargs={"agency_id": closed.pk, "store_ids": [store.pk]}).get() is None
    with scopes_disabled():
        assert not StoreHealth.objects.exists()
