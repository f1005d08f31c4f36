"""The demo history: ``loaddemo`` gives every demo store 120 days of plausible metrics, a few stores in trouble
(red and yellow), all evaluated when it ends; quickly, and a second run adds nothing."""

import io
import time

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from accounts.models import Agency, Store
from health import demo
from health.models import HealthSnapshot, Source, StoreHealth
from health.thresholds import Colour


def loaddemo():
    call_command("loaddemo", "--password", "demo-test-pass", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_loaddemo_adds_120_days_of_history_with_a_few_stores_in_trouble_evaluated_quickly():
    started = time.monotonic()
    loaddemo()
    took = time.monotonic() - started

    agency = Agency.objects.get(slug="demo")
    with scopes_disabled():
        stores = Store.objects.filter(agency=agency).count()
        snapshots = HealthSnapshot.objects.filter(agency=agency)
        assert snapshots.count() == stores * demo.DAYS
        assert set(snapshots.values_list("source", flat=True)) == {Source.API}
        assert snapshots.values("date").distinct().count() == demo.DAYS
        healths = {row.store.name: row for row in StoreHealth.objects.filter(agency=agency).select_related("store")}
    assert len(healths) == stores
    colours = [row.colour for row in healths.values()]
    assert 3 <= colours.count(Colour.RED) <= 6, colours
    assert colours.count(Colour.YELLOW) >= 2, colours
    assert colours.count(Colour.GREEN) >= stores // 2, colours
    worst = {row.worst_metric for row in healths.values() if row.colour == Colour.RED}
    assert {"late_shipment_rate", "ahr_score", "ip_complaints", "account_status"} <= worst
    assert took < 15, f"loaddemo took {took:.1f} s"


@pytest.mark.django_db(transaction=True)
def test_the_demo_history_is_the_same_every_time_and_a_second_run_adds_nothing():
    loaddemo()
    with scopes_disabled():
        first = list(HealthSnapshot.objects.order_by("store__name", "date").values_list(
            "store__name", "date", "ahr_score", "late_shipment_rate"))
    loaddemo()
    with scopes_disabled():
        again = list(HealthSnapshot.objects.order_by("store__name", "date").values_list(
            "store__name", "date", "ahr_score", "late_shipment_rate"))
    assert again == first
