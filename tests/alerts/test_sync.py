"""After every evaluation the evaluated stores' alerts are opened, updated and resolved (``alerts.services
.alerts_sync``, through ``accounts.extensions.health_evaluated``): one open alert per store and rule, enforced by the
database; a repeat updates it; a recovery resolves it; a later breach is a new episode."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tenancy import Caller
from alerts import rules, selectors, services
from alerts.models import Alert, AlertMute, AlertPolicy, AlertTransition
from health import services as health_services
from health.models import Source
from tests.factories import StoreFactory

LSR = "late_shipment_rate"


@pytest.fixture
def a(agency_a):
    with agency_a.scope():
        yield agency_a


def day(days_ago):
    return (datetime.date.today() - datetime.timedelta(days=days_ago)).isoformat()


def report(persona, store, days_ago=2, **values):
    """One day of ``store``'s metrics ingested and evaluated, as the ERP's batch and its evaluation task do."""
    health_services.snapshots_upsert(agency=persona.agency, source=Source.API,
                                     rows=[{"store": store.pk, "date": day(days_ago), **values}])
    health_services.store_health_evaluate(agency=persona.agency, store_ids=[store.pk])


def alerts_of(store, rule=LSR):
    return list(Alert.objects.filter(agency=store.agency, store=store, rule=rule).order_by("pk"))


def policy(persona, **numbers):
    row, _created = AlertPolicy.objects.get_or_create(agency=persona.agency)
    for name, value in numbers.items():
        setattr(row, name, value)
    row.save()


# -- opening and updating --------------------------------------------------------------------------------------
def test_a_red_metric_opens_one_alert_with_its_value_target_kind_and_due_time(a):
    before = timezone.now()
    report(a, a.assigned_store, late_shipment_rate=0.046)

    [alert] = alerts_of(a.assigned_store)
    assert (alert.status, alert.severity, alert.kind) == (Alert.Status.OPEN, "red", rules.AlertKind.METRIC)
    assert (alert.opened_value, alert.opened_target) == (0.046, 0.04)
    assert before + datetime.timedelta(hours=72) <= alert.due_at <= timezone.now() + datetime.timedelta(hours=72)
    [opened] = AlertTransition.objects.filter(alert=alert)
    assert (opened.from_status, opened.to_status, opened.actor, opened.api_key) == ("", "open", None, None)


def test_an_account_status_alert_is_due_in_24_hours(a):
    report(a, a.assigned_store, account_status="AT_RISK")

    [alert] = alerts_of(a.assigned_store, rule="account_status")
    assert alert.kind == rules.AlertKind.ACCOUNT_STATUS
    assert alert.due_at - alert.first_seen_at == datetime.timedelta(hours=24)


def test_the_same_evaluation_twice_still_gives_one_alert(a):
    report(a, a.assigned_store, late_shipment_rate=0.046)
    health_services.store_health_evaluate(agency=a.agency, store_ids=[a.assigned_store.pk])

    assert len(alerts_of(a.assigned_store)) == 1
    assert AlertTransition.objects.filter(alert__store=a.assigned_store).count() == 1


def test_a_repeat_updates_the_open_alert_with_its_latest_value_and_keeps_what_it_opened_with(a):
    report(a, a.assigned_store, days_ago=3, late_shipment_rate=0.046)
    report(a, a.assigned_store, days_ago=2, late_shipment_rate=0.07)

    [alert] = alerts_of(a.assigned_store)
    assert (alert.opened_value, alert.latest_value) == (0.046, 0.07)
    assert alert.last_seen_at >= alert.first_seen_at


def test_the_database_refuses_a_second_open_alert_for_one_store_and_rule(a):
    report(a, a.assigned_store, late_shipment_rate=0.046)
    [alert] = alerts_of(a.assigned_store)

    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(agency=a.agency, store=a.assigned_store, rule=LSR, kind=alert.kind, severity="red",
                             first_seen_at=timezone.now(), last_seen_at=timezone.now(), due_at=timezone.now())


# -- recovery ----------------------------------------------------------------------------------------------------
def test_a_green_evaluation_resolves_the_alert_and_records_that_the_product_did(a):
    report(a, a.assigned_store, days_ago=3, late_shipment_rate=0.046)
    report(a, a.assigned_store, days_ago=2, late_shipment_rate=0.01)

    [alert] = alerts_of(a.assigned_store)
    assert alert.status == Alert.Status.RESOLVED and alert.resolved_at is not None
    resolved = AlertTransition.objects.get(alert=alert, to_status="resolved")
    assert (resolved.from_status, resolved.actor, resolved.api_key) == ("open", None, None)
    assert resolved.reason == "已恢复：连续 1 次评估为绿色。"  # in the agency's language, which its staff read


def test_with_two_greens_asked_the_first_green_keeps_the_alert_open_and_the_second_resolves_it(a):
    policy(a, resolve_after_green=2)
    report(a, a.assigned_store, days_ago=4, late_shipment_rate=0.046)
    report(a, a.assigned_store, days_ago=3, late_shipment_rate=0.01)
    assert alerts_of(a.assigned_store)[0].status == Alert.Status.OPEN

    report(a, a.assigned_store, days_ago=2, late_shipment_rate=0.01)
    assert alerts_of(a.assigned_store)[0].status == Alert.Status.RESOLVED


def test_the_same_green_day_evaluated_again_counts_once_towards_recovery(a):
    policy(a, resolve_after_green=2)
    report(a, a.assigned_store, days_ago=4, late_shipment_rate=0.046)
    report(a, a.assigned_store, days_ago=3, late_shipment_rate=0.01)

    for _sweep in range(2):  # the daily sweep, a policy change: the same snapshot evaluated again
        health_services.store_health_evaluate(agency=a.agency, store_ids=[a.assigned_store.pk])
    [alert] = alerts_of(a.assigned_store)
    assert (alert.status, alert.green_streak, alert.green_day) == (Alert.Status.OPEN, 1, datetime.date.fromisoformat(
        day(3)))

    report(a, a.assigned_store, days_ago=2, late_shipment_rate=0.01)  # the next green day
    assert alerts_of(a.assigned_store)[0].status == Alert.Status.RESOLVED


def test_a_mute_set_on_an_open_alert_mutes_it_at_once_and_its_end_unmutes_it(a):
    owner = Caller.person(agency=a.agency, user=a.owner, role="owner")
    report(a, a.assigned_store, late_shipment_rate=0.046)
    mute = services.alert_mute(agency=a.agency, caller=owner, store=a.assigned_store, rule=LSR,
                               until=a.agency.today() + datetime.timedelta(days=2), reason="Carrier strike")
    [alert] = alerts_of(a.assigned_store)
    assert (alert.muted, alert.notice_due) == (True, ""), "muted, and its email waits no more"

    services.alert_unmute(agency=a.agency, caller=owner, mute=mute)
    alert.refresh_from_db()
    assert not alert.muted


def test_an_alert_opened_during_a_mute_is_live_again_at_the_first_evaluation_after_the_mute_ended(a):
    owner = Caller.person(agency=a.agency, user=a.owner, role="owner")
    mute = services.alert_mute(agency=a.agency, caller=owner, store=a.assigned_store, rule=LSR,
                               until=a.agency.today(), reason="Carrier strike")
    report(a, a.assigned_store, days_ago=3, late_shipment_rate=0.046)
    assert alerts_of(a.assigned_store)[0].muted

    AlertMute.objects.filter(pk=mute.pk).update(until=a.agency.today() - datetime.timedelta(days=1))  # it ended
    report(a, a.assigned_store, days_ago=2, late_shipment_rate=0.05)
    assert not alerts_of(a.assigned_store)[0].muted


def test_a_yellow_alert_that_turns_red_waits_for_the_new_red_alert_email(a):
    policy(a, alert_on_yellow=True)
    report(a, a.assigned_store, days_ago=3, late_shipment_rate=0.035)
    [alert] = alerts_of(a.assigned_store)
    assert (alert.severity, alert.notice_due) == ("yellow", "")

    report(a, a.assigned_store, days_ago=2, late_shipment_rate=0.046)
    alert.refresh_from_db()
    assert (alert.severity, alert.notice_due) == ("red", Alert.Notice.NEW)


def test_a_breach_after_a_recovery_is_a_new_episode(a):
    report(a, a.assigned_store, days_ago=4, late_shipment_rate=0.046)
    report(a, a.assigned_store, days_ago=3, late_shipment_rate=0.01)
    report(a, a.assigned_store, days_ago=2, late_shipment_rate=0.05)

    first, second = alerts_of(a.assigned_store)
    assert (first.status, second.status) == (Alert.Status.RESOLVED, Alert.Status.OPEN)


# -- yellow and mutes ---------------------------------------------------------------------------------------------
def test_yellow_opens_an_alert_only_when_the_agency_asks(a):
    report(a, a.assigned_store, days_ago=3, late_shipment_rate=0.035)
    assert alerts_of(a.assigned_store) == []

    policy(a, alert_on_yellow=True)
    report(a, a.assigned_store, days_ago=2, late_shipment_rate=0.035)
    [alert] = alerts_of(a.assigned_store)
    assert alert.severity == "yellow"


def test_a_muted_rule_still_records_its_alert_marked_muted(a):
    owner = Caller.person(agency=a.agency, user=a.owner, role="owner")
    services.alert_mute(agency=a.agency, caller=owner, store=a.assigned_store, rule=LSR,
                        until=a.agency.today() + datetime.timedelta(days=3), reason="Carrier strike, known")
    report(a, a.assigned_store, late_shipment_rate=0.046)
    report(a, a.other_store, late_shipment_rate=0.046)

    assert [alert.muted for alert in alerts_of(a.assigned_store)] == [True]
    assert [alert.muted for alert in alerts_of(a.other_store)] == [False]


# -- sets ---------------------------------------------------------------------------------------------------------
def test_the_sync_reads_and_writes_in_the_same_number_of_queries_for_10_and_for_40_stores(a):
    def queries_for(count):
        stores = [StoreFactory(agency=a.agency, client=a.client) for _ in range(count)]
        health_services.snapshots_upsert(agency=a.agency, source=Source.API, rows=[
            {"store": store.pk, "date": day(2), "late_shipment_rate": 0.046} for store in stores])
        with CaptureQueriesContext(connection) as captured:
            health_services.store_health_evaluate(agency=a.agency, store_ids=[store.pk for store in stores])
        assert Alert.objects.filter(store__in=stores).count() == count
        return len(captured)

    assert queries_for(10) == queries_for(40)


def test_another_agencys_evaluation_leaves_this_agencys_alerts_alone(a, agency_b):
    report(a, a.assigned_store, late_shipment_rate=0.046)
    with agency_b.scope():
        report(agency_b, agency_b.assigned_store, late_shipment_rate=0.01)

    assert alerts_of(a.assigned_store)[0].status == Alert.Status.OPEN
    assert selectors.open_alerts_of(agency=agency_b.agency, store_ids=[a.assigned_store.pk]) == {}
