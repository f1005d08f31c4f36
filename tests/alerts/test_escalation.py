"""Escalation: an alert nobody acknowledged within the agency's escalation delay is escalated ONCE to the managers,
by the periodic task, in one email per manager; of two workers only one escalates an alert (a conditional update of
``escalated_at`` that must return 1); an escalation a worker claimed but could not send is sent by the next round."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tenancy import Caller
from alerts import labels, selectors, services, tasks
from alerts.models import Alert, AlertPolicy, SentNotification
from alerts.notifications import delivery, escalation
from alerts.rules import AlertKind

SITE = "https://ops.example.com"


@pytest.fixture
def a(agency_a, settings):
    settings.SITE_URL = SITE
    for person in agency_a.staff.values():
        person.language = "en"
        person.save(update_fields=["language"])
    with agency_a.scope():
        yield agency_a


def open_alert(persona, store, *, hours_ago, rule="late_shipment_rate", muted=False):
    opened = timezone.now() - datetime.timedelta(hours=hours_ago)
    return Alert.objects.create(
        agency=persona.agency, store=store, rule=rule, kind=AlertKind.METRIC, severity="red", first_seen_at=opened,
        last_seen_at=opened, opened_value=0.046, opened_target=0.04, latest_value=0.046, latest_target=0.04,
        due_at=opened + datetime.timedelta(hours=72), muted=muted)


def recipients_of(outbox):
    return sorted(message.to[0] for message in outbox)


def test_an_alert_nobody_acknowledged_in_time_is_escalated_once_to_the_managers_in_one_email_each(a, mailoutbox):
    late = open_alert(a, a.assigned_store, hours_ago=25)
    also_late = open_alert(a, a.other_store, hours_ago=30, rule="odr_mfn")
    recent = open_alert(a, a.assigned_store, hours_ago=23, rule="cancel_rate")

    escalation.escalations_notify(agency=a.agency)
    escalation.escalations_notify(agency=a.agency)

    assert recipients_of(mailoutbox) == sorted([a.owner.email, a.manager.email])  # not the operator
    [message] = [message for message in mailoutbox if message.to == [a.manager.email]]
    assert message.subject == f"[{a.agency.name}] Escalated: 2 alert(s) nobody acknowledged within 24 hours"
    for alert in (late, also_late):
        assert SITE + reverse("admin:alerts_alert_change", args=[alert.pk]) in message.body
    assert message.alternatives[0][1] == "text/html"
    late.refresh_from_db(), recent.refresh_from_db()
    assert late.escalated_at is not None and recent.escalated_at is None


def test_acknowledged_muted_and_young_alerts_are_not_escalated_and_the_delay_is_the_agencys(a, mailoutbox):
    AlertPolicy.objects.update_or_create(agency=a.agency, defaults={"escalate_after_hours": 4})
    acknowledged = open_alert(a, a.assigned_store, hours_ago=10)
    services.alert_acknowledge(agency=a.agency, caller=Caller.person(agency=a.agency, user=a.operator,
                                                                       role="operator"), alert=acknowledged)
    open_alert(a, a.assigned_store, hours_ago=10, rule="odr_mfn", muted=True)
    young = open_alert(a, a.other_store, hours_ago=3)

    escalation.escalations_notify(agency=a.agency)
    assert mailoutbox == []

    escalation.escalations_notify(agency=a.agency, now=timezone.now() + datetime.timedelta(hours=1, minutes=1))
    young.refresh_from_db()
    assert young.escalated_at is not None and len(mailoutbox) == 2


def test_the_same_round_run_twice_escalates_each_alert_once(a, mailoutbox):
    open_alert(a, a.assigned_store, hours_ago=25)
    now = timezone.now()

    first = escalation.escalations_notify(agency=a.agency, now=now)
    second = escalation.escalations_notify(agency=a.agency, now=now)

    assert len(first.sent) == 2 and second.counts() == delivery.Delivery().counts()
    assert len(mailoutbox) == 2
    assert SentNotification.objects.filter(agency=a.agency, kind="escalation").count() == 2


def test_the_periodic_task_escalates_where_it_is_due_and_sends_what_a_dead_worker_left(
        a, agency_b, mailoutbox, django_capture_on_commit_callbacks):
    with agency_b.scope():
        open_alert(agency_b, agency_b.assigned_store, hours_ago=2)  # not overdue in agency B
    open_alert(a, a.assigned_store, hours_ago=25)
    # A worker claimed the alert and wrote its emails, then died before sending them.
    claimed, rows = escalation.alerts_escalate(agency=a.agency)
    assert len(claimed) == 1 and {row.status for row in rows} == {"pending"}
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        tasks.escalate_all_agencies()
    assert mailoutbox == [], "pending rows this young may still be sent by the attempt that wrote them"

    SentNotification.objects.filter(pk__in=[row.pk for row in rows]).update(
        created_at=timezone.now() - delivery.SENDING_LEASE - datetime.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.escalate_all_agencies() == 1  # agency A only: nothing overdue nor unsent in B
    assert recipients_of(mailoutbox) == sorted([a.owner.email, a.manager.email])

    with django_capture_on_commit_callbacks(execute=True):
        tasks.escalate_all_agencies()
    assert len(mailoutbox) == 2


def test_an_escalated_alert_is_overdue_in_the_inbox_before_its_due_time_until_acknowledged(a, mailoutbox):
    late = open_alert(a, a.assigned_store, hours_ago=25)  # due at 72 hours, escalated at 24
    young = open_alert(a, a.other_store, hours_ago=2)
    assert list(selectors.overdue(Alert.objects.filter(agency=a.agency))) == []

    escalation.escalations_notify(agency=a.agency)

    assert list(selectors.overdue(Alert.objects.filter(agency=a.agency))) == [late]
    late.refresh_from_db()
    assert labels.is_overdue(late) and not labels.is_overdue(young)
    services.alert_acknowledge(agency=a.agency, caller=Caller.person(agency=a.agency, user=a.owner, role="owner"),
                               alert=late)
    assert list(selectors.overdue(Alert.objects.filter(agency=a.agency))) == []
