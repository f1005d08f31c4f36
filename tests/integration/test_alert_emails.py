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

from alerts import tasks as alert_tasks
from alerts.models import Alert, NotificationPreference, SentNotification
from health import tasks as health_tasks
from tests.alerts.test_emails import day
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
