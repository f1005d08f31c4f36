"""A worker killed with SIGKILL in the middle of the new-alert email run, and started again, still gives exactly one
email to each recipient: none twice, none lost.

The run (``alerts.tasks.send_alert_notices``) commits the sent-log rows of its emails before it sends them
(``alerts.notifications.notices``), then claims each row (``sending``) and sends it (``delivery``). The test's mail
server leaves the first email's DATA unanswered, so the worker is caught after the rows were written and one was
claimed, before any email was taken; it is killed there (its main process and its pool process), and the server drops
the email whose sender hung up, as a real one does. Then:

* the broker hands the run's message, never acknowledged (``acks_late``), to the restarted worker once its visibility
  timeout has passed (a short one here, an hour in production); the run sends nothing twice: the row the dead worker
  held stays its own until ``delivery.SENDING_LEASE`` has passed (its email may have reached the server before the
  worker died);
* once the lease has passed, the periodic round (``alerts.tasks.escalate_all_agencies``, which queues
  ``escalate_overdue`` for the agency: ``catch_up``) sends every email left, once.

Ten minutes cannot pass in a test: the rows the dead worker left are made that much older in the database instead (the
lease is measured from their ``created_at`` and ``claimed_at``), and the round runs at the present time, as the beat
would run it that much later.
"""

import asyncio
import datetime
import os
import signal
import threading
import time

import pytest
import redis
from celery.result import AsyncResult
from django.db.models import F
from django_scopes import scopes_disabled

from alerts import tasks as alert_tasks
from alerts.models import Alert, SentNotification
from alerts.notifications.delivery import SENDING_LEASE
from tests.alerts.test_emails import day
from tests.alerts.test_emails_smtp import Mailbox
from tests.integration.conftest import (
    DEADLINE,
    SHORT_VISIBILITY_TIMEOUT,
    delivered_at,
    unacknowledged,
    wait_until,
    workers_of_this_test,
)

pytestmark = pytest.mark.integration

BULK = "/api/v1/health/snapshots/bulk/"
NOTHING_DONE = {"sent": 0, "deferred": 0, "failed": 0, "skipped": 0, "held": 0}
Status = SentNotification.Status


class MailboxHoldingTheFirstEmail(Mailbox):
    """A ``Mailbox`` that leaves the first email's DATA unanswered (``holding`` is set meanwhile) until its sender hangs
    up: that email is then dropped, never delivered, and its recipients recorded in ``dropped``. Every later email is
    answered as ``Mailbox`` answers. The hold gives up after ``DEADLINE`` seconds with a 451, so that a test that fails
    before it kills the sender does not hang."""

    def __init__(self):
        super().__init__()
        self.holding = threading.Event()
        self.dropped = []

    async def handle_DATA(self, server, session, envelope):
        if self.holding.is_set():
            return await super().handle_DATA(server, session, envelope)
        self.holding.set()  # no await since the check: no other email can get here first
        with self._lock:
            self.attempts.append(tuple(envelope.rcpt_tos))
        until = time.monotonic() + DEADLINE
        try:
            while time.monotonic() < until:
                await asyncio.sleep(0.05)
        except asyncio.CancelledError:  # aiosmtpd cancels the handler of a connection its client closed
            with self._lock:
                self.dropped.append(tuple(envelope.rcpt_tos))
            raise
        return "451 4.3.0 Held too long by the test"


def sent_log(persona):
    """The agency's sent-log rows of the new-alert email."""
    with scopes_disabled():
        return list(SentNotification.objects.filter(agency=persona.agency, kind=SentNotification.Kind.IMMEDIATE)
                    .order_by("pk"))


def as_if_older(persona, by):
    """The sent-log rows not sent yet, made ``by`` older: written and claimed that long ago."""
    with scopes_disabled():
        SentNotification.objects.filter(agency=persona.agency).exclude(status=Status.SENT).update(
            created_at=F("created_at") - by, claimed_at=F("claimed_at") - by)


def delivered_per_recipient(mailbox, recipients):
    return {address: len(mailbox.delivered_to(address)) for address in recipients}


def test_a_worker_killed_in_the_middle_of_the_email_run_and_started_again_gives_each_recipient_one_email(
        live_celery, agency_a, api_as, tmp_path):
    store = agency_a.assigned_store
    recipients = sorted([agency_a.owner.email, agency_a.manager.email, agency_a.operator.email])
    broker = redis.Redis.from_url(live_celery.broker)
    mailbox = MailboxHoldingTheFirstEmail()
    with workers_of_this_test(live_celery, tmp_path, mailbox) as workers:
        answer = api_as(agency_a.rw_header).post(BULK, {"snapshots": [
            {"store": store.pk, "date": day(2), "late_shipment_rate": 0.046}]}, format="json")
        assert answer.status_code == 200, answer.content

        first = workers.start(visibility_timeout=SHORT_VISIBILITY_TIMEOUT)
        wait_until(mailbox.holding.is_set, "the worker's email run is sending its first email")
        [email_run] = workers.received(alert_tasks.send_alert_notices)
        with scopes_disabled():
            [alert] = Alert.objects.filter(store_id=store.pk)
        assert alert.notice_due == "", "the run took the alert off the wait"
        rows = sent_log(agency_a)
        assert sorted(row.address for row in rows) == recipients, "the rows of every email written before sending"
        assert sorted(row.status for row in rows) == [Status.PENDING, Status.PENDING, Status.SENDING]
        [held] = [row for row in rows if row.status == Status.SENDING]
        assert mailbox.attempts == [(held.address,)]
        assert unacknowledged(broker, email_run), "the worker took the run without acknowledging it (acks_late)"
        assert not workers.drained(broker)

        os.killpg(first.process.pid, signal.SIGKILL)  # the worker and its pool process, at once
        first.process.wait(timeout=DEADLINE)
        wait_until(lambda: mailbox.dropped, "the mail server saw the sender hang up before it answered")
        assert mailbox.dropped == [(held.address,)] and mailbox.delivered == []

        # Started again: the broker hands the run out again once it has been unacknowledged for the visibility timeout.
        wait_until(lambda: time.time() - delivered_at(broker, email_run) > SHORT_VISIBILITY_TIMEOUT,
                   "the unacknowledged message outlived the visibility timeout")
        second = workers.start(visibility_timeout=SHORT_VISIBILITY_TIMEOUT)
        again = AsyncResult(email_run).get(timeout=DEADLINE)
        assert email_run in second.log(), "the restarted worker ran the email run the killed one had taken"
        assert again["deferred"] == again["failed"] == 0
        assert set(delivered_per_recipient(mailbox, recipients).values()) <= {0, 1}, "nothing went twice"
        with scopes_disabled():
            held.refresh_from_db()
        assert held.status == Status.SENDING and not mailbox.delivered_to(held.address), (
            "the row the dead worker held is not sent again before its lease has passed")

        # SENDING_LEASE and a minute later, the periodic round sends what is left.
        as_if_older(agency_a, by=SENDING_LEASE + datetime.timedelta(minutes=1))
        assert alert_tasks.escalate_all_agencies.delay().get(timeout=DEADLINE) == 1, "the agency has emails unsent"
        [round_run] = wait_until(lambda: workers.received(alert_tasks.escalate_overdue),
                                 "the round queued the agency's catch-up and the worker took it")
        caught_up = AsyncResult(round_run).get(timeout=DEADLINE)
        assert caught_up == {**NOTHING_DONE, "sent": 3 - again["sent"]}
        wait_until(lambda: workers.drained(broker), "the test's queue is empty and every message acknowledged")
        assert workers.received(alert_tasks.send_alert_notices) == [email_run, email_run], (
            "one email run: received by the killed worker, then handed out again to the restarted one")
        assert workers.received(alert_tasks.escalate_overdue) == [round_run]

    assert delivered_per_recipient(mailbox, recipients) == dict.fromkeys(recipients, 1)
    assert len(mailbox.attempts) == 4, "the dropped email, then each email once"
    assert sorted((row.address, row.status, row.attempts) for row in sent_log(agency_a)) == sorted(
        (address, Status.SENT, 2 if address == held.address else 1) for address in recipients)
    assert {tuple(row.alert_ids) for row in sent_log(agency_a)} == {(alert.pk,)}
