"""Benchmark of the monthly review: a cycle opened for 10,000 stores through the product's path, against one
set-based SQL aggregate of the same month's figures, in the same run (issue 12, "Speed").

    DATABASE_URL=postgres://... python bench/reviews.py      # PostgreSQL only (make bench-reviews)

It builds an agency of 10,000 stores and one of 1,000 with the bench's own generator (``bench.generate``), then
writes for each a month of daily snapshots and the month before it (a raw ``COPY``: history is not what this
measures; about 3 % of the days missing, a red or yellow stretch on one store in five, some days with Amazon's own
targets), some alerts, cases and chats (two invalid in a row on a few stores: a freeze), then ``VACUUM ANALYZE``s the
tables (what autovacuum would soon do). The month is last month in the agency's time zone. Then:

1. runs ``reviews.summary.summary_sql_aggregate`` (one statement: month end, worst, days red and yellow per metric,
   change, alerts and cases) over the month, the least of three runs;
2. opens the month's cycle for each agency through ``reviews.services.cycle_open`` (the product's path: the stores to
   review, their reviewers, ``reviews.summary.month_summaries`` in chunks and the ``StoreReview`` inserts), timing it
   and counting its queries; then times ``month_summaries`` alone over the same chunks;
3. counts the queries of ``month_summaries`` for all 1,000 and all 10,000 stores in one call (must be equal), and
   checks that it counts the same days red as the SQL;
4. writes the XLSX export of the 10,000-store cycle (``reviews.reports.xlsx.cycle_xlsx``) to a temporary file and
   measures its peak memory (``tracemalloc``: what Python allocated during the export).

It prints the times, the ratio (goal: within 3x), the queries (goal: not growing with the stores) and the export's
peak (goal: under 200 MB), each with "met" or "NOT met". Under five minutes on a laptop.
"""

import datetime
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_scopes import scope  # noqa: E402

from accounts.models import Agency, Store  # noqa: E402
from accounts.tenancy import Caller  # noqa: E402
from alerts.models import Alert  # noqa: E402
from alerts.rules import AlertKind  # noqa: E402
from bench.generate import build_agency  # noqa: E402
from cases.models import ChatSession, SupportCase  # noqa: E402
from health import metrics  # noqa: E402
from health.models import HealthSnapshot, Source  # noqa: E402
from health.selectors import health_policy  # noqa: E402
from reviews import services, summary  # noqa: E402
from reviews.models import StoreReview  # noqa: E402
from reviews.summary import month as calendar  # noqa: E402

STORES, SMALL = 10_000, 1_000
SQL_ROUNDS = 3
RATIO_GOAL, XLSX_GOAL_MB = 3, 200


# -- the data -----------------------------------------------------------------------------------------------------
def green_day(rng):
    return {"ahr_score": rng.randrange(250, 1000), "ahr_status": "GREAT", "account_status": "NORMAL",
            "odr_mfn": round(rng.uniform(0, 0.006), 4), "odr_afn": 0.001,
            "late_shipment_rate": round(rng.uniform(0.0, 0.02), 4), "cancel_rate": 0.004,
            "valid_tracking_rate": round(rng.uniform(0.97, 1.0), 3), "on_time_delivery_rate": 0.97,
            "unit_on_time_delivery_rate": 0.96, "invoice_defect_rate": 0.01,
            **{key: 0 for key in metrics.COUNT_KEYS},
            "warning_states": [{"type": "spammingSellerMessaging", "status": "GOOD"}]}


#: A store's trouble during a stretch of days (one store in five has one).
TROUBLES = (
    lambda day: day.update(late_shipment_rate=0.052),
    lambda day: day.update(late_shipment_rate=0.035),  # yellow
    lambda day: day.update(odr_mfn=0.013),
    lambda day: day.update(valid_tracking_rate=0.93),
    lambda day: day.update(account_status="AT_RISK"),
    lambda day: day.update(warning_states=[{"type": "spammingSellerMessaging", "status": "BAD"}]),
    lambda day: day.update(ahr_score=80, ahr_status="CRITICAL"),
    lambda day: day.update(ip_complaints=2),
)
REPORT_TARGETS = json.dumps({"late_shipment_rate": {"target": 0.05, "condition": "LESS_THAN", "status": "GOOD"}})


def copy_snapshots(agency, store_ids, days, rng):
    """Every store's snapshots of ``days`` (about 3 % missing) with a raw ``COPY``; returns the rows written."""
    columns = ["agency_id", "store_id", "date", "source", "received_at", "created_at", *metrics.KEYS,
               "report_targets"]
    now = datetime.datetime.now(datetime.UTC)
    written = 0
    with connection.cursor() as cursor, cursor.connection.cursor().copy(
            f"COPY {HealthSnapshot._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
        for store_id in store_ids:
            trouble = rng.choice(TROUBLES) if rng.random() < 0.2 else None
            stretch = set(rng.sample(range(len(days)), rng.randrange(1, 12))) if trouble else set()
            with_targets = rng.random() < 0.05
            for index, day in enumerate(days):
                if rng.random() < 0.03:
                    continue
                values = green_day(rng)
                if index in stretch:
                    trouble(values)
                copy.write_row((agency.pk, store_id, day, Source.API, now, now,
                                *(json.dumps(values[key]) if key == "warning_states" else values[key]
                                  for key in metrics.KEYS), REPORT_TARGETS if with_targets else "{}"))
                written += 1
    return written


def write_alerts_cases_chats(agency, store_ids, month, rng):
    """Alerts on one store in twenty, cases on one in ten, chats on one in twenty (a few frozen)."""
    start, end = calendar.month_bounds(month, agency.time_zone)
    span = (end - start).total_seconds()

    def moment():
        return start + datetime.timedelta(seconds=rng.uniform(0, span))

    alerts, cases, chats = [], [], []
    for n, store_id in enumerate(store_ids):
        if rng.random() < 0.05:
            seen = moment()
            resolved = seen + datetime.timedelta(days=rng.uniform(0, 20)) if rng.random() < 0.5 else None
            alerts.append(Alert(agency=agency, store_id=store_id, rule="late_shipment_rate", kind=AlertKind.METRIC,
                                severity=Alert.Severity.RED, first_seen_at=seen, last_seen_at=seen, due_at=seen,
                                status=Alert.Status.RESOLVED if resolved else Alert.Status.OPEN,
                                resolved_at=resolved))
        if rng.random() < 0.1:
            opened = moment()
            resolved = rng.random() < 0.4
            cases.append(SupportCase(agency=agency, store_id=store_id, amazon_case_id=f"{agency.pk}{n:07d}",
                                     subject="Listing removed", category="listing_removal",
                                     status=SupportCase.Status.RESOLVED if resolved else SupportCase.Status.OPENED,
                                     opened_at=opened, resolved_at=opened + datetime.timedelta(days=2)
                                     if resolved else None, waiting_since=None if resolved else opened))
        if rng.random() < 0.05:
            first = moment()
            outcomes = ("invalid", "invalid") if rng.random() < 0.3 else ("resolved", "invalid")
            chats += [ChatSession(agency=agency, store_id=store_id, requested_at=first + datetime.timedelta(hours=h),
                                  category="account_health", outcome=outcome)
                      for h, outcome in zip((0, 3), outcomes, strict=True)]
    Alert.objects.bulk_create(alerts, batch_size=2000)
    SupportCase.objects.bulk_create(cases, batch_size=2000)
    ChatSession.objects.bulk_create(chats, batch_size=2000)
    return len(alerts), len(cases), len(chats)


def moment_of(day):
    return calendar.moment(day, Agency._meta.get_field("time_zone").default)


def build(slug, stores, month, rng):
    """An agency of ``stores`` stores with the two months of data; returns ``(generated, counts)``."""
    generated = build_agency(slug, stores)
    agency = generated.agency
    before = calendar.previous_month(month)
    days = calendar.days_of(before) + calendar.days_of(month)
    with scope(agency=agency):
        # Stores that were there before the month (``cycle_open`` reviews the stores active in it).
        Store.objects.filter(agency=agency).update(created_at=moment_of(before))
        store_ids = list(Store.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True))
        snapshots = copy_snapshots(agency, store_ids, days, rng)
        counts = write_alerts_cases_chats(agency, store_ids, month, rng)
    # What autovacuum would soon do: statistics to plan with, and the freshly copied rows' visibility settled, so
    # that neither path pays for the first reads of new rows (the first to scan them would write every page).
    with connection.cursor() as cursor:
        for model in (HealthSnapshot, Alert, SupportCase, ChatSession, Store):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return generated, (snapshots, *counts)


# -- the measures -------------------------------------------------------------------------------------------------
def open_cycle(agency, month):
    """``(seconds, queries, cycle, reviews)`` of opening ``month``'s cycle through the product's path."""
    with scope(agency=agency), CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        cycle = services.cycle_open(agency=agency, month=month)
        seconds = time.perf_counter() - started
        reviews = StoreReview.objects.filter(agency=agency, cycle=cycle).count()
    return seconds, len(captured) - 1, cycle, reviews


def sql_aggregate(agency, month):
    with scope(agency=agency):
        rules = health_policy(agency=agency).thresholds()
    samples, rows = [], []
    for _round in range(SQL_ROUNDS):
        started = time.perf_counter()
        rows = summary.summary_sql_aggregate(agency=agency, month=month, rules=rules)
        samples.append(time.perf_counter() - started)
    return min(samples), rows


def summary_queries(agency, month):
    """``(queries, seconds, summaries)`` of ``month_summaries`` for every store of ``agency`` in one call."""
    with scope(agency=agency):
        store_ids = list(Store.objects.filter(agency=agency).values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            summaries = summary.month_summaries(agency=agency, store_ids=store_ids, month=month)
            seconds = time.perf_counter() - started
    return len(captured), seconds, summaries


def summaries_in_chunks(agency, month, chunk):
    """``(seconds, queries per chunk)`` of ``month_summaries`` over every store of ``agency``, ``chunk`` stores at a
    time (as ``cycle_open`` calls it)."""
    with scope(agency=agency):
        store_ids = list(Store.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True))
        seconds, queries = 0.0, set()
        for start in range(0, len(store_ids), chunk):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                summary.month_summaries(agency=agency, store_ids=store_ids[start:start + chunk], month=month)
                seconds += time.perf_counter() - started
            queries.add(len(captured))
    return seconds, sorted(queries)


def xlsx_peak(generated, cycle):
    """``(peak MB, rows, seconds)`` of the cycle's XLSX export, or ``None`` when the export is not there."""
    try:
        from reviews.reports.xlsx import cycle_xlsx
    except ImportError:
        return None
    agency = generated.agency
    with scope(agency=agency), tempfile.TemporaryFile() as stream:
        caller = Caller.system(agency)
        tracemalloc.start()
        started = time.perf_counter()
        rows = cycle_xlsx(agency=agency, cycle=cycle, caller=caller, stream=stream)
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak / 2**20, rows, seconds


def met(condition):
    return "met" if condition else "NOT met"


def main():
    if connection.vendor != "postgresql":
        sys.exit("bench/reviews.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    rng = random.Random(12)
    stamp = int(time.time())
    started = time.perf_counter()
    print(f"Building agencies of {STORES:,} and {SMALL:,} stores with two months of snapshots ...", flush=True)
    month = _last_month()
    large, large_counts = build(f"bench-reviews-{stamp}", STORES, month, rng)
    small, _small_counts = build(f"bench-reviews-small-{stamp}", SMALL, month, rng)
    print(f"  built in {time.perf_counter() - started:.0f} s; month {month:%Y-%m} "
          f"({large.agency.time_zone}); {STORES:,} stores: {large_counts[0]:,} snapshots, {large_counts[1]:,} alerts, "
          f"{large_counts[2]:,} cases, {large_counts[3]:,} chats", flush=True)

    chunk = 500
    sql_seconds, sql_rows = sql_aggregate(large.agency, month)
    small_seconds, small_queries, _small_cycle, small_reviews = open_cycle(small.agency, month)
    large_seconds, large_queries, large_cycle, large_reviews = open_cycle(large.agency, month)
    chunked_seconds, chunk_queries = summaries_in_chunks(large.agency, month, chunk)
    alone_small_queries, _seconds, _summaries = summary_queries(small.agency, month)
    alone_large_queries, alone_large_seconds, summaries = summary_queries(large.agency, month)
    exported = xlsx_peak(large, large_cycle)

    ratio = large_seconds / sql_seconds
    red_days = sum(figures["days_red"] for found in summaries.values() for figures in found["metrics"].values())
    print(f"{'path':<58}{'seconds':>9}{'vs SQL':>9}")
    print(f"{'one set-based SQL aggregate of the month (' + str(len(sql_rows)) + ' stores)':<58}{sql_seconds:>9.2f}"
          f"{1:>8.1f}x")
    print(f"{'cycle_open, ' + format(large_reviews, ',') + ' reviews (the product path)':<58}{large_seconds:>9.2f}"
          f"{ratio:>8.1f}x  goal within {RATIO_GOAL}x: {met(ratio <= RATIO_GOAL)}")
    print(f"{'  month_summaries, ' + str(chunk) + ' stores a call (for comparison)':<58}{chunked_seconds:>9.2f}"
          f"{chunked_seconds / sql_seconds:>8.1f}x")
    print(f"{'  month_summaries, all ' + format(STORES, ',') + ' stores in one call':<58}{alone_large_seconds:>9.2f}"
          f"{alone_large_seconds / sql_seconds:>8.1f}x")
    print(f"days red in the month, all metrics: month_summaries {red_days:,}, SQL {_sql_red_days(sql_rows):,} "
          "(the SQL compares a policy count with the previous row, not the previous count)")
    print(f"queries of month_summaries: {SMALL:,} stores {alone_small_queries}, {STORES:,} stores "
          f"{alone_large_queries}: {met(alone_small_queries == alone_large_queries)} (not growing)")
    print(f"queries of cycle_open: {SMALL:,} stores {small_queries} ({small_reviews:,} reviews), {STORES:,} stores "
          f"{large_queries} ({large_reviews:,} reviews): {met(small_queries == large_queries)} (not growing); "
          f"month_summaries {chunk} stores a call: {chunk_queries} queries per call; the {SMALL:,}-store cycle "
          f"took {small_seconds:.2f} s")
    if exported is None:
        print("XLSX export of the 10,000-store cycle: not available (reviews.reports.xlsx.cycle_xlsx)")
    else:
        peak, rows, seconds = exported
        print(f"XLSX export of the {rows:,}-store cycle: {seconds:.1f} s, peak memory {peak:.1f} MB (tracemalloc): "
              f"goal under {XLSX_GOAL_MB} MB: {met(peak < XLSX_GOAL_MB)}")
    print(f"total bench time {time.perf_counter() - started:.0f} s")


def _sql_red_days(rows):
    """The days red of every metric in the SQL rows (columns: store, then five per metric, then ``change`` for the
    numeric ones)."""
    total, index = 0, 1
    for key in metrics.KEYS:
        columns = 6 if metrics.metric(key).kind in (metrics.Kind.SCORE, metrics.Kind.RATE, metrics.Kind.COUNT) else 5
        total += sum(row[index + 2] for row in rows)
        index += columns
    return total


def _last_month():
    """Last month in the agencies' time zone (the generator's agencies keep the default, Asia/Shanghai)."""
    time_zone = Agency._meta.get_field("time_zone").default
    return calendar.previous_month(datetime.datetime.now(zoneinfo.ZoneInfo(time_zone)).date())


if __name__ == "__main__":
    main()
