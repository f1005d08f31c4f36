"""Factories of the health app's rows (tests only; production writes snapshots through health.ingestion)."""

import datetime

import factory
from django.utils import timezone

from health.models import HealthSnapshot, Source
from tests.factories import ScopedFactory


class HealthSnapshotFactory(ScopedFactory):
    class Meta:
        model = HealthSnapshot

    store = None
    agency = factory.LazyAttribute(lambda row: row.store.agency)
    date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=1))
    source = Source.API
    received_at = factory.LazyFunction(timezone.now)
    ahr_score = 250
    ahr_status = "GREAT"
    account_status = "NORMAL"
    odr_mfn = 0.002
    late_shipment_rate = 0.01
    cancel_rate = 0.005
    valid_tracking_rate = 0.99
    on_time_delivery_rate = 0.97
