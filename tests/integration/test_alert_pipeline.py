"""From an ingest to its alert: the touched stores are queued for evaluation after the commit, in chunks of at most
500, and a real Celery worker on Redis evaluates them and opens the alerts, exactly once, even when it is killed in
the middle of the task.

The kill tests hold the agency's alert sync (``alerts.services.SYNC_LOCK``, an advisory lock on PostgreSQL; on
SQLite, the database's write lock) from the test, so that the worker's evaluation waits inside its transaction; the
worker is then killed with SIGKILL, and what is left must still give one alert:

* the whole worker killed (its main process and the pool process running the task) and started again: the message
  was never acknowledged (``acks_late``), so the broker hands it out again once its visibility timeout has passed (a
  short one here, an hour in production);
* only the pool process running the task killed: the worker rejects the task back to the queue at once
  (``reject_on_worker_lost``) and a new pool process runs it.

The workers are prefork with one pool process, as in production: with a solo worker even an early acknowledgement
reaches Redis only once the task returns, so a kill could not tell ``acks_late`` from its absence.
"""

import datetime
import os
import signal
import socket
import subprocess
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from celery.result import AsyncResult
from celery.signals import after_task_publish
from django.db import connection, connections
from django_scopes import scopes_disabled

from accounts.models import Store
from alerts.models import Alert, AlertTransition
from alerts.services import SYNC_LOCK
from health import tasks
from health.models import StoreHealth
from tests.factories import StoreFactory
from tests.integration.conftest import (
    BASE_DIR,
    CELERY,
    DEADLINE,
    Worker,
    _database_url_of_test_database,
    celery_sending_to,
    wait_until,
)

BULK = "/api/v1/health/snapshots/bulk/"
LSR = "late_shipment_rate"
#: The visibility timeout of the workers of the whole-worker kill test: how long the broker keeps a message a dead
#: worker took before it hands it out again (production: an hour, REDIS_BROKER_VISIBILITY_TIMEOUT).
VISIBILITY_SECONDS = 2


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
def test_a_worker_killed_in_the_middle_of_the_evaluation_and_started_again_still_gives_one_alert(
        live_celery, agency_a, api_as, tmp_path):
    store = agency_a.assigned_store
    broker = redis.Redis.from_url(live_celery.broker)
    with workers_of_this_test(live_celery, tmp_path) as workers:
        evaluation = ingest_red_day(api_as, agency_a, store)  # queued; no worker takes it yet
        with sync_held(agency_a.agency) as held:
            first = workers.start(visibility_timeout=VISIBILITY_SECONDS)
            held.wait_for_evaluation(first, evaluation)
            assert unacknowledged(broker, evaluation), "the worker took the task without acknowledging it (acks_late)"
            os.killpg(first.process.pid, signal.SIGKILL)  # the worker and its pool process, at once
            first.process.wait(timeout=DEADLINE)
        wait_until(lambda: not held.in_use(), "the killed worker's transaction ended")

        assert alerts_of(store) == [], "the killed evaluation wrote nothing"
        with scopes_disabled():
            assert not StoreHealth.objects.filter(store_id=store.pk).exists()
        # The broker hands the message out again once it has been unacknowledged for the visibility timeout.
        wait_until(lambda: time.time() - delivered_at(broker, evaluation) > VISIBILITY_SECONDS,
                   "the unacknowledged message outlived the visibility timeout")

        second = workers.start(visibility_timeout=VISIBILITY_SECONDS)
        assert AsyncResult(evaluation).get(timeout=DEADLINE) == 1
        assert evaluation in second.log(), "the restarted worker ran the task the killed one had taken"

    [alert] = alerts_of(store)
    assert (alert.rule, alert.status) == (LSR, Alert.Status.OPEN)
    assert opened_transitions(alert) == 1
    assert not unacknowledged(broker, evaluation), "acknowledged once it was done"


@pytest.mark.integration
def test_a_pool_process_killed_in_the_middle_of_the_evaluation_gives_the_task_back_and_still_one_alert(
        live_celery, agency_a, api_as, tmp_path):
    store = agency_a.assigned_store
    with workers_of_this_test(live_celery, tmp_path) as workers:
        evaluation = ingest_red_day(api_as, agency_a, store)  # queued; no worker takes it yet
        with sync_held(agency_a.agency) as held:
            # The production visibility timeout (an hour): the task can only come back at once by being rejected.
            worker = workers.start()
            held.wait_for_evaluation(worker, evaluation)
            [pool_process] = children_of(worker.process.pid)
            os.kill(pool_process, signal.SIGKILL)
            wait_until(lambda: "SIGKILL" in worker.log(), "the worker saw its pool process die")

        assert AsyncResult(evaluation).get(timeout=DEADLINE) == 1

    [alert] = alerts_of(store)
    assert (alert.rule, alert.status) == (LSR, Alert.Status.OPEN)
    assert opened_transitions(alert) == 1


# -- helpers of the kill tests -----------------------------------------------------------------------------------
class WorkersOfThisTest:
    """Workers of one test on a queue of its own (the session's worker stays out of it), started one at a time."""

    def __init__(self, live_celery, folder):
        self.live_celery, self.folder = live_celery, folder
        self.queue = f"storehealth-kill-{uuid.uuid4().hex[:10]}"
        self.started = []

    def start(self, *, visibility_timeout=None):
        """A worker with one pool process, ready to take tasks; ``visibility_timeout`` overrides the production one
        (an hour)."""
        nodename = f"kill-{uuid.uuid4().hex[:10]}@{socket.gethostname()}"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
               "DATABASE_URL": _database_url_of_test_database(), "CELERY_BROKER_URL": self.live_celery.broker,
               "CELERY_RESULT_BACKEND": self.live_celery.backend, "CELERY_TASK_ALWAYS_EAGER": "false",
               "PYTHONUNBUFFERED": "1"}
        if visibility_timeout is not None:
            env["REDIS_BROKER_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
        command = [str(CELERY), "-A", "config", "worker", "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
                   "-n", nodename, "-Q", self.queue, "--without-gossip", "--without-mingle", "--without-heartbeat"]
        log_path = self.folder / f"worker-{len(self.started)}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        worker = Worker(process=process, broker=self.live_celery.broker, backend=self.live_celery.backend,
                        nodename=nodename, queue=self.queue, log_path=log_path)
        self.started.append(worker)
        # Ready once it says so in its log: the test holds the task it takes at once, and does not wait for a ping.
        wait_until(lambda: worker.process.poll() is not None or f"{nodename} ready." in worker.log(),
                   f"the worker started:\n{worker.log_tail()}")
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited with {worker.process.returncode}:\n{worker.log_tail()}", pytrace=False)
        return worker


@contextmanager
def workers_of_this_test(live_celery, folder):
    """Inside the block this process sends its tasks to the test's own queue; its workers are stopped (a killed one
    is already) and the queue removed at the end."""
    workers = WorkersOfThisTest(live_celery, folder)
    target = SimpleNamespace(broker=live_celery.broker, backend=live_celery.backend, queue=workers.queue)
    try:
        with celery_sending_to(target):
            yield workers
    finally:
        for worker in workers.started:
            worker.stop()
        if workers.started:
            with celery_sending_to(target):
                workers.started[-1].delete_queue()


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


def _unacknowledged_message(broker, task_id):
    """The tag of the broker's unacknowledged message of ``task_id`` (kombu's Redis ``unacked`` hash), or ``None``."""
    for tag, payload in broker.hgetall("unacked").items():
        if task_id.encode() in payload:
            return tag
    return None


def unacknowledged(broker, task_id):
    return _unacknowledged_message(broker, task_id) is not None


def delivered_at(broker, task_id):
    """When the broker delivered the unacknowledged message of ``task_id`` (a Unix time)."""
    return broker.zscore("unacked_index", _unacknowledged_message(broker, task_id))


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

