"""Factories of the health app's rows (tests only; production writes snapshots through health.ingestion)."""

import datetime

import factory
from django.utils import timezone
from django_scopes import scope

from health import thresholds
from health.models import HealthSnapshot, Source, StoreHealth
from health.thresholds import Colour
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


def evaluated_health(store, *, date=None, week_ago_colour=Colour.NO_DATA, week_ago_ahr_score=None, **values):
    """A ``StoreHealth`` of ``store`` as the evaluation would leave it for one day's ``values`` (metric keys; the
    defaults are a healthy day, a key given ``None`` has no data): every verdict from ``health.thresholds`` with the
    default thresholds, the worst metric, the counts, and the state a week before."""
    day = {"ahr_score": 250, "ahr_status": "GREAT", "account_status": "NORMAL", "late_shipment_rate": 0.01,
           "valid_tracking_rate": 0.99, **values}
    verdicts = thresholds.evaluate_day(day, thresholds=thresholds.Thresholds())
    found = [verdict for verdict in verdicts.values() if verdict.colour != Colour.NO_DATA]
    worst = thresholds.worst(found)
    date = date or datetime.date.today() - datetime.timedelta(days=1)
    with scope(agency=store.agency):
        return StoreHealth.objects.create(
            agency=store.agency, store=store, date=date, colour=thresholds.store_colour(found),
            worst_metric=worst.key if worst else "", ahr_score=day.get("ahr_score"),
            red_count=sum(verdict.colour == Colour.RED for verdict in found),
            yellow_count=sum(verdict.colour == Colour.YELLOW for verdict in found),
            evaluations={key: verdict.as_dict() for key, verdict in verdicts.items()},
            week_ago_date=None if week_ago_colour == Colour.NO_DATA else date - datetime.timedelta(days=7),
            week_ago_colour=week_ago_colour, week_ago_ahr_score=week_ago_ahr_score, evaluated_at=timezone.now(),
        )
