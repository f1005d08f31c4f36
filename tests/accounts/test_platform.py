"""The platform pieces every app builds on: queueing tasks after commit, agency commands, the API's paginations,
the Celery settings and the schema's description of the API key."""

import logging
import socket
import threading
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection as db_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory

from accounts import services
from accounts.models import Client, Store
from accounts.platform.api.pagination import MAX_PAGE_SIZE, HistoryPagination, StandardPagination
from accounts.platform.commands import AgencyCommand
from accounts.platform.tasks import enqueue_on_commit
from accounts.tasks import agency_portfolio_summary
from config.celery_app import app as celery_app
from tests.factories import StoreFactory

# -- enqueue_on_commit -------------------------------------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch):
    """The kwargs of every ``agency_portfolio_summary`` sent to the broker (nothing is sent or run)."""
    calls = []
    monkeypatch.setattr(agency_portfolio_summary, "apply_async", lambda *, kwargs, countdown=None: calls.append(kwargs))
    return calls


@contextmanager
def broker_at(settings, url):
    """Tasks go to the broker at ``url`` for the length of the block.

    Django's settings and the Celery app's configuration both change: the app reads the settings lazily, but a
    value once set on ``app.conf`` (as the integration tests' fixtures do) hides the setting from then on."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("task_always_eager", "broker_url")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    conf.update(task_always_eager=False, broker_url=url)
    # The app keeps the connection and producer pools of the broker it first sent to; Celery's way to drop
    # them is its after-fork reset (tests/integration/conftest.py does the same).
    celery_app._after_fork()
    try:
        yield
    finally:
        conf.update(saved)
        celery_app._after_fork()


@pytest.fixture
def unreachable_broker(settings):
    """A broker nobody listens on (port 1), as when Redis is down."""
    with broker_at(settings, "redis://127.0.0.1:1/0"):
        yield


@pytest.fixture
def silent_broker(settings):
    """A broker that accepts connections and never answers, as a stuck Redis or a half-open connection does."""
    listener = socket.create_server(("127.0.0.1", 0))
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        with broker_at(settings, f"redis://127.0.0.1:{listener.getsockname()[1]}/0"):
            yield
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def test_a_broker_outage_keeps_the_committed_write_and_logs_the_task_and_agency(
        transactional_db, agency_a, unreachable_broker, caplog):
    caplog.set_level(logging.ERROR, logger="accounts.platform.tasks")
    agency = agency_a.agency

    with agency_a.scope():
        with transaction.atomic():
            services.client_create(agency=agency, name="Harbour Goods")
            enqueue_on_commit(agency_portfolio_summary, agency=agency)

    with scopes_disabled():
        assert Client.objects.filter(agency=agency, name="Harbour Goods").exists()
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1
    message = errors[0].getMessage()
    assert "accounts.tasks.agency_portfolio_summary" in message
    assert f"'agency_id': {agency.pk}" in message
    assert errors[0].exc_info is not None


def test_a_broker_that_never_answers_does_not_hang_the_request(transactional_db, agency_a, silent_broker, caplog):
    """The connection is accepted but nothing comes back: the socket limits of the settings end the wait, the
    write stays committed and the failure is logged. (A request that hung here would never return; the guard
    below only stops the test from hanging with it.)"""
    caplog.set_level(logging.ERROR, logger="accounts.platform.tasks")
    done = threading.Event()

    def write_and_enqueue():
        try:
            with agency_a.scope(), transaction.atomic():
                services.client_create(agency=agency_a.agency, name="Quiet Harbour")
                enqueue_on_commit(agency_portfolio_summary, agency=agency_a.agency)
            done.set()
        finally:
            db_connection.close()  # this thread's own connection, so that the test database can be dropped

    request = threading.Thread(target=write_and_enqueue, daemon=True)
    request.start()
    request.join(timeout=120)
    assert done.is_set(), "queueing to a silent broker is still waiting"
    with scopes_disabled():
        assert Client.objects.filter(agency=agency_a.agency, name="Quiet Harbour").exists()
    assert any("agency_portfolio_summary" in record.getMessage() for record in caplog.records)


def test_in_process_a_tasks_own_error_is_not_mistaken_for_a_broker_outage(agency_a, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    """With no broker (tasks run in-process), a task that fails fails the request: it is a bug to see, not an
    outage to log and sweep up later."""
    def broken(**kwargs):
        raise OSError("the task itself failed")

    monkeypatch.setattr(agency_portfolio_summary, "run", broken)
    with pytest.raises(OSError, match="the task itself failed"):
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit(agency_portfolio_summary, agency=agency_a.agency)


def test_a_rolled_back_transaction_queues_nothing(agency_a, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError, match="the write failed"):
            with transaction.atomic():
                enqueue_on_commit(agency_portfolio_summary, agency=agency_a.agency)
                raise RuntimeError("the write failed")

    assert callbacks == []
    assert sent == []


def test_a_committed_transaction_sends_the_task_once_it_commits(agency_a, sent,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            enqueue_on_commit(agency_portfolio_summary, agency=agency_a.agency, since="2024-05-01")
            assert sent == []  # not before the commit

    assert len(callbacks) == 1
    assert sent == [{"agency_id": agency_a.agency.pk, "since": "2024-05-01"}]


def test_outside_a_transaction_the_task_is_sent_at_once_with_the_agency_and_the_arguments(
        transactional_db, agency_a, sent):
    enqueue_on_commit(agency_portfolio_summary, agency=agency_a.agency, since="2024-05-01")

    assert sent == [{"agency_id": agency_a.agency.pk, "since": "2024-05-01"}]


# -- AgencyCommand -----------------------------------------------------------------------------------------------


class StoreCountCommand(AgencyCommand):
    """Counts the stores it can see (a scoped query raises outside a scope), or raises what it is told to."""

    def __init__(self, *args, fail_with=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fail_with = fail_with
        self.ran_for = []

    def handle_agency(self, agency, **options):
        self.ran_for.append(agency)
        if self.fail_with is not None:
            raise self.fail_with
        self.stdout.write(f"{agency.slug}: {Store.objects.count()} stores")


def run(command, *args):
    with translation.override("en"):
        call_command(command, *args)


def test_an_agency_command_runs_inside_the_agencys_scope(agency_a, agency_b, capsys):
    StoreFactory(agency=agency_a.agency, client=agency_a.client)  # A has three stores, B two
    command = StoreCountCommand()

    run(command, "--agency", "agency-a")

    assert command.ran_for == [agency_a.agency]
    assert capsys.readouterr().out.strip() == "agency-a: 3 stores"


def test_an_unknown_agency_slug_is_a_command_error_naming_it_and_nothing_runs(agency_a):
    command = StoreCountCommand()

    with pytest.raises(CommandError, match="No agency with slug “agency-zz”"):
        run(command, "--agency", "agency-zz")

    assert command.ran_for == []


def test_a_services_validation_error_becomes_a_command_error_naming_each_field(agency_a):
    command = StoreCountCommand(fail_with=ValidationError({"name": ["bad"], "slug": ["taken", "too long"]}))

    with pytest.raises(CommandError) as raised:
        run(command, "--agency", "agency-a")

    assert str(raised.value) == "name: bad; slug: taken too long"


def test_a_validation_error_without_fields_becomes_a_command_error_with_its_message(agency_a):
    command = StoreCountCommand(fail_with=ValidationError("The agency is closed."))

    with pytest.raises(CommandError) as raised:
        run(command, "--agency", "agency-a")

    assert str(raised.value) == "The agency is closed."


# -- paginations -------------------------------------------------------------------------------------------------


def history_page(url, queryset):
    """One page of ``queryset`` through HistoryPagination for a GET of ``url``: (names, next link)."""
    pagination = HistoryPagination()
    request = Request(APIRequestFactory().get(url))
    rows = pagination.paginate_queryset(queryset, request)
    return [store.name for store in rows], pagination.get_next_link()


@pytest.fixture
def stores_of_different_ages(agency_a):
    """A's two persona stores and seven more, created at times that do not follow their ids; newest first."""
    ages_in_days = [9, 2, 7, 1, 8, 3, 6]
    now = timezone.now()
    with scopes_disabled():
        for days in ages_in_days:
            store = StoreFactory(agency=agency_a.agency, client=agency_a.client, name=f"Store aged {days}")
            Store.objects.filter(pk=store.pk).update(created_at=now - timezone.timedelta(days=days))
        for store in (agency_a.assigned_store, agency_a.other_store):
            Store.objects.filter(pk=store.pk).update(created_at=now - timezone.timedelta(days=30))
    oldest_two = sorted([agency_a.assigned_store, agency_a.other_store], key=lambda store: store.pk, reverse=True)
    return [f"Store aged {days}" for days in sorted(ages_in_days)] + [store.name for store in oldest_two]


def test_history_pages_are_newest_first_and_following_next_covers_every_row_once(
        agency_a, agency_b, stores_of_different_ages):
    pages = []
    with agency_a.scope():
        queryset = Store.objects.filter(agency=agency_a.agency)
        url = "/stores/?page_size=4"
        while url is not None:
            names, url = history_page(url, queryset)
            pages.append(names)

    assert [len(page) for page in pages] == [4, 4, 1]
    assert [name for page in pages for name in page] == stores_of_different_ages


def test_history_page_size_comes_from_the_query_up_to_the_maximum(agency_a, stores_of_different_ages):
    with agency_a.scope():
        queryset = Store.objects.filter(agency=agency_a.agency)
        two, next_link = history_page("/stores/?page_size=2", queryset)
        everything, no_next_link = history_page(f"/stores/?page_size={MAX_PAGE_SIZE + 1}", queryset)

    assert two == stores_of_different_ages[:2]
    assert parse_qs(urlparse(next_link).query)["page_size"] == ["2"]
    assert everything == stores_of_different_ages
    assert no_next_link is None
    assert HistoryPagination().get_page_size(
        Request(APIRequestFactory().get(f"/?page_size={MAX_PAGE_SIZE + 1}"))) == MAX_PAGE_SIZE


@pytest.mark.parametrize("pagination_class", [StandardPagination, HistoryPagination])
def test_both_paginations_default_to_the_page_size_the_settings_state_once(pagination_class):
    without_page_size = Request(APIRequestFactory().get("/"))

    assert api_settings.PAGE_SIZE == django_settings.REST_FRAMEWORK["PAGE_SIZE"]
    assert pagination_class().get_page_size(without_page_size) == django_settings.REST_FRAMEWORK["PAGE_SIZE"]


# -- Celery settings ---------------------------------------------------------------------------------------------


def test_a_task_gets_a_soft_time_limit_before_the_hard_one():
    conf = celery_app.conf
    assert conf.task_soft_time_limit and conf.task_time_limit
    assert conf.task_soft_time_limit < conf.task_time_limit


def test_a_task_is_acknowledged_only_once_done_and_requeued_if_its_worker_dies():
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True


def test_the_beat_schedule_is_the_settings_dict():
    assert isinstance(django_settings.CELERY_BEAT_SCHEDULE, dict)
    assert celery_app.conf.beat_schedule == django_settings.CELERY_BEAT_SCHEDULE


def test_queueing_retries_a_few_times_then_gives_up_within_seconds():
    conf = celery_app.conf
    policy = conf.task_publish_retry_policy
    waits = [min(policy["interval_start"] + attempt * policy["interval_step"], policy["interval_max"])
             for attempt in range(policy["max_retries"])]

    assert conf.task_publish_retry is True
    assert isinstance(policy["max_retries"], int) and 0 < policy["max_retries"] <= 5
    assert sum(waits) <= 5  # a request that queues work never hangs long on a broker outage


# -- OpenAPI schema ----------------------------------------------------------------------------------------------


def test_the_schema_describes_the_api_key_scheme_once_and_every_operation_accepts_it(agency_a, api_as):
    response = api_as(agency_a.rw_header).get(reverse("schema"), {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    schemes = schema["components"]["securitySchemes"]
    authorization_header_schemes = [name for name, scheme in schemes.items()
                                    if scheme.get("in") == "header" and scheme.get("name") == "Authorization"]
    assert authorization_header_schemes == ["ApiKeyAuth"]
    assert schemes["ApiKeyAuth"]["type"] == "apiKey"
    operations = [(path, method, operation) for path, methods in schema["paths"].items()
                  for method, operation in methods.items()]
    assert operations
    assert [(path, method) for path, method, operation in operations
            if {"ApiKeyAuth": []} not in operation.get("security", [])] == []
