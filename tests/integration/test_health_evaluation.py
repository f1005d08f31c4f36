"""A batch of snapshots sent to the bulk API is evaluated by a real Celery worker, after the commit, in the agency's
scope: the store's health is written there, not in the request."""

import datetime
from contextlib import contextmanager

import pytest
from celery.result import AsyncResult
from celery.signals import after_task_publish
from django_scopes import scopes_disabled

from health import tasks
from health.models import StoreHealth
from health.thresholds import Colour

pytestmark = pytest.mark.integration


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


def test_a_bulk_upsert_is_evaluated_by_the_worker_after_the_commit(live_celery, agency_a, agency_b, api_as):
    day = str(datetime.date.today() - datetime.timedelta(days=2))
    batch = {"snapshots": [
        {"store": agency_a.assigned_store.pk, "date": day, "late_shipment_rate": 0.046, "ahr_score": 420},
        {"store": agency_a.other_store.pk, "date": day, "ahr_score": 150},
    ]}

    with published(tasks.evaluate_stores.name) as sent:
        answer = api_as(agency_a.rw_header).post("/api/v1/health/snapshots/bulk/", batch, format="json")

    assert answer.status_code in (200, 201), answer.content
    assert len(sent) == 1, "one evaluation task for the batch's two stores"
    result = AsyncResult(sent[0])
    assert result.get(timeout=live_celery.timeout) == 2
    assert sent[0] in live_celery.log(), "the evaluation ran somewhere other than the worker this test started"

    with scopes_disabled():
        health = {row.store_id: row for row in StoreHealth.objects.all()}
    assert set(health) == {agency_a.assigned_store.pk, agency_a.other_store.pk}
    assert (health[agency_a.assigned_store.pk].colour, health[agency_a.assigned_store.pk].worst_metric) == (
        Colour.RED, "late_shipment_rate")
    assert (health[agency_a.other_store.pk].colour, health[agency_a.other_store.pk].ahr_score) == (Colour.YELLOW, 150)

