"""From an ingest to its alert and its email: the touched stores are queued for evaluation after the commit, in chunks
of at most 500, and a real Celery worker on Redis evaluates them and opens the alerts, exactly once, and the email run
the evaluation queues after its commit emails each recipient exactly once, even when the worker is killed in the middle
of the evaluation.

The kill tests hold the agency's alert sync (``alerts.services.SYNC_LOCK``, an advisory lock on PostgreSQL; on
SQLite, the database's write lock) from the test, so that the worker's evaluation waits inside its transaction; the
worker is then killed with SIGKILL, and what is left must still give one alert and one email to each recipient:

* the whole worker killed (its main process and the pool process running the task) and started again: the message
  was never acknowledged (``acks_late``), so the broker hands it out again once its visibility timeout has passed (a
  short one here, an hour in production);
* only the pool process running the task killed: the worker rejects the task back to the queue at once
  (``reject_on_worker_lost``) and a new pool process runs it.

The killed evaluation never committed, so it queued no email run; the one that finishes queues it, once. The workers
are the test's own (``workers_of_this_test`` of ``tests/integration/conftest.py``: prefork with one pool process, as in
production), their mail sent to a real SMTP server on loopback (aiosmtpd) and the tasks they queue themselves kept on
the test's queue. The worker killed in the middle of the email run itself is ``test_alert_email_worker_killed.py``.
"""

import datetime
import os
import signal
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from celery.result import AsyncResult
from celery.signals import after_task_publish
from django.db import connection, connections
from django_scopes import scopes_disabled

from accounts.models import Store
from alerts import tasks as alert_tasks
from alerts.models import Alert, AlertTransition, SentNotification
from alerts.services import SYNC_LOCK
from health import tasks
from health.models import StoreHealth
from tests.factories import StoreFactory
from tests.integration.conftest import (
    DEADLINE,
    SHORT_VISIBILITY_TIMEOUT,
    delivered_at,
    unacknowledged,
    wait_until,
    workers_of_this_test,
)

BULK = "/api/v1/health/snapshots/bulk/"
LSR = "late_shipment_rate"
NOTHING_DONE = {"sent": 0, "deferred": 0, "failed": 0, "skipped": 0, "held": 0}


def red_day(store):
    """A day of ``store`` with a Late Shipment Rate past its 4 % target: one red metric, nothing else reported."""
    return {"store": store.pk, "date": str(datetime.date.today() - datetime.timedelta(days=2)), LSR: 0.046}


def alerts_of(store):
    with scopes_disabled():
        return list(Alert.objects.filter(store_id=store.pk).order_by("pk"))


def opened_transitions(alert):
    with scopes_disabled():
        return AlertTransition.objects.filter(alert_id=alert.pk, to_status=Alert.Status.OPEN).count()


@contextmanager
def published(task_name):
    """The ids of the ``task_name`` tasks this process sends to the broker inside the block."""
    ids = []

    def record(sender=None, headers=None, **kwargs):
        if sender == task_name:
            ids.append(headers["id"])

    after_task_publish.connect(record, weak=False)
    try:
        yield ids
    finally:
        after_task_publish.disconnect(record)


def ingest_red_day(api_as, persona, store):
    """The ERP's push of a red day for ``store``; returns the id of the evaluation task it queued."""
    with published(tasks.evaluate_stores.name) as sent:
        answer = api_as(persona.rw_header).post(BULK, {"snapshots": [red_day(store)]}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["created"] == 1
    assert len(sent) == 1, "one evaluation task for the batch's one store"
    return sent[0]


# -- queueing: after the commit, in chunks ---------------------------------------------------------------------
def test_an_ingest_of_1200_stores_queues_three_evaluations_of_at_most_500_stores_after_the_commit(
        agency_a, api_as, monkeypatch, django_capture_on_commit_callbacks):
    with agency_a.scope():
        stores = Store.objects.bulk_create(StoreFactory.build_batch(1200, agency=agency_a.agency,
                                                                    client=agency_a.client))
    sent = []
    monkeypatch.setattr(tasks.evaluate_stores, "apply_async", lambda *args, **options: sent.append(options["kwargs"]))

    with django_capture_on_commit_callbacks(execute=True):
        answer = api_as(agency_a.rw_header).post(BULK, {"snapshots": [red_day(store) for store in stores]},
                                                 format="json")
        assert answer.status_code == 200, answer.content
        assert sent == [], "nothing is queued before the commit"

    assert answer.json()["created"] == 1200
    assert [len(task["store_ids"]) for task in sent] == [500, 500, 200]
    assert sorted(pk for task in sent for pk in task["store_ids"]) == sorted(store.pk for store in stores)
    assert {task["agency_id"] for task in sent} == {agency_a.agency.pk}


# -- a real worker -----------------------------------------------------------------------------------------------
@pytest.mark.integration
def test_a_red_day_ingested_through_the_api_gives_one_alert_and_evaluating_it_again_still_one(
        live_celery, agency_a, api_as):
    store = agency_a.assigned_store
    evaluation = ingest_red_day(api_as, agency_a, store)

    assert AsyncResult(evaluation).get(timeout=live_celery.timeout) == 1
    assert evaluation in live_celery.log(), "the evaluation ran somewhere other than the worker this test started"
    [alert] = alerts_of(store)
    assert (alert.rule, alert.severity, alert.status, alert.opened_value) == (LSR, "red", Alert.Status.OPEN, 0.046)

    again = tasks.evaluate_stores.delay(agency_id=agency_a.agency.pk, store_ids=[store.pk])
    assert again.get(timeout=live_celery.timeout) == 1

    [same] = alerts_of(store)
    assert same.pk == alert.pk and same.status == Alert.Status.OPEN
    assert same.last_seen_at > alert.last_seen_at, "the second evaluation updated the alert it found"
    assert opened_transitions(same) == 1


@pytest.mark.integration
def test_a_worker_killed_in_the_middle_of_the_evaluation_and_started_again_gives_one_alert_and_one_email(
        live_celery, agency_a, api_as, tmp_path):
    store = agency_a.assigned_store
    broker = redis.Redis.from_url(live_celery.broker)
    with workers_of_this_test(live_celery, tmp_path) as workers:
        evaluation = ingest_red_day(api_as, agency_a, store)  # queued; no worker takes it yet
        with sync_held(agency_a.agency) as held:
            first = workers.start(visibility_timeout=SHORT_VISIBILITY_TIMEOUT)
            held.wait_for_evaluation(first, evaluation)
            assert unacknowledged(broker, evaluation), "the worker took the task without acknowledging it (acks_late)"
            os.killpg(first.process.pid, signal.SIGKILL)  # the worker and its pool process, at once
            first.process.wait(timeout=DEADLINE)
        wait_until(lambda: not held.in_use(), "the killed worker's transaction ended")

        assert alerts_of(store) == [], "the killed evaluation wrote nothing"
        with scopes_disabled():
            assert not StoreHealth.objects.filter(store_id=store.pk).exists()
        assert broker.llen(workers.queue) == 0, "the killed evaluation queued no email: it never committed"
        assert sent_log(agency_a) == [] and workers.mailbox.attempts == []
        # The broker hands the message out again once it has been unacknowledged for the visibility timeout.
        wait_until(lambda: time.time() - delivered_at(broker, evaluation) > SHORT_VISIBILITY_TIMEOUT,
                   "the unacknowledged message outlived the visibility timeout")

        second = workers.start(visibility_timeout=SHORT_VISIBILITY_TIMEOUT)
        assert AsyncResult(evaluation).get(timeout=DEADLINE) == 1
        assert evaluation in second.log(), "the restarted worker ran the task the killed one had taken"
        emails_sent_once_each(workers, broker, agency_a)

    [alert] = alerts_of(store)
    assert (alert.rule, alert.status) == (LSR, Alert.Status.OPEN)
    assert opened_transitions(alert) == 1
    assert not unacknowledged(broker, evaluation), "acknowledged once it was done"
    assert {tuple(row.alert_ids) for row in sent_log(agency_a)} == {(alert.pk,)}


@pytest.mark.integration
def test_a_pool_process_killed_in_the_middle_of_the_evaluation_gives_the_task_back_and_one_alert_and_one_email(
        live_celery, agency_a, api_as, tmp_path):
    store = agency_a.assigned_store
    broker = redis.Redis.from_url(live_celery.broker)
    with workers_of_this_test(live_celery, tmp_path) as workers:
        evaluation = ingest_red_day(api_as, agency_a, store)  # queued; no worker takes it yet
        with sync_held(agency_a.agency) as held:
            # The production visibility timeout (an hour): the task can only come back at once by being rejected.
            worker = workers.start()
            held.wait_for_evaluation(worker, evaluation)
            [pool_process] = children_of(worker.process.pid)
            os.kill(pool_process, signal.SIGKILL)
            wait_until(lambda: "SIGKILL" in worker.log(), "the worker saw its pool process die")
            assert sent_log(agency_a) == [] and workers.mailbox.attempts == []

        assert AsyncResult(evaluation).get(timeout=DEADLINE) == 1
        emails_sent_once_each(workers, broker, agency_a)

    [alert] = alerts_of(store)
    assert (alert.rule, alert.status) == (LSR, Alert.Status.OPEN)
    assert opened_transitions(alert) == 1
    assert {tuple(row.alert_ids) for row in sent_log(agency_a)} == {(alert.pk,)}


# -- helpers of the kill tests -----------------------------------------------------------------------------------
def sent_log(persona):
    """The agency's sent-log rows of the new-alert email."""
    with scopes_disabled():
        return list(SentNotification.objects.filter(agency=persona.agency, kind=SentNotification.Kind.IMMEDIATE)
                    .order_by("pk"))


def emails_sent_once_each(workers, broker, persona):
    """Wait for the one email run the evaluation queued after its commit, then check that it delivered the new-alert
    email to each of its recipients (by default the owner, the manager and the store's operator) exactly once: one
    message each through the test's SMTP server, one ``sent`` sent-log row each."""
    email_runs = wait_until(lambda: workers.received(alert_tasks.send_alert_notices),
                            "the evaluation queued the email run and a worker took it")
    assert AsyncResult(email_runs[0]).get(timeout=DEADLINE) == {**NOTHING_DONE, "sent": 3}
    # Nothing else waits in the queue or is in a worker's hands: no second email run was queued.
    wait_until(lambda: workers.drained(broker), "the test's queue is empty and every message acknowledged")
    assert workers.received(alert_tasks.send_alert_notices) == email_runs[:1], "the email run was queued once"

    recipients = sorted([persona.owner.email, persona.manager.email, persona.operator.email])
    assert sorted(message["To"] for message in workers.mailbox.delivered) == recipients
    assert len(workers.mailbox.attempts) == 3, "each email reached the mail server once"
    assert sorted((row.address, row.status, row.attempts) for row in sent_log(persona)) == [
        (address, SentNotification.Status.SENT, 1) for address in recipients]


def children_of(pid):
    """The ids of the processes whose parent is ``pid`` (Linux ``/proc``)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


class SyncHeld:
    """The agency's alert sync held by this test on a database connection of its own: an evaluation that reaches it
    waits there, inside its transaction, until the test lets go."""

    def __init__(self, agency):
        self.agency = agency
        self.holder = connections.create_connection("default")
        self.postgresql = self.holder.vendor == "postgresql"

    def take(self):
        with self.holder.cursor() as cursor:
            if self.postgresql:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [SYNC_LOCK, self.agency.pk])
            else:
                cursor.execute("BEGIN IMMEDIATE")  # SQLite has one writer at a time: the evaluation waits for it

    def release(self):
        with self.holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)" if self.postgresql else "ROLLBACK",
                           [SYNC_LOCK, self.agency.pk] if self.postgresql else None)
        self.holder.close()

    def _locks(self, *, waiting):
        """How many connections hold (or, ``waiting``, wait for) the agency's sync: PostgreSQL's lock table, where an
        advisory lock of two keys is (classid, objid) with objsubid 2."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s "
                           "AND objsubid = 2" + (" AND NOT granted" if waiting else ""), [SYNC_LOCK, self.agency.pk])
            return cursor.fetchone()[0]

    def evaluation_waiting(self):
        return self.postgresql and self._locks(waiting=True) > 0

    def in_use(self):
        """Whether anyone still holds or waits for the sync (the killed worker's connection ends once it is let go;
        on SQLite it died with the worker)."""
        return self.postgresql and self._locks(waiting=False) > 0

    def wait_for_evaluation(self, worker, task_id):
        """Wait until ``worker`` is in the middle of the evaluation ``task_id``: waiting for the sync on PostgreSQL;
        on SQLite, started (it waits for the database's write lock at its first write)."""
        if self.postgresql:
            wait_until(self.evaluation_waiting, "the worker's evaluation waits for the agency's alert sync")
        else:
            wait_until(lambda: f"[{task_id}] received" in worker.log(), "the worker received the evaluation")


@contextmanager
def sync_held(agency):
    held = SyncHeld(agency)
    held.take()
    try:
        yield held
    finally:
        held.release()

