"""The task that loads a metrics file too big for one request (``health.imports.import_metrics``): it claims its
import once, loads it for the person who uploaded it, reports its progress through the cache (not a write per row),
and stores the counts or the bad lines."""

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Membership
from health import imports
from health.imports import import_metrics
from health.models import HealthSnapshot, MetricsImport
from tests.accounts.transfers import private_storage  # noqa: F401  (the fixture of every test here)

pytestmark = pytest.mark.usefixtures("private_storage")

DAY = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()


def queued_import(persona, lines, *, user=None, header="store,date,late_shipment_rate"):
    content = "\n".join([header, *lines]) + "\n"
    with persona.scope():
        return imports.metrics_import_create(agency=persona.agency, user=user or persona.owner,
                                             upload=SimpleUploadedFile("big.csv", content.encode()))


def run(record):
    return import_metrics.apply(kwargs={"agency_id": record.agency_id, "import_id": record.pk}).get()


def fresh(record):
    with scopes_disabled():
        return MetricsImport.objects.get(pk=record.pk)


def snapshot_count(persona):
    with scopes_disabled():
        return HealthSnapshot.objects.filter(agency=persona.agency).count()


def test_the_task_loads_the_file_and_stores_the_counts(agency_a):
    record = queued_import(agency_a, [f"{agency_a.assigned_store.pk},{DAY},0.01",
                                      f"{agency_a.other_store.pk},{DAY},0.05"])
    assert run(record) is True
    record = fresh(record)
    assert (record.status, record.created, record.updated, record.unchanged) == ("done", 2, 0, 0)
    assert (record.rows_total, record.rows_done, record.errors) == (2, 2, [])
    assert record.finished_at is not None
    assert snapshot_count(agency_a) == 2


def test_the_task_run_twice_loads_the_file_once(agency_a):
    record = queued_import(agency_a, [f"{agency_a.assigned_store.pk},{DAY},0.01"])
    assert run(record) is True
    first = fresh(record)
    assert run(record) is False, "the second run finds the import claimed and does nothing"
    second = fresh(record)
    assert (second.status, second.created, second.unchanged, second.finished_at) == (
        "done", 1, 0, first.finished_at)
    assert snapshot_count(agency_a) == 1


def test_an_import_claimed_by_another_run_is_left_to_it(agency_a):
    record = queued_import(agency_a, [f"{agency_a.assigned_store.pk},{DAY},0.01"])
    with scopes_disabled():
        MetricsImport.objects.filter(pk=record.pk).update(status=MetricsImport.Status.RUNNING,
                                                          started_at=timezone.now() - datetime.timedelta(minutes=1))
    assert run(record) is False
    assert fresh(record).status == "running" and snapshot_count(agency_a) == 0


def test_an_import_whose_run_died_is_taken_over_once_its_time_limit_has_passed(agency_a, settings):
    """A worker that died mid-run wrote nothing (one transaction) and left the row "running"; the task the broker
    hands to another worker loads the file once that run cannot be alive any more (past the hard time limit)."""
    record = queued_import(agency_a, [f"{agency_a.assigned_store.pk},{DAY},0.01"])
    died = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 5)
    with scopes_disabled():
        MetricsImport.objects.filter(pk=record.pk).update(status=MetricsImport.Status.RUNNING, started_at=died)
    assert run(record) is True
    assert (fresh(record).status, fresh(record).created) == ("done", 1)
    assert snapshot_count(agency_a) == 1


def test_a_file_with_bad_lines_fails_with_them_and_writes_nothing(agency_a):
    record = queued_import(agency_a, [f"{agency_a.assigned_store.pk},{DAY},0.01",
                                      f"{agency_a.other_store.pk},{DAY},2"])
    run(record)
    record = fresh(record)
    assert record.status == "failed"
    assert [(error["line"], error["field"]) for error in record.errors] == [(3, "late_shipment_rate")]
    assert "2" in record.errors[0]["message"]
    assert (record.created, snapshot_count(agency_a)) == (0, 0)


def test_an_operators_file_is_loaded_for_their_stores_only(agency_a):
    record = queued_import(agency_a, [f"{agency_a.other_store.pk},{DAY},0.01"], user=agency_a.operator)
    run(record)
    assert [error["line"] for error in fresh(record).errors] == [2]
    assert snapshot_count(agency_a) == 0


def test_the_file_of_someone_who_left_the_agency_is_not_loaded(agency_a):
    record = queued_import(agency_a, [f"{agency_a.assigned_store.pk},{DAY},0.01"], user=agency_a.manager)
    with scopes_disabled():
        Membership.objects.filter(agency=agency_a.agency, user=agency_a.manager).update(is_active=False)
    run(record)
    assert fresh(record).status == "failed" and snapshot_count(agency_a) == 0


def test_another_agencys_id_runs_nothing(agency_a, agency_b):
    """The task is given B's agency and A's import: in B's scope there is no such import."""
    record = queued_import(agency_a, [f"{agency_a.assigned_store.pk},{DAY},0.01"])
    assert import_metrics.apply(kwargs={"agency_id": agency_b.agency.pk, "import_id": record.pk}).get() is False
    assert fresh(record).status == "queued" and snapshot_count(agency_a) == 0


def test_progress_is_reported_through_the_cache_at_most_once_a_second(agency_a):
    now = [0.0]
    report = imports._progress_reporter(41, clock=lambda: now[0])
    report(5000)
    now[0] = 0.5
    report(10000)
    assert cache.get(imports.progress_key(41)) == 5000, "half a second later: not written again"
    now[0] = 1.2
    report(15000)
    assert cache.get(imports.progress_key(41)) == 15000


def test_a_running_imports_page_reads_its_progress_from_the_cache(agency_a):
    record = queued_import(agency_a, [f"{agency_a.assigned_store.pk},{DAY},0.01"])
    with scopes_disabled():
        MetricsImport.objects.filter(pk=record.pk).update(status=MetricsImport.Status.RUNNING, rows_total=20000)
    cache.set(imports.progress_key(record.pk), 5000)
    assert imports.rows_done(fresh(record)) == 5000


def test_the_lines_of_a_file_are_counted_for_the_bar_with_or_without_a_last_newline(agency_a):
    with_newline = queued_import(agency_a, ["1,2024-01-01,0.1", "2,2024-01-01,0.1"])
    assert imports._count_lines(with_newline.file.name) == 2
    without = queued_import(agency_a, [])
    assert imports._count_lines(without.file.name) == 0
