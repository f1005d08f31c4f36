"""Celery as the product configures it (``config/settings/base.py``, ``CELERY_*``): tasks travel as JSON and carry ids;
every task is acknowledged only once done and given back when its worker dies; time limits; one task reserved at a
time; a broker visibility timeout longer than any task; and a beat schedule whose every entry names a real task.

What a real worker does with these settings (a kill in the middle of a task) is ``tests/integration/
test_alert_pipeline.py``; the SMTP retries against the visibility timeout are ``tests/alerts/test_emails_smtp.py``.
"""

import inspect
import json

import pytest
from celery.schedules import crontab
from kombu.exceptions import EncodeError

from accounts.tenancy import AgencyTask
from config.celery_app import app as celery_app
from health import tasks as health_tasks

#: The apps whose tasks are the product's (Celery's own, ``celery.*``, are not).
PRODUCT_APPS = {"accounts", "documents", "health", "alerts", "cases", "reviews"}


def product_tasks():
    celery_app.loader.import_default_modules()  # what a worker imports: every app's tasks.py and CELERY_IMPORTS
    found = {name: task for name, task in celery_app.tasks.items() if name.split(".")[0] in PRODUCT_APPS}
    assert {"health.tasks.evaluate_stores", "health.tasks.sweep_all_agencies"} <= set(found)
    return found


@pytest.fixture
def memory_broker():
    """This process's Celery app queues to Celery's in-memory broker (not eagerly) for the test."""
    conf = celery_app.conf
    live = {"task_always_eager": False, "broker_url": "memory://localhost/"}
    saved = {key: conf[key] for key in live}
    celery_app._after_fork()  # forget the connection pools of the previous broker
    conf.update(live)
    try:
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_purge("celery")
            yield connection
    finally:
        conf.update(saved)
        celery_app._after_fork()


def test_tasks_travel_as_json_only():
    conf = celery_app.conf
    assert (conf.task_serializer, conf.result_serializer) == ("json", "json")
    assert list(conf.accept_content) == ["json"]
    assert conf.result_accept_content in (None, ["json"])  # None: the same as accept_content


def test_a_task_is_sent_with_ids_and_refused_with_an_object(memory_broker, agency_a):
    store_ids = [agency_a.assigned_store.pk, agency_a.other_store.pk]
    health_tasks.evaluate_stores.apply_async(kwargs={"agency_id": agency_a.agency.pk, "store_ids": store_ids},
                                             ignore_result=True)
    message = memory_broker.default_channel.basic_get("celery")
    assert message.content_type == "application/json"
    _args, kwargs, _embed = message.decode()
    assert kwargs == {"agency_id": agency_a.agency.pk, "store_ids": store_ids}

    with pytest.raises(EncodeError):
        health_tasks.evaluate_stores.apply_async(kwargs={"agency_id": agency_a.agency, "store_ids": store_ids},
                                                 ignore_result=True)
    assert memory_broker.default_channel.basic_get("celery") is None, "nothing was sent"


def test_every_tenant_task_takes_the_agency_by_id_as_a_keyword():
    for name, task in product_tasks().items():
        if isinstance(task, AgencyTask):
            parameter = inspect.signature(task.run).parameters.get("agency_id")
            assert parameter is not None and parameter.kind == inspect.Parameter.KEYWORD_ONLY, name


def test_every_task_is_acknowledged_when_done_and_given_back_when_its_worker_dies():
    for name, task in product_tasks().items():
        assert task.acks_late, f"{name} would be lost with a worker that dies while running it"
        assert task.reject_on_worker_lost, f"{name} would be recorded as failed, not run again, if its process died"
    # A worker that loses the broker stops such tasks rather than finish them while the broker hands them out again.
    assert celery_app.conf.worker_cancel_long_running_tasks_on_connection_loss is True


def test_every_task_has_a_soft_time_limit_before_its_hard_one():
    for name, task in product_tasks().items():
        soft = task.soft_time_limit or celery_app.conf.task_soft_time_limit
        hard = task.time_limit or celery_app.conf.task_time_limit
        assert soft and hard and soft < hard, name


def test_a_worker_process_reserves_one_task_at_a_time():
    assert celery_app.conf.worker_prefetch_multiplier == 1


def test_the_broker_gives_a_task_back_only_after_any_task_could_have_ended(settings):
    visibility = celery_app.conf.broker_transport_options["visibility_timeout"]
    assert visibility == settings.REDIS_BROKER_VISIBILITY_TIMEOUT == 60 * 60
    longest = max(task.time_limit or celery_app.conf.task_time_limit for task in product_tasks().values())
    assert longest < visibility


def test_every_beat_entry_sends_a_real_task_of_the_product_on_a_schedule():
    schedule = celery_app.conf.beat_schedule
    registered = product_tasks()
    assert {"health.sweep", "alerts.digest", "alerts.escalate"} <= set(schedule)
    for name, entry in schedule.items():
        assert name.split(".")[0] == entry["task"].split(".")[0], f"{name} is named for the app that owns it"
        assert entry["task"] in registered, f"{name} names {entry['task']}, which no app defines"
        assert isinstance(entry["schedule"], crontab), name
        json.dumps([entry.get("args", []), entry.get("kwargs", {})])  # what beat sends travels as JSON too


def test_the_health_sweep_evaluates_every_store_once_a_day_before_the_working_day():
    sweep = celery_app.conf.beat_schedule["health.sweep"]
    assert sweep["task"] == "health.tasks.sweep_all_agencies"
    assert (sweep["schedule"].hour, sweep["schedule"].minute) == ({5}, {30})
    assert celery_app.conf.timezone == "Asia/Shanghai"
