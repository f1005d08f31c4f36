"""Alert emails through a real SMTP server on loopback (aiosmtpd): a 4xx answer is retried by the task and the email
is then delivered once; a 5xx answer is recorded on the sent-log row and never retried; the retries' waits stay well
under the broker's visibility timeout."""

import email
import smtplib
import socket
import threading
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller

from alerts import tasks
from alerts.models import SentNotification
from alerts.notifications import delivery
from config.celery_app import app as celery_app
from config.settings import base as product_settings
from health import services as health_services
from health.models import Source
from tests.alerts.test_emails import day


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that answers each DATA with the next of ``answers`` (then 250) and keeps what it took."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.attempts = []
        self.delivered = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.attempts.append(tuple(envelope.rcpt_tos))
            if self.answers:
                return self.answers.pop(0)
            self.delivered.append(email.message_from_bytes(envelope.content))
            return "250 Message accepted for delivery"

    def delivered_to(self, address):
        with self._lock:
            return [message for message in self.delivered if message["To"] == address]


@contextmanager
def smtp_server(handler):
    """An SMTP server on a free loopback port, answering with ``handler``; yields its port."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


@pytest.fixture
def a(agency_a):
    with agency_a.scope():
        yield agency_a


@pytest.fixture
def send_through(settings, monkeypatch):
    """``send_through(handler)``: the product's mail goes to a real SMTP server answering with ``handler``. The tasks
    still run in this process, but as a worker runs them: a task's retry runs it again (at once, without its wait)
    instead of raising ``Retry`` to the caller."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)

    @contextmanager
    def start(handler):
        with smtp_server(handler) as port:
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
            settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
            settings.EMAIL_TIMEOUT = 5
            yield handler

    return start


def ingest_red_day(persona, capture):
    with capture(execute=True):
        health_services.snapshots_upsert(agency=persona.agency, source=Source.API, rows=[
            {"store": persona.assigned_store.pk, "date": day(2), "late_shipment_rate": 0.046}])


def test_a_4xx_answer_is_retried_and_the_email_then_delivered_once(a, send_through,
                                                                   django_capture_on_commit_callbacks):
    with send_through(Mailbox("451 4.3.0 Try again later")) as mailbox:
        ingest_red_day(a, django_capture_on_commit_callbacks)

    # The first email got 451 and was sent again by the task's retry; the others went at the first attempt.
    recipients = [a.owner.email, a.manager.email, a.operator.email]
    assert sorted(len(mailbox.delivered_to(address)) for address in recipients) == [1, 1, 1]
    assert len(mailbox.attempts) == 4
    rows = SentNotification.objects.filter(agency=a.agency, kind="immediate")
    assert sorted(row.status for row in rows) == ["sent"] * 3
    assert sorted(row.attempts for row in rows) == [1, 1, 2]
    [message] = mailbox.delivered_to(a.operator.email)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.get_payload()] == ["text/plain", "text/html"]


def test_a_5xx_answer_is_recorded_and_never_retried(a, send_through, django_capture_on_commit_callbacks):
    refusal = "550 5.7.1 Mailbox unavailable"
    with send_through(Mailbox(refusal, refusal, refusal)) as mailbox:
        ingest_red_day(a, django_capture_on_commit_callbacks)

    assert mailbox.delivered == []
    assert len(mailbox.attempts) == 3  # one attempt per recipient, none again
    rows = SentNotification.objects.filter(agency=a.agency, kind="immediate")
    assert {(row.status, row.attempts, row.error) for row in rows} == {("failed", 1, refusal)}


def test_a_server_that_keeps_answering_4xx_is_given_up_after_the_last_retry(a, send_through,
                                                                             django_capture_on_commit_callbacks):
    busy = "421 4.7.0 Too busy"
    attempts = len(delivery.RETRY_DELAYS) + 1
    with send_through(Mailbox(*[busy] * (3 * attempts))) as mailbox:
        ingest_red_day(a, django_capture_on_commit_callbacks)

    assert mailbox.delivered == []
    rows = SentNotification.objects.filter(agency=a.agency, kind="immediate")
    assert {(row.status, row.attempts, row.error) for row in rows} == {("failed", attempts, busy)}

    # A later run of the same task sends nothing more: failed is final.
    with send_through(Mailbox()) as later:
        tasks.send_alert_notices.apply(kwargs={"agency_id": a.agency.pk})
        tasks.escalate_overdue.apply(kwargs={"agency_id": a.agency.pk})
    assert later.attempts == []


def test_an_unreachable_server_is_a_temporary_failure_and_a_refusal_a_permanent_one():
    assert delivery.is_temporary(ConnectionRefusedError(111, "Connection refused"))
    assert delivery.is_temporary(TimeoutError("timed out"))
    assert delivery.is_temporary(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    assert delivery.is_temporary(smtplib.SMTPDataError(451, b"Try again later"))
    assert delivery.is_temporary(smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"Mailbox busy")}))
    assert not delivery.is_temporary(smtplib.SMTPDataError(554, b"Rejected"))
    assert not delivery.is_temporary(smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"No such user")}))
    assert not delivery.is_temporary(smtplib.SMTPNotSupportedError("no AUTH"))
    assert delivery.describe(smtplib.SMTPDataError(554, b"Rejected")) == "554 Rejected"


def test_the_retries_wait_well_under_the_brokers_visibility_timeout(settings):
    visibility = delivery.broker_visibility_timeout()
    assert visibility == settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    assert delivery.RETRY_DELAYS == tuple(settings.ALERTS_EMAIL_RETRY_DELAYS)
    # Each wait is a message held unacknowledged by a worker until its time, as is the running task itself: the
    # test settings' short waits, and the product's own (ALERTS_EMAIL_RETRY_DELAYS of config.settings.base).
    for delays in (delivery.RETRY_DELAYS, product_settings.ALERTS_EMAIL_RETRY_DELAYS):
        assert delays and min(delays) > 0, delays
        assert sum(delays) + settings.CELERY_TASK_TIME_LIMIT <= visibility / 2, delays
    assert delivery.SENDING_LEASE.total_seconds() > settings.EMAIL_TIMEOUT * 4
