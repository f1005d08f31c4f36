"""Reads of the health app, each with the agency as an explicit keyword argument."""

from dataclasses import dataclass

from django.db import models

from accounts.models import Store
from accounts.selectors import visible_rows

from . import evaluation
from .models import HealthPolicy, HealthSnapshot, StoreHealth
from .thresholds import WORST_FIRST, Colour


def health_policy(*, agency):
    """The agency's health numbers: its row, or an unsaved row with DOMAIN.md's defaults when it never changed
    them (nothing needs creating when an agency is created)."""
    return HealthPolicy.objects.filter(agency=agency).first() or HealthPolicy(agency=agency)


def store_trend(*, agency, store, since):
    """``store``'s snapshots from ``since`` on, oldest first (the store page's trend charts): one query."""
    return HealthSnapshot.objects.filter(agency=agency, store=store, date__gte=since).order_by("date")


def evaluated_health(*, agency, store):
    """``store``'s health as last evaluated (a ``StoreHealth``), or ``None`` before its first evaluation."""
    return StoreHealth.objects.filter(agency=agency, store=store).first()


def store_health(*, agency, store):
    """``store``'s health evaluated afresh from its latest snapshot by the rules of ``health.thresholds`` and the
    agency's policy (not the possibly stale ``StoreHealth``): an ``evaluation.DayVerdict``. Two queries."""
    rules = health_policy(agency=agency).thresholds()
    return evaluation.store_verdict(agency=agency, store=store, rules=rules)


def snapshot_list(*, agency, caller):
    """The snapshots of the stores ``caller`` sees, newest first."""
    snapshots = HealthSnapshot.objects.filter(agency=agency).order_by("-date", "-pk")
    return visible_rows(snapshots, caller=caller)


@dataclass(frozen=True)
class StoresNeedingAttention:
    """The red and yellow stores a caller sees: the first ``listed`` (red first, each with its store loaded) and
    how many there are of each colour."""

    listed: list
    red: int
    yellow: int

    @property
    def total(self):
        return self.red + self.yellow

    @property
    def more(self):
        return self.total - len(self.listed)


def stores_needing_attention(*, agency, caller, limit):
    """``StoresNeedingAttention`` of ``agency`` for ``caller`` (an operator: their stores), read from the last
    evaluation: two queries whatever the number of stores."""
    health = visible_rows(StoreHealth.objects.filter(agency=agency, colour__in=WORST_FIRST[:2]), caller=caller)
    counts = dict(health.order_by().values_list("colour").annotate(n=models.Count("id")))
    ranked = health.annotate(rank=models.Case(
        models.When(colour=Colour.RED, then=models.Value(0)), default=models.Value(1),
        output_field=models.IntegerField()))
    listed = list(ranked.select_related("store").order_by("rank", "-red_count", "store__name", "store_id")[:limit])
    return StoresNeedingAttention(listed=listed, red=counts.get(Colour.RED, 0), yellow=counts.get(Colour.YELLOW, 0))


def stores_with_health(stores, colours):
    """``stores`` (a queryset of the caller's visible stores) narrowed to those whose last evaluated colour is one
    of ``colours``; a store never evaluated counts as "no data"."""
    condition = models.Q(health__colour__in=colours)
    if Colour.NO_DATA in colours:
        condition |= models.Q(health__isnull=True)
    return stores.filter(condition)


def all_store_ids(*, agency):
    """The ids of every store of ``agency`` (what the sweep and a policy change evaluate again)."""
    return list(Store.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True))
