"""Two ERPs (or two retries of one) send overlapping batches at the same moment: both succeed, no snapshot is
duplicated, no deadlock, and every snapshot ends with the values of one of the two batches."""

import datetime
import threading

import pytest
from celery import _state as celery_state
from django.db import connection
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from accounts.models import Store
from health.models import HealthSnapshot
from tests.factories import StoreFactory

URL = "/api/v1/health/snapshots/bulk/"
DAYS = [(datetime.date.today() - datetime.timedelta(days=n)).isoformat() for n in range(2, 6)]


def batch(stores, rate, *, reverse):
    rows = [{"store": store.pk, "date": day, "late_shipment_rate": rate, "ahr_score": int(rate * 1000)}
            for store in stores for day in DAYS]
    # Opposite orders: without the upsert's stable lock order these two would deadlock.
    return list(reversed(rows)) if reverse else rows


@pytest.fixture(autouse=True)
def celerys_join_flag_restored():
    """Each batch's evaluation runs eagerly in its thread, and Celery's eager run saves and restores a flag of the
    whole process ("a task is running: do not wait on results") without a lock: two at once can leave it set, and
    every later ``result.get()`` of the process (the integration tests') would refuse to run. Put it back."""
    before = celery_state.task_join_will_block()
    yield
    celery_state._set_task_join_will_block(before)


def send_together(persona, batches):
    """Post each of ``batches`` (``{name: rows}``) from a thread of its own, all at the same moment; the answers
    by name."""
    start = threading.Barrier(len(batches))
    answers = {}

    def send(name, rows):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=persona.rw_header)
        try:
            start.wait(timeout=30)
            answers[name] = client.post(URL, {"snapshots": rows}, format="json")
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(name, rows)) for name, rows in batches.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_batches_at_the_same_time_neither_fail_nor_duplicate(agency_a):
    stores = [agency_a.assigned_store, agency_a.other_store]
    stores += [StoreFactory(agency=agency_a.agency, client=agency_a.client) for _ in range(40)]
    first = batch(stores[:30], 0.01, reverse=False)
    second = batch(stores[10:], 0.02, reverse=True)
    answers = send_together(agency_a, {"first": first, "second": second})

    assert {name: answer.status_code for name, answer in answers.items()} == {"first": 200, "second": 200}, {
        name: answer.content[:300] for name, answer in answers.items()}
    assert answers["first"].json()["created"] + answers["second"].json()["created"] == len(stores) * len(DAYS)
    with scopes_disabled():
        snapshots = list(HealthSnapshot.objects.filter(agency=agency_a.agency))
        assert Store.objects.filter(agency=agency_a.agency).count() == len(stores)
    assert len(snapshots) == len({(row.store_id, row.date) for row in snapshots}) == len(stores) * len(DAYS)
    overlap = {store.pk for store in stores[10:30]}
    for row in snapshots:
        assert (row.late_shipment_rate, row.ahr_score) in ({(0.01, 10), (0.02, 20)} if row.store_id in overlap
                                                            else {(0.01, 10)} if row.store_id in
                                                            {s.pk for s in stores[:10]} else {(0.02, 20)})


@pytest.mark.django_db(transaction=True)
def test_two_batches_naming_different_metrics_of_the_same_days_at_the_same_time_both_stay(agency_a):
    """The ERP's push and Amazon's report for the same days at once: each sets the metrics it names, and neither
    writes the other's back to what it read before the other committed."""
    stores = [agency_a.assigned_store, agency_a.other_store]
    stores += [StoreFactory(agency=agency_a.agency, client=agency_a.client) for _ in range(30)]
    existing = [{"store": store.pk, "date": day, "cancel_rate": 0.001} for store in stores for day in DAYS]
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=agency_a.rw_header)
    assert client.post(URL, {"snapshots": existing}, format="json").status_code == 200

    shipping = [{"store": store.pk, "date": day, "late_shipment_rate": 0.03} for store in stores for day in DAYS]
    defects = [{"store": store.pk, "date": day, "odr_mfn": 0.004} for store in reversed(stores) for day in DAYS]
    answers = send_together(agency_a, {"shipping": shipping, "defects": defects})

    assert {name: answer.status_code for name, answer in answers.items()} == {"shipping": 200, "defects": 200}
    assert answers["shipping"].json()["updated"] == answers["defects"].json()["updated"] == len(existing)
    with scopes_disabled():
        values = set(HealthSnapshot.objects.filter(agency=agency_a.agency)
                     .values_list("cancel_rate", "late_shipment_rate", "odr_mfn"))
    assert values == {(0.001, 0.03, 0.004)}
