"""Redis down while the ERP pushes a red day: the API still answers and commits, nothing can be queued, and the
evaluation is kept in the database (``UnsentTask``); once Redis is back, the catch-up celery beat sends every minute
(``accounts.resend_unsent``) sends it to a real worker and the alert opens, exactly once however many times the
catch-up runs; the daily sweep (``health.sweep``) raises it too, once, however many times it runs.

Redis here is the test's own server (``tests/outages/conftest.py``), stopped and started again, never the machine's;
the worker is a process of this test on that server and on the test database.
"""

import datetime
import logging
import os
import socket
import subprocess
import time
import uuid

import pytest
from django_scopes import scopes_disabled

from accounts.models import UnsentTask
from accounts.platform.tasks import resend_unsent
from accounts.tasks import resend_unsent_tasks
from alerts.models import Alert, AlertTransition
from config.celery_app import app as celery_app
from health import tasks
from health.models import HealthSnapshot, StoreHealth
from tests.integration.conftest import BASE_DIR, CELERY, Worker, _database_url_of_test_database, wait_until

BULK = "/api/v1/health/snapshots/bulk/"
LSR = "late_shipment_rate"
QUEUE_LOGGER = "accounts.platform.tasks"
# A guard, not a measurement: far above the broker's timeouts (3 s to connect or answer, two quick retries).
GUARD_SECONDS = 20


def alerts_of(store):
    with scopes_disabled():
        return list(Alert.objects.filter(store_id=store.pk))


def health_of(store):
    with scopes_disabled():
        return StoreHealth.objects.filter(store_id=store.pk).first()


def unsent_tasks():
    with scopes_disabled():
        return list(UnsentTask.objects.order_by("pk"))


def start_worker(redis_server, production_redis, folder):
    """A Celery worker on the test's Redis (production's broker and result databases there) and the test database,
    ready to take tasks."""
    nodename = f"outage-{uuid.uuid4().hex[:10]}@{socket.gethostname()}"
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_CACHE_URL",)}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": _database_url_of_test_database(),
                "REDIS_URL": redis_server.url(0), "CELERY_BROKER_URL": production_redis["CELERY_BROKER_URL"],
                "CELERY_RESULT_BACKEND": production_redis["CELERY_RESULT_BACKEND"],
                "CELERY_TASK_ALWAYS_EAGER": "false", "PYTHONUNBUFFERED": "1"})
    log_path = folder / "worker.log"
    command = [str(CELERY), "-A", "config", "worker", "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
               "-n", nodename, "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    worker = Worker(process=process, broker=env["CELERY_BROKER_URL"], backend=env["CELERY_RESULT_BACKEND"],
                    nodename=nodename, queue="celery", log_path=log_path)
    try:
        wait_until(lambda: process.poll() is not None or f"{nodename} ready." in worker.log(), "the worker started")
        if process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode}:\n{worker.log_tail()}", pytrace=False)
    except BaseException:
        worker.stop()
        raise
    return worker


def sweep():
    """What celery beat sends at 05:30 (``CELERY_BEAT_SCHEDULE["health.sweep"]``). Its result is the worker's: this
    process reads none (and so touches no result backend)."""
    tasks.sweep_all_agencies.apply_async(ignore_result=True)


def resend():
    """What celery beat sends every minute (``CELERY_BEAT_SCHEDULE["accounts.resend_unsent"]``); the worker runs it."""
    resend_unsent_tasks.apply_async(ignore_result=True)


def runs_in_log(worker, task):
    """The results the worker logged for ``task``, in order (``succeeded in …s: <result>``)."""
    return [line.split(" succeeded in ", 1)[1].split("s: ", 1)[1] for line in worker.log().splitlines()
            if f"Task {task.name}[" in line and " succeeded in " in line]


def push_a_red_day_while_redis_is_down(persona, api_as, redis_server, caplog):
    """Stop Redis and push a red day of the persona's assigned store through the bulk API: it answers 200 within
    seconds, the day is committed, and its evaluation could not be queued (logged) nor run. Returns the store."""
    store = persona.assigned_store
    day = str(datetime.date.today() - datetime.timedelta(days=2))
    redis_server.stop()
    caplog.set_level(logging.ERROR, logger=QUEUE_LOGGER)

    started = time.monotonic()
    answer = api_as(persona.rw_header).post(BULK, {"snapshots": [{"store": store.pk, "date": day, LSR: 0.046}]},
                                            format="json")

    assert answer.status_code == 200, answer.content
    assert answer.json()["created"] == 1
    assert time.monotonic() - started < GUARD_SECONDS
    with scopes_disabled():
        assert HealthSnapshot.objects.filter(store_id=store.pk, late_shipment_rate=0.046).exists(), "committed"
    assert health_of(store) is None and alerts_of(store) == [], "nothing evaluated: the task could not be queued"
    assert any(record.name == QUEUE_LOGGER and "Could not queue health.tasks.evaluate_stores" in record.getMessage()
               for record in caplog.records)
    return store


def assert_the_one_red_alert(store):
    [alert] = alerts_of(store)
    assert (alert.rule, alert.severity, alert.status, alert.opened_value) == (LSR, "red", Alert.Status.OPEN, 0.046)
    with scopes_disabled():
        assert AlertTransition.objects.filter(alert_id=alert.pk, to_status=Alert.Status.OPEN).count() == 1
    return alert


def test_a_red_day_pushed_while_redis_is_down_is_kept_and_alerted_once_by_the_catch_up_after_it_is_back(
        transactional_db, agency_a, api_as, redis_server, production_redis, broker_on_redis, caplog, tmp_path):
    store = push_a_red_day_while_redis_is_down(agency_a, api_as, redis_server, caplog)
    [kept] = unsent_tasks()
    assert (kept.agency_id, kept.task_name, kept.kwargs, kept.attempts) == (
        agency_a.agency.pk, tasks.evaluate_stores.name, {"agency_id": agency_a.agency.pk, "store_ids": [store.pk]}, 1)

    redis_server.start()
    worker = start_worker(redis_server, production_redis, tmp_path)
    try:
        resend()  # beat's next minute
        resend()  # and the one after, or beat sending it twice
        wait_until(lambda: alerts_of(store), "the catch-up's evaluation opened the alert")
        wait_until(lambda: len(runs_in_log(worker, tasks.evaluate_stores)) == 1
                   and len(runs_in_log(worker, resend_unsent_tasks)) == 2, "the worker ran both catch-ups")
        assert runs_in_log(worker, resend_unsent_tasks) == ["{'sent': 1, 'dropped': 0, 'kept': 0}",
                                                            "{'sent': 0, 'dropped': 0, 'kept': 0}"]
        assert runs_in_log(worker, tasks.evaluate_stores) == ["1"], "the store was evaluated once"
        assert unsent_tasks() == []
        assert resend_unsent(app=celery_app) == {"sent": 0, "dropped": 0, "kept": 0}, "nothing is left to send"
    finally:
        worker.stop()

    assert_the_one_red_alert(store)


def test_a_red_day_pushed_while_redis_is_down_is_committed_and_alerted_once_by_the_sweep_after_it_is_back(
        transactional_db, agency_a, api_as, redis_server, production_redis, broker_on_redis, caplog, tmp_path):
    store = push_a_red_day_while_redis_is_down(agency_a, api_as, redis_server, caplog)

    redis_server.start()
    worker = start_worker(redis_server, production_redis, tmp_path)
    try:
        sweep()
        alert = wait_until(lambda: alerts_of(store), "the sweep's evaluation opened the alert")[0]
        first_evaluation = wait_until(lambda: health_of(store), "the store's health written").evaluated_at

        sweep()  # the next day's sweep, or beat sending it twice
        wait_until(lambda: health_of(store).evaluated_at > first_evaluation, "the second sweep evaluated the store")
    finally:
        worker.stop()

    assert assert_the_one_red_alert(store).pk == alert.pk
