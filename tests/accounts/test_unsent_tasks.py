"""A task the broker could not take is kept (``UnsentTask``) and sent again by the catch-up once the broker is back
(``accounts.platform.tasks``): the write that queued it still commits, the catch-up sends each kept task once, across
agencies, keeps them while the broker still refuses them, drops a task that no longer exists, and two catch-ups at
once never send the same row.

The broker is Celery's in-memory one where messages must be read back, and a Redis address nobody listens on
where it must refuse them (``tests/outages/`` does the same against a real Redis and a real worker).
"""

import datetime
import logging
import threading

import pytest
from celery.schedules import crontab
from django.db import OperationalError as DatabaseDown
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from accounts import services
from accounts.models import Client, UnsentTask
from accounts.platform.tasks import enqueue_on_commit, resend_unsent
from accounts.tasks import agency_portfolio_summary, resend_unsent_tasks
from config.celery_app import app as celery_app
from tests.accounts.test_platform import broker_at
from tests.factories import AgencyFactory

QUEUE_LOGGER = "accounts.platform.tasks"
SUMMARY = "accounts.tasks.agency_portfolio_summary"


@pytest.fixture
def unreachable_broker(settings):
    """A broker nobody listens on (port 1), as when Redis is down."""
    with broker_at(settings, "redis://127.0.0.1:1/0"):
        yield


@pytest.fixture
def memory_broker(settings):
    """Celery's in-memory broker, emptied: the test reads back what was sent (``sent_messages``)."""
    with broker_at(settings, "memory://localhost/"), celery_app.connection_for_write() as broker:
        broker.default_channel.queue_purge("celery")
        yield broker.default_channel


def sent_messages(channel):
    """``[(task name, kwargs, eta)]`` of every message waiting in the queue, in the order they were sent."""
    messages = []
    while (message := channel.basic_get("celery")) is not None:
        _args, kwargs, _embed = message.decode()
        messages.append((message.headers["task"], kwargs, message.headers["eta"]))
    return messages


def unsent(agency, task_name=SUMMARY, kwargs=None, **fields):
    """A task of ``agency`` that the broker refused (its only argument is the agency, unless ``kwargs`` say)."""
    with scopes_disabled():
        return UnsentTask.objects.create(agency=agency, task_name=task_name,
                                         kwargs={"agency_id": agency.pk} if kwargs is None else kwargs,
                                         last_error="OperationalError: Connection refused.", **fields)


def summaries_of(agencies):
    """What sending the portfolio summary of each of ``agencies`` puts in the queue, in order."""
    return [(SUMMARY, {"agency_id": agency.pk}, None) for agency in agencies]


def logged(caplog):
    return [record.getMessage() for record in caplog.records if record.name == QUEUE_LOGGER]


def kept_rows():
    with scopes_disabled():
        return list(UnsentTask.objects.order_by("pk"))


# -- when the broker refuses a task ------------------------------------------------------------------------------

def test_a_task_the_broker_refuses_is_kept_for_its_agency_and_the_write_still_commits(
        transactional_db, agency_a, unreachable_broker, caplog):
    caplog.set_level(logging.ERROR, logger=QUEUE_LOGGER)
    agency = agency_a.agency

    with agency_a.scope(), transaction.atomic():
        services.client_create(agency=agency, name="Harbour Goods")
        enqueue_on_commit(agency_portfolio_summary, agency=agency, countdown=30)

    with scopes_disabled():
        assert Client.objects.filter(agency=agency, name="Harbour Goods").exists()
    [row] = kept_rows()
    assert (row.agency_id, row.task_name, row.kwargs, row.countdown, row.attempts) == (
        agency.pk, SUMMARY, {"agency_id": agency.pk}, 30, 1)
    assert row.last_error.startswith("OperationalError: ")
    assert [message.split(";")[0] for message in logged(caplog)] == [
        f"Could not queue {SUMMARY}{{'agency_id': {agency.pk}}}"]


def test_when_the_database_cannot_keep_the_task_either_both_failures_are_logged_and_the_caller_goes_on(
        transactional_db, agency_a, unreachable_broker, monkeypatch, caplog):
    caplog.set_level(logging.ERROR, logger=QUEUE_LOGGER)

    def database_down(**fields):
        raise DatabaseDown("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    monkeypatch.setattr(UnsentTask.objects, "create", database_down)
    enqueue_on_commit(agency_portfolio_summary, agency=agency_a.agency)

    assert kept_rows() == []
    messages = logged(caplog)
    assert len(messages) == 2
    assert messages[0].startswith(f"Could not queue {SUMMARY}")
    assert messages[1].startswith(f"Could not keep {SUMMARY}") and "periodic sweep" in messages[1]


# -- the catch-up ------------------------------------------------------------------------------------------------

def test_the_catch_up_sends_the_kept_tasks_with_their_arguments_and_deletes_them(memory_broker, agency_a):
    agencies = [agency_a.agency, AgencyFactory()]
    for agency in agencies:
        unsent(agency)

    assert resend_unsent_tasks() == {"sent": 2, "dropped": 0, "kept": 0}

    assert sent_messages(memory_broker) == summaries_of(agencies)
    assert kept_rows() == []
    assert resend_unsent_tasks() == {"sent": 0, "dropped": 0, "kept": 0}
    assert sent_messages(memory_broker) == []


def test_a_kept_countdown_still_counts_from_the_first_attempt(memory_broker, agency_a, agency_b):
    """A task that was to wait 10 minutes, refused 2 minutes ago, waits the 8 minutes left; one refused 20 minutes
    ago runs at once."""
    waiting, overdue = unsent(agency_a.agency, countdown=600), unsent(agency_b.agency, countdown=600)
    now = timezone.now()
    with scopes_disabled():
        UnsentTask.objects.filter(pk=waiting.pk).update(created_at=now - datetime.timedelta(minutes=2))
        UnsentTask.objects.filter(pk=overdue.pk).update(created_at=now - datetime.timedelta(minutes=20))

    resend_unsent_tasks()

    [(_task, of_waiting, eta), (_task_2, of_overdue, no_eta)] = sent_messages(memory_broker)
    assert (of_waiting, of_overdue) == (waiting.kwargs, overdue.kwargs)
    left = datetime.datetime.fromisoformat(eta) - now
    assert datetime.timedelta(minutes=7, seconds=50) < left <= datetime.timedelta(minutes=8, seconds=10)
    assert no_eta is None


def test_a_broker_still_down_keeps_the_tasks_with_one_attempt_more_and_its_error(
        unreachable_broker, agency_a, monkeypatch, caplog):
    rows = [unsent(agency) for agency in (agency_a.agency, AgencyFactory(), AgencyFactory())]
    publishes = []
    apply_async = agency_portfolio_summary.apply_async

    def counted(*args, **kwargs):
        publishes.append(kwargs["kwargs"])
        return apply_async(*args, **kwargs)

    monkeypatch.setattr(agency_portfolio_summary, "apply_async", counted)
    caplog.set_level(logging.WARNING, logger=QUEUE_LOGGER)

    assert resend_unsent_tasks() == {"sent": 0, "dropped": 0, "kept": 3}

    assert publishes == [rows[0].kwargs], "the first refusal ends the run: the broker is still down"
    kept = kept_rows()
    assert [(row.pk, row.kwargs, row.attempts) for row in kept] == [(row.pk, row.kwargs, 2) for row in rows]
    assert {row.last_error for row in kept} == {logged(caplog)[0].split("(", 1)[1].split("): ", 1)[0]}
    assert all(row.last_error.startswith("OperationalError: ") for row in kept)
    assert logged(caplog)[0].endswith("3 unsent tasks wait for the next run.")


def test_a_task_that_no_longer_exists_or_no_longer_takes_its_arguments_is_dropped_with_a_log_line(
        memory_broker, agency_a, caplog):
    agency = agency_a.agency
    unsent(agency, task_name="accounts.tasks.renamed_long_ago")
    unsent(agency, kwargs={"agency_id": agency.pk, "since": "2024-05-01"})
    unsent(agency)
    caplog.set_level(logging.ERROR, logger=QUEUE_LOGGER)

    assert resend_unsent_tasks() == {"sent": 1, "dropped": 2, "kept": 0}

    assert sent_messages(memory_broker) == summaries_of([agency])
    assert kept_rows() == []
    unknown, changed = logged(caplog)
    assert unknown == (f"Dropped the unsent task accounts.tasks.renamed_long_ago{{'agency_id': {agency.pk}}}: "
                       "no such task any more.")
    assert changed.startswith(f"Dropped the unsent task {SUMMARY}{{")
    assert changed.endswith("}: agency_portfolio_summary() got an unexpected keyword argument 'since'.")


def test_the_catch_up_sends_the_tasks_of_every_agency(memory_broker, agency_a, agency_b):
    unsent(agency_a.agency)
    unsent(agency_b.agency)

    assert resend_unsent_tasks() == {"sent": 2, "dropped": 0, "kept": 0}

    assert sent_messages(memory_broker) == summaries_of([agency_a.agency, agency_b.agency])
    assert kept_rows() == []


def test_one_run_sends_at_most_its_batch_the_oldest_first(db, memory_broker):
    agencies = AgencyFactory.create_batch(5)
    rows = [unsent(agency) for agency in agencies]

    assert resend_unsent(app=celery_app, limit=3) == {"sent": 3, "dropped": 0, "kept": 0}

    assert sent_messages(memory_broker) == summaries_of(agencies[:3])
    assert [row.pk for row in kept_rows()] == [row.pk for row in rows[3:]]


def test_the_catch_up_takes_as_many_statements_for_30_tasks_as_for_3(db, memory_broker):
    def statements_to_send(count):
        for agency in AgencyFactory.create_batch(count):
            unsent(agency)
        with CaptureQueriesContext(connection) as queries:
            assert resend_unsent_tasks()["sent"] == count
        assert len(sent_messages(memory_broker)) == count
        return len(queries)

    assert statements_to_send(3) == statements_to_send(30) <= 6


def test_two_catch_ups_at_once_never_send_the_same_task(transactional_db, monkeypatch):
    """The first run claims three tasks and is held while it sends the first of them; the second run, meanwhile,
    skips the rows the first holds and sends the other three. Every task is sent once.

    On SQLite a writing transaction holds the whole database, so there the second run waits for the first instead
    (held, the first would wait for it in turn): the runs follow each other and still send every task once."""
    agencies = AgencyFactory.create_batch(6)
    for agency in agencies:
        unsent(agency)
    holds_rows = connection.vendor == "postgresql"
    first_is_sending, second_is_done = threading.Event(), threading.Event()
    sent, lock = [], threading.Lock()

    def publish(*, kwargs, countdown=None):
        with lock:
            sent.append(kwargs["agency_id"])
        if threading.current_thread().name == "first" and holds_rows and not first_is_sending.is_set():
            first_is_sending.set()
            assert second_is_done.wait(timeout=30), "the second run waited for the rows the first holds"

    monkeypatch.setattr(agency_portfolio_summary, "apply_async", publish)
    results = {}

    def run(name):
        try:
            if name == "second" and holds_rows:
                assert first_is_sending.wait(timeout=30)
            results[name] = resend_unsent(app=celery_app, limit=3)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[name] = error
        finally:
            if name == "second":
                second_is_done.set()
            connections.close_all()

    threads = [threading.Thread(target=run, args=(name,), name=name) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert results == {"first": {"sent": 3, "dropped": 0, "kept": 0}, "second": {"sent": 3, "dropped": 0, "kept": 0}}
    ids = [agency.pk for agency in agencies]
    assert sorted(sent) == ids
    if holds_rows:
        assert sent[1:4] == ids[3:], "meanwhile, the second run sent the rows the first had not claimed"
    assert kept_rows() == []


def test_the_catch_up_runs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["accounts.resend_unsent"]
    assert entry["task"] == "accounts.tasks.resend_unsent_tasks" == resend_unsent_tasks.name
    assert entry["schedule"] == crontab()


# -- tenancy -----------------------------------------------------------------------------------------------------

def test_unsent_tasks_belong_to_their_agency(agency_a, agency_b):
    of_a, of_b = unsent(agency_a.agency), unsent(agency_b.agency)

    with pytest.raises(ScopeError):
        list(UnsentTask.objects.all())
    with scope(agency=agency_a.agency):
        assert list(UnsentTask.objects.all()) == [of_a]
    with scope(agency=agency_b.agency):
        assert list(UnsentTask.objects.all()) == [of_b]
