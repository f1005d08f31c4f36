"""Two ERPs (or two retries of one) send overlapping batches at the same moment: both succeed, no snapshot is
duplicated, no deadlock, and every snapshot ends with the values of one of the two batches."""

import datetime
import threading

import pytest
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


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_batches_at_the_same_time_neither_fail_nor_duplicate(agency_a):
    stores = [agency_a.assigned_store, agency_a.other_store]
    stores += [StoreFactory(agency=agency_a.agency, client=agency_a.client) for _ in range(40)]
    first = batch(stores[:30], 0.01, reverse=False)
    second = batch(stores[10:], 0.02, reverse=True)
    start = threading.Barrier(2)
    answers = {}

    def send(name, rows):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=agency_a.rw_header)
        try:
            start.wait(timeout=30)
            answers[name] = client.post(URL, {"snapshots": rows}, format="json")
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=("first", first)),
               threading.Thread(target=send, args=("second", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

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
