"""Evaluation: each store's health from its latest snapshot, by the rules of ``health.thresholds``, for sets of
stores at a time (house rule 5: a few queries for 500 stores, not 500).

For a set of stores (at most ``CHUNK`` of them, as the tasks send them):

1. one query reads each store's latest snapshot, annotated with, per policy count, the value of the latest
   **earlier snapshot that has that count** (a day without the count is skipped, not read as zero: missing is
   "no data"), and with the id of the latest snapshot dated at least seven days before it (the trend);
2. one query reads those week-old snapshots, annotated the same way, so that last week's colour is judged by the
   same rules as today's;
3. ``thresholds.evaluate_day`` gives every metric its verdict, with the agency's ``Thresholds`` and the report's
   own targets of that day;
4. one statement upserts a ``StoreHealth`` row per store (``INSERT ... ON CONFLICT (store_id) DO UPDATE``; on
   PostgreSQL the hand-written one of ``evaluation_sql``); a store without snapshots gets, or goes back to,
   "no data". Running it twice writes the same rows.

The same reads serve ``health.selectors.store_health``, which evaluates one store afresh for the API.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts import extensions
from accounts.models import Store

from . import evaluation_sql, metrics, thresholds
from .models import HealthSnapshot, StoreHealth
from .thresholds import Colour

#: The most stores one evaluation (one task) takes.
CHUNK = 500
#: The trend compares with the latest snapshot at least this much older than the latest one.
WEEK = timedelta(days=7)

_PREVIOUS = "previous_"
_WEEK_AGO_ID = "week_ago_id"
#: The StoreHealth columns an evaluation (re)writes.
WRITTEN_FIELDS = ("date", "colour", "worst_metric", "red_count", "yellow_count", "ahr_score", "evaluations",
                  "week_ago_date", "week_ago_colour", "week_ago_ahr_score", "evaluated_at")


@dataclass(frozen=True)
class DayVerdict:
    """Every metric's verdict on one snapshot (``None``: the store has no snapshot), the worst of them, the
    store's colour, and the rules they were judged by."""

    snapshot: HealthSnapshot | None
    evaluations: dict = field(default_factory=dict)
    rules: thresholds.Thresholds | None = None

    def target_of(self, key):
        """The target ``key`` is held to that day (also for a metric without data), or ``None``."""
        found = self.evaluations.get(key)
        if found is not None and found.target is not None:
            return found.target
        report_targets = (self.snapshot.report_targets or {}) if self.snapshot is not None else {}
        return self.rules.target_of(key, report_targets.get(key)) if self.rules is not None else None

    @property
    def worst(self):
        found = thresholds.worst(self.evaluations.values())
        return None if found is None or found.colour == Colour.NO_DATA else found

    @property
    def colour(self):
        return thresholds.store_colour(self.evaluations.values())

    def count(self, colour):
        return sum(1 for evaluation in self.evaluations.values() if evaluation.colour == colour)


def _previous_counts(agency):
    """Annotations: for each policy count, the value of the latest earlier snapshot of the store having it."""
    return {
        f"{_PREVIOUS}{key}": Subquery(
            HealthSnapshot.objects.filter(agency=agency, store_id=OuterRef("store_id"), date__lt=OuterRef("date"),
                                          **{f"{key}__isnull": False})
            .order_by("-date").values(key)[:1])
        for key in metrics.COUNT_KEYS
    }


def latest_snapshots(*, agency, store_ids):
    """The latest snapshot of each of ``store_ids`` (of ``agency``) that has one, with the previous counts and the
    id of the snapshot a week before: one query."""
    latest_date = (HealthSnapshot.objects.filter(agency=agency, store_id=OuterRef("store_id"))
                   .order_by("-date").values("date")[:1])
    week_ago = (HealthSnapshot.objects.filter(agency=agency, store_id=OuterRef("store_id"),
                                              date__lte=OuterRef("date") - WEEK)
                .order_by("-date").values("pk")[:1])
    return (HealthSnapshot.objects.filter(agency=agency, store_id__in=store_ids, date=Subquery(latest_date))
            .annotate(**_previous_counts(agency), **{_WEEK_AGO_ID: Subquery(week_ago)}))


def snapshots_with_previous_counts(*, agency, snapshot_ids):
    """The snapshots ``snapshot_ids`` of ``agency``, with their previous counts: one query."""
    return HealthSnapshot.objects.filter(agency=agency, pk__in=snapshot_ids).annotate(**_previous_counts(agency))


def previous_counts_of(snapshot):
    """``{count key: previous value}`` read from a snapshot of ``latest_snapshots`` (``None``: no earlier count)."""
    return {key: getattr(snapshot, f"{_PREVIOUS}{key}", None) for key in metrics.COUNT_KEYS}


def verdict_of(snapshot, *, rules):
    """The ``DayVerdict`` on ``snapshot`` (annotated with its previous counts) under ``rules`` (``Thresholds``);
    ``None`` gives every metric "no data"."""
    if snapshot is None:
        return DayVerdict(None, thresholds.evaluate_day({}, thresholds=rules), rules)
    evaluations = thresholds.evaluate_day(snapshot.values(), thresholds=rules,
                                          report_targets=snapshot.report_targets or {},
                                          previous_counts=previous_counts_of(snapshot))
    return DayVerdict(snapshot, evaluations, rules)


def store_verdict(*, agency, store, rules):
    """``store``'s verdict on its latest snapshot, evaluated now: one query."""
    return verdict_of(latest_snapshots(agency=agency, store_ids=[store.pk]).first(), rules=rules)


def store_health_rows(*, agency, store_ids, rules):
    """Unsaved ``StoreHealth`` rows of those of ``store_ids`` that are ``agency``'s stores, freshly evaluated under
    ``rules``: three queries whatever the number of stores."""
    stores = list(Store.objects.filter(agency=agency, pk__in=list(store_ids)).values_list("pk", flat=True))
    latest = {snapshot.store_id: snapshot for snapshot in latest_snapshots(agency=agency, store_ids=stores)}
    week_ago_ids = [getattr(s, _WEEK_AGO_ID) for s in latest.values() if getattr(s, _WEEK_AGO_ID) is not None]
    week_ago = ({snapshot.store_id: snapshot for snapshot in
                 snapshots_with_previous_counts(agency=agency, snapshot_ids=week_ago_ids)} if week_ago_ids else {})
    now = timezone.now()
    rows = []
    for store_id in stores:
        today = verdict_of(latest.get(store_id), rules=rules)
        before = week_ago.get(store_id)
        worst = today.worst
        rows.append(StoreHealth(
            agency=agency, store_id=store_id,
            date=today.snapshot.date if today.snapshot else None,
            colour=today.colour,
            worst_metric=worst.key if worst else "",
            red_count=today.count(Colour.RED),
            yellow_count=today.count(Colour.YELLOW),
            ahr_score=today.snapshot.ahr_score if today.snapshot else None,
            evaluations={key: e.as_dict() for key, e in today.evaluations.items()} if today.snapshot else {},
            week_ago_date=before.date if before else None,
            week_ago_colour=verdict_of(before, rules=rules).colour if before else Colour.NO_DATA,
            week_ago_ahr_score=before.ahr_score if before else None,
            evaluated_at=now,
        ))
    return rows


def store_health_upsert(*, agency, store_ids, rules):
    """Evaluate ``store_ids`` of ``agency`` under ``rules`` and write their ``StoreHealth`` rows in one statement,
    then hand them to the apps that act on them (``accounts.extensions.health_evaluated``); returns how many stores
    were evaluated. Safe to run twice (and concurrently: the upsert is on the store)."""
    rows = store_health_rows(agency=agency, store_ids=store_ids, rules=rules)
    if rows:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                evaluation_sql.store_health_write(agency_id=agency.pk, rows=rows, now=rows[0].evaluated_at)
            else:
                StoreHealth.objects.bulk_create(rows, update_conflicts=True, unique_fields=["store"],
                                                update_fields=list(WRITTEN_FIELDS))
            # What the apps above act on (the alerts of these stores), in the same transaction: a verdict and the
            # alert it opens are written together or not at all.
            for listener in extensions.health_evaluated.contributions():
                listener(agency=agency, evaluated=rows)
    return len(rows)
