"""The immediate email: the new red alerts of one evaluation go in ONE email per recipient (the store's operators and
the managers, as they subscribed), with an HTML and a plain-text part, in the recipient's language, linking to the
admin pages of the alerts and stores; muted alerts email nobody; the same run twice emails once. And the optional
resolved notices."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership
from accounts.tenancy import Caller
from alerts import services
from alerts.models import Alert, AlertPolicy, NotificationPreference, SentNotification
from alerts.notifications import notices
from alerts.subscriptions import StoreScope
from health import metrics
from health import services as health_services
from health.models import Source
from tests.factories import StoreFactory

SITE = "https://ops.example.com"
LSR = "late_shipment_rate"


@pytest.fixture
def a(agency_a, settings):
    settings.SITE_URL = SITE
    with agency_a.scope():
        yield agency_a


def day(days_ago):
    return (datetime.date.today() - datetime.timedelta(days=days_ago)).isoformat()


def ingest(persona, capture, rows, days_ago=2):
    """A batch of the ERP ingested, then everything queued after its commit run (the evaluation, then the emails), as
    the worker would."""
    with capture(execute=True):
        health_services.snapshots_upsert(agency=persona.agency, source=Source.API,
                                         rows=[{"date": day(days_ago), **row} for row in rows])


def inbox_of(outbox, user):
    return [message for message in outbox if message.to == [user.email]]


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def prefer(persona, user, **choices):
    values = {"immediate": True, "digest": True, "scope": StoreScope.MY_STORES, "resolved": False, **choices}
    NotificationPreference.objects.update_or_create(agency=persona.agency, user=user, defaults=values)


def alert_url(alert):
    return SITE + reverse("admin:alerts_alert_change", args=[alert.pk])


def store_url(store):
    return SITE + reverse("admin:accounts_store_change", args=[store.pk])


# -- one email per recipient ---------------------------------------------------------------------------------------
def test_the_new_red_alerts_of_one_evaluation_go_in_one_email_per_recipient_each_about_their_stores(
        a, mailoutbox, django_capture_on_commit_callbacks):
    ingest(a, django_capture_on_commit_callbacks, [
        {"store": a.assigned_store.pk, "late_shipment_rate": 0.046, "account_status": "AT_RISK"},
        {"store": a.other_store.pk, "late_shipment_rate": 0.05},
    ])

    assert Alert.objects.filter(agency=a.agency, severity="red").count() == 3
    # Owner and manager: every store; the operator: their assigned store; the idle operator and the viewer: nothing.
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [a.owner.email, a.manager.email, a.operator.email])
    [operator_email] = inbox_of(mailoutbox, a.operator)
    assert a.assigned_store.name in operator_email.body and a.other_store.name not in operator_email.body
    [manager_email] = inbox_of(mailoutbox, a.manager)
    assert a.assigned_store.name in manager_email.body and a.other_store.name in manager_email.body
    # In the agency's language (the personas' people chose none): Chinese brackets.
    assert "（3）" in manager_email.subject and "（2）" in operator_email.subject


def test_each_email_has_both_parts_and_absolute_links_to_the_alert_and_the_store(
        a, mailoutbox, django_capture_on_commit_callbacks):
    ingest(a, django_capture_on_commit_callbacks, [{"store": a.assigned_store.pk, "late_shipment_rate": 0.046}])

    [alert] = Alert.objects.filter(agency=a.agency, store=a.assigned_store)
    [message] = inbox_of(mailoutbox, a.operator)
    html = html_of(message)
    assert message.subject.startswith(f"[{a.agency.name}]")
    assert alert_url(alert) in message.body and f'href="{alert_url(alert)}"' in html
    assert store_url(a.assigned_store) in html
    assert "4.6%" in message.body and "4.0%" in message.body  # the value and the target, as people read them
    assert "<table" not in message.body and "<table" in html


def test_each_email_is_in_the_recipients_language_else_the_agencys(a, mailoutbox, django_capture_on_commit_callbacks):
    a.operator.language = "en"
    a.operator.save(update_fields=["language"])
    a.agency.default_language = "zh-hans"
    a.agency.save(update_fields=["default_language"])

    ingest(a, django_capture_on_commit_callbacks, [{"store": a.assigned_store.pk, "late_shipment_rate": 0.046}])

    with translation.override("en"):
        english = str(metrics.metric(LSR).label)
    with translation.override("zh-hans"):
        chinese = str(metrics.metric(LSR).label)
    assert chinese != english
    [operator_email] = inbox_of(mailoutbox, a.operator)  # chose English
    [manager_email] = inbox_of(mailoutbox, a.manager)  # chose nothing: the agency's Chinese
    assert english in operator_email.body and chinese not in operator_email.body
    assert chinese in manager_email.body and chinese in html_of(manager_email)
    assert 'lang="zh-hans"' in html_of(manager_email) and 'lang="en"' in html_of(operator_email)


def test_the_same_evaluation_twice_and_the_same_task_twice_still_email_once(
        a, mailoutbox, django_capture_on_commit_callbacks):
    ingest(a, django_capture_on_commit_callbacks, [{"store": a.assigned_store.pk, "late_shipment_rate": 0.046}])
    sent = len(mailoutbox)
    assert sent == 3

    with django_capture_on_commit_callbacks(execute=True):
        health_services.store_health_evaluate(agency=a.agency, store_ids=[a.assigned_store.pk])
    notices.notices_send(agency=a.agency)  # the task again: nothing waits any more
    rows = list(SentNotification.objects.filter(agency=a.agency, kind="immediate"))
    notices.deliver_rows(agency=a.agency, rows=rows)  # the same rows again: each was sent already

    assert len(mailoutbox) == sent
    assert SentNotification.objects.filter(agency=a.agency, kind="immediate", status="sent").count() == sent


def test_a_yellow_alert_emails_nobody_at_once(a, mailoutbox, django_capture_on_commit_callbacks):
    AlertPolicy.objects.update_or_create(agency=a.agency, defaults={"alert_on_yellow": True})

    ingest(a, django_capture_on_commit_callbacks, [{"store": a.assigned_store.pk, "late_shipment_rate": 0.035}])

    assert Alert.objects.get(agency=a.agency).severity == "yellow"
    assert mailoutbox == []


# -- mutes and preferences -----------------------------------------------------------------------------------------
def test_a_muted_rule_emails_nobody_while_the_other_red_alerts_of_the_run_still_go(
        a, mailoutbox, django_capture_on_commit_callbacks):
    owner = Caller.person(agency=a.agency, user=a.owner, role="owner")
    services.alert_mute(agency=a.agency, caller=owner, store=a.assigned_store, rule=LSR,
                        until=a.agency.today() + datetime.timedelta(days=3), reason="Carrier strike, known")

    ingest(a, django_capture_on_commit_callbacks, [{"store": a.assigned_store.pk, "late_shipment_rate": 0.046}])
    assert Alert.objects.get(agency=a.agency, rule=LSR).muted
    assert mailoutbox == []

    a.operator.language = "en"
    a.operator.save(update_fields=["language"])
    ingest(a, django_capture_on_commit_callbacks, [{"store": a.assigned_store.pk, "account_status": "AT_RISK"}],
           days_ago=1)
    [message] = inbox_of(mailoutbox, a.operator)
    assert "Account status: AT_RISK" in message.body
    assert "4.6%" not in message.body and "Late Shipment Rate" not in message.body


def test_preferences_decide_who_gets_the_email(a, mailoutbox, django_capture_on_commit_callbacks):
    prefer(a, a.operator, immediate=False)  # the store's operator turned them off
    prefer(a, a.manager, scope=StoreScope.MY_STORES)  # a manager with no store of their own
    prefer(a, a.viewer, immediate=True, scope=StoreScope.ALL_STORES)  # a viewer who asked for them
    prefer(a, a.idle_operator, immediate=True, scope=StoreScope.ALL_STORES)  # all stores: still only the ones they see

    ingest(a, django_capture_on_commit_callbacks, [{"store": a.assigned_store.pk, "late_shipment_rate": 0.046}])

    assert sorted(message.to[0] for message in mailoutbox) == sorted([a.owner.email, a.viewer.email])


def test_a_deactivated_member_gets_nothing(a, mailoutbox, django_capture_on_commit_callbacks):
    Membership.objects.filter(agency=a.agency, user=a.manager).update(is_active=False)

    ingest(a, django_capture_on_commit_callbacks, [{"store": a.assigned_store.pk, "late_shipment_rate": 0.046}])

    assert a.manager.email not in [message.to[0] for message in mailoutbox]
    assert a.operator.email in [message.to[0] for message in mailoutbox]


def test_another_agencys_evaluation_emails_none_of_this_agencys_people(
        a, agency_b, mailoutbox, django_capture_on_commit_callbacks):
    with agency_b.scope():
        ingest(agency_b, django_capture_on_commit_callbacks,
               [{"store": agency_b.assigned_store.pk, "late_shipment_rate": 0.046}])

    assert {message.to[0] for message in mailoutbox} == {agency_b.owner.email, agency_b.manager.email,
                                                          agency_b.operator.email}
    assert all(a.assigned_store.name not in message.body for message in mailoutbox)


# -- resolved notices ----------------------------------------------------------------------------------------------
def test_resolved_notices_go_only_when_the_agency_sends_them_and_to_who_kept_them_on(
        a, mailoutbox, django_capture_on_commit_callbacks):
    ingest(a, django_capture_on_commit_callbacks, [{"store": a.assigned_store.pk, "late_shipment_rate": 0.046}],
           days_ago=4)
    ingest(a, django_capture_on_commit_callbacks, [{"store": a.assigned_store.pk, "late_shipment_rate": 0.01}],
           days_ago=3)
    assert Alert.objects.get(agency=a.agency).status == Alert.Status.RESOLVED
    assert not SentNotification.objects.filter(agency=a.agency, kind="resolved").exists()

    AlertPolicy.objects.update_or_create(agency=a.agency, defaults={"resolved_notices": True})
    mailoutbox.clear()
    ingest(a, django_capture_on_commit_callbacks, [{"store": a.assigned_store.pk, "late_shipment_rate": 0.05}],
           days_ago=2)  # a new episode ...
    mailoutbox.clear()
    ingest(a, django_capture_on_commit_callbacks, [{"store": a.assigned_store.pk, "late_shipment_rate": 0.01}],
           days_ago=1)  # ... that recovers

    # Operators keep resolved notices on by default, managers and owners off.
    [message] = mailoutbox
    assert message.to == [a.operator.email]
    resolved = Alert.objects.filter(agency=a.agency, status=Alert.Status.RESOLVED).order_by("-pk").first()
    assert alert_url(resolved) in message.body and html_of(message)


# -- sets ------------------------------------------------------------------------------------------------------------
def test_the_immediate_emails_read_and_write_the_same_number_of_queries_for_3_and_for_12_alerts(a, mailoutbox):
    def queries_for(count):
        now = timezone.now()
        stores = [StoreFactory(agency=a.agency, client=a.client) for _ in range(count)]
        for store in stores:
            Alert.objects.create(agency=a.agency, store=store, rule=LSR, kind="metric", severity="red",
                                 first_seen_at=now, last_seen_at=now, latest_value=0.05, latest_target=0.04,
                                 due_at=now, notice_due=Alert.Notice.NEW)
        with CaptureQueriesContext(connection) as captured:
            done = notices.notices_send(agency=a.agency)
        assert len(done.sent) == 2  # the owner and the manager: none of these stores is the operator's
        return len(captured)

    assert queries_for(3) == queries_for(12)
