"""From an ingest to its email, with real parts: the ERP's red day posted to the API is evaluated by a real Celery
worker on Redis, which opens the alert and queues its email after the commit, then sends it through a real SMTP server
on loopback (aiosmtpd): one alert, exactly one email; the same evaluation run twice (and the email task twice) still
one of each.

The worker is the test's own (``mail_worker`` of ``tests/integration/conftest.py``): its mail goes to the test's SMTP
server and the tasks it queues itself stay on its queue.
"""

import pytest
from django.conf import settings
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import Store, StoreAssignment
from alerts import tasks as alert_tasks
from alerts.models import Alert, NotificationPreference, SentNotification
from health import tasks as health_tasks
from tests.alerts.test_emails import day
from tests.factories import StoreFactory
from tests.integration.conftest import DEADLINE, text_and_html, wait_until

pytestmark = pytest.mark.integration

BULK = "/api/v1/health/snapshots/bulk/"


def only_the_operator_gets_new_alerts(persona):
    """The store's operator is the one recipient (the owner and the manager turned immediate emails off)."""
    with scopes_disabled():
        for person in (persona.owner, persona.manager):
            NotificationPreference.objects.create(agency=persona.agency, user=person, immediate=False, digest=False)


def sent_log(persona):
    with scopes_disabled():
        return list(SentNotification.objects.filter(agency=persona.agency, kind=SentNotification.Kind.IMMEDIATE))


def alerts_of(store):
    with scopes_disabled():
        return list(Alert.objects.filter(store_id=store.pk))


def test_a_red_snapshot_ingested_through_the_api_gives_one_alert_and_exactly_one_email_even_evaluated_twice(
        mail_worker, agency_a, api_as):
    store, operator = agency_a.assigned_store, agency_a.operator
    only_the_operator_gets_new_alerts(agency_a)

    answer = api_as(agency_a.rw_header).post(BULK, {"snapshots": [
        {"store": store.pk, "date": day(2), "late_shipment_rate": 0.046}]}, format="json")
    assert answer.status_code == 200, answer.content

    wait_until(lambda: mail_worker.mailbox.delivered_to(operator.email), "the alert's email reached the SMTP server")
    wait_until(lambda: [row for row in sent_log(agency_a) if row.status == SentNotification.Status.SENT],
               "the sent-log recorded the email as sent")
    [alert] = alerts_of(store)
    assert (alert.rule, alert.severity, alert.status) == ("late_shipment_rate", "red", Alert.Status.OPEN)

    # The same evaluation again, then the same email task again: nothing opens, nothing is sent twice.
    again = health_tasks.evaluate_stores.delay(agency_id=agency_a.agency.pk, store_ids=[store.pk])
    assert again.get(timeout=DEADLINE) == 1
    resent = alert_tasks.send_alert_notices.delay(agency_id=agency_a.agency.pk)
    assert resent.get(timeout=DEADLINE)["sent"] == 0
    assert resent.id in mail_worker.worker.log(), "the email task ran somewhere other than this test's worker"

    assert [same.pk for same in alerts_of(store)] == [alert.pk]
    [message] = mail_worker.mailbox.delivered
    assert message["To"] == operator.email and len(mail_worker.mailbox.attempts) == 1
    [row] = sent_log(agency_a)
    assert (row.recipient_id, row.status, row.attempts, row.alert_ids) == (operator.pk, "sent", 1, [alert.pk])
    text, html = text_and_html(message)
    link = settings.SITE_URL.rstrip("/") + reverse("admin:alerts_alert_change", args=[alert.pk])
    assert link in text and f'href="{link}"' in html


def test_an_ingest_of_1200_red_stores_evaluated_in_three_chunks_gives_each_recipient_one_email_of_them_all(
        mail_worker, agency_a, api_as):
    """The three evaluations of one ingest queue one email run between them (``alerts.notifications.notices``)."""
    with scopes_disabled():
        stores = Store.objects.bulk_create(StoreFactory.build_batch(1199, agency=agency_a.agency,
                                                                    client=agency_a.client))
        StoreAssignment.objects.create(agency=agency_a.agency, user=agency_a.operator, store=stores[-1])
    stores.append(agency_a.assigned_store)
    answer = api_as(agency_a.rw_header).post(BULK, {"snapshots": [
        {"store": store.pk, "date": day(2), "late_shipment_rate": 0.046} for store in stores]}, format="json")
    assert answer.status_code == 200, answer.content
    wait_until(lambda: len(sent_log(agency_a)) == 3
               and all(row.status == SentNotification.Status.SENT for row in sent_log(agency_a)),
               "the emails of the ingest were sent", deadline=120)

    with scopes_disabled():
        assert Alert.objects.filter(agency=agency_a.agency).count() == 1200
    delivered = mail_worker.mailbox.delivered
    assert sorted(message["To"] for message in delivered) == sorted(
        [agency_a.owner.email, agency_a.manager.email, agency_a.operator.email])
    assert {len(row.alert_ids) for row in sent_log(agency_a) if row.recipient_id != agency_a.operator.pk} == {1200}
    [operator_row] = [row for row in sent_log(agency_a) if row.recipient_id == agency_a.operator.pk]
    assert len(operator_row.alert_ids) == 2, "the operator's two stores, from the first and the last chunk"
    received = [line for line in mail_worker.worker.log().splitlines() if line.endswith("received")]
    assert sum(health_tasks.evaluate_stores.name in line for line in received) == 3
    runs = sum(alert_tasks.send_alert_notices.name in line for line in received)
    assert runs == 1, "the first chunk queued the email run; it ran after the other two (one worker, in order)"
