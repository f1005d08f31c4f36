"""From an ingest to its email, with real parts: the ERP's red day posted to the API is evaluated by a real Celery
worker on Redis, which opens the alert and queues its email after the commit, then sends it through a real SMTP server
on loopback (aiosmtpd): one alert, exactly one email; the same evaluation run twice (and the email task twice) still
one of each.

The session's worker (``tests/integration/conftest.py``) runs with the test settings, whose mail stays in the worker's
memory, and the tasks it queues itself go to Celery's default queue, which no worker of the test run consumes. So this
module starts a worker of its own, the same way (``Worker``, a queue of its own, the test database), whose mail goes
to the test's SMTP server and whose own tasks stay on its queue.
"""

import os
import subprocess
import sys
import time
import uuid
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from django_scopes import scopes_disabled

from alerts import tasks as alert_tasks
from alerts.models import Alert, NotificationPreference, SentNotification
from health import tasks as health_tasks
from tests.alerts.test_emails import day
from tests.alerts.test_emails_smtp import Mailbox, smtp_server
from tests.integration.conftest import BASE_DIR, Worker, _database_url_of_test_database, celery_sending_to

pytestmark = pytest.mark.integration

BULK = "/api/v1/health/snapshots/bulk/"
DEADLINE = 45  # seconds any condition below may take to come true

#: The worker's entry point: the test settings, with the mail sent to the test's SMTP server and the tasks the worker
#: queues itself (the email after an evaluation) sent to its own queue.
LAUNCHER = """
import os, sys
import django
django.setup()
from django.conf import settings
settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", int(os.environ["ALERT_EMAILS_SMTP_PORT"])
settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
from config.celery_app import app
app.conf.task_default_queue = os.environ["ALERT_EMAILS_QUEUE"]
app.worker_main(["worker", *sys.argv[1:]])
"""


def wait_until(condition, what, deadline=DEADLINE):
    """Poll ``condition`` until it returns something true (returned), or fail after ``deadline`` seconds."""
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"not within {deadline} s: {what}", pytrace=False)


@pytest.fixture
def mail_worker(live_celery, tmp_path):
    """A worker of this test whose mail goes to an SMTP server on loopback; yields ``(worker, mailbox)``."""
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        queue = f"storehealth-alert-emails-{uuid.uuid4().hex[:10]}"
        nodename = f"alert-emails-{uuid.uuid4().hex[:10]}@localhost"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
               "DATABASE_URL": _database_url_of_test_database(), "CELERY_BROKER_URL": live_celery.broker,
               "CELERY_RESULT_BACKEND": live_celery.backend, "CELERY_TASK_ALWAYS_EAGER": "false",
               "PYTHONUNBUFFERED": "1", "ALERT_EMAILS_SMTP_PORT": str(port), "ALERT_EMAILS_QUEUE": queue}
        command = [sys.executable, "-c", LAUNCHER, "--pool=solo", "--loglevel=INFO", "-n", nodename, "-Q", queue,
                   "--without-gossip", "--without-mingle", "--without-heartbeat"]
        log_path = tmp_path / "alert-emails-worker.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        worker = Worker(process=process, broker=live_celery.broker, backend=live_celery.backend, nodename=nodename,
                        queue=queue, log_path=log_path)
        with celery_sending_to(SimpleNamespace(broker=worker.broker, backend=worker.backend, queue=queue)):
            try:
                worker.wait_until_ready()
                yield SimpleNamespace(worker=worker, mailbox=mailbox)
            finally:
                worker.stop()
                worker.delete_queue()


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


def text_and_html(message):
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.get_payload()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    return text.get_payload(decode=True).decode(), html.get_payload(decode=True).decode()


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
    resent = alert_tasks.notify_new_alerts.delay(agency_id=agency_a.agency.pk, alert_ids=[alert.pk])
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
