"""Benchmark of evaluation and alerts: 10,000 stores evaluated in chunks of 500 through the task's code path, against
one set-based SQL query that computes the same red flags, in the same run.

    DATABASE_URL=postgres://... python bench/alerts.py      # PostgreSQL only (make bench-alerts)

It builds an agency of 10,000 stores with its own data generator, a day of history a week back, then:

1. ingests today's day for every store (a red/green mix: about one store in six red, some yellow, some rows with
   Amazon's own targets) through the product's upsert, in batches of 5,000, with Celery sending to its in-memory
   broker, so that every task the pipeline queues is a message that can be counted;
2. takes the queued messages off the broker and runs each evaluation task as a worker would
   (``health.tasks.evaluate_stores``: the health evaluation, its ``StoreHealth`` upsert and the alert sync in one
   transaction), timing the chunks and counting each chunk's queries: the first evaluation, which opens the alerts;
3. evaluates the agency again, from ``health.tasks.evaluate_agency`` as the daily sweep does: nothing changed, every
   open alert is updated;
4. runs one SQL query that computes every store's red flags from the same snapshots and the same thresholds, and
   checks that it finds exactly the flags the evaluation stored and the alerts it opened;
5. times the least that any evaluation recording each store's verdict must write: one ``UPDATE`` of a single
   column (``evaluated_at``) of the agency's 10,000 ``StoreHealth`` rows, rolled back. It is printed with its own
   ratio to the query: when that floor alone is above 2x, no design that keeps a row per store can meet the goal.

It prints the times, their ratio to the query (goal: within 2x), where the time goes (reading the snapshots and
judging them, writing ``StoreHealth``, the alert sync), the queries per chunk (which must be the same for every chunk)
and the broker messages of each run, by task (goal: at most ceil(stores / 500) plus a constant). The tasks the
evaluations queue in turn (the alert emails) are counted, not run.
"""

import datetime
import logging
import math
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"

import django  # noqa: E402

django.setup()

from celery.signals import after_task_publish  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_scopes import scope  # noqa: E402

from accounts.models import Store  # noqa: E402
from alerts import services as alert_services  # noqa: E402
from alerts.models import Alert  # noqa: E402
from bench.generate import build_agency  # noqa: E402
from config.celery_app import app as celery_app  # noqa: E402
from health import evaluation, metrics, selectors, tasks  # noqa: E402
from health import services as health_services  # noqa: E402
from health.models import HealthSnapshot, Source, StoreHealth  # noqa: E402
from health.thresholds import AHR_CRITICAL_STATUSES, Colour  # noqa: E402

STORES, BATCH = 10_000, 5_000
CHUNK = evaluation.CHUNK
QUEUE = "celery"
SQL_ROUNDS = 3


# -- the data: a red/green mix ----------------------------------------------------------------------------------
def green_day(rng):
    """Every metric reported, all well within their targets."""
    return {"ahr_score": rng.randrange(250, 1000), "ahr_status": "GREAT", "account_status": "NORMAL",
            "odr_mfn": 0.002, "odr_afn": 0.001, "late_shipment_rate": round(rng.uniform(0.0, 0.02), 4),
            "cancel_rate": 0.004, "valid_tracking_rate": 0.985, "on_time_delivery_rate": 0.97,
            "unit_on_time_delivery_rate": 0.96, "invoice_defect_rate": 0.01,
            **{key: 0 for key in metrics.COUNT_KEYS},
            "warning_states": [{"type": "spammingSellerMessaging", "status": "GOOD"}]}


#: The troubles a store may have today (each makes one metric red, or, for the last ones, yellow or not red at all).
TROUBLES = {
    "late shipments": lambda day: day.update(late_shipment_rate=0.052),
    "order defects": lambda day: day.update(odr_mfn=0.013),
    "tracking": lambda day: day.update(valid_tracking_rate=0.93),
    "account at risk": lambda day: day.update(account_status="AT_RISK"),
    "bad warning": lambda day: day.update(warning_states=[{"type": "spammingSellerMessaging", "status": "BAD"}]),
    "AHR critical": lambda day: day.update(ahr_score=80, ahr_status="CRITICAL"),
    "new IP complaint": lambda day: day.update(ip_complaints=2),  # one a week ago: risen
    "IP complaint not risen": lambda day: day.update(ip_complaints=1),  # yellow
    "close to target": lambda day: day.update(late_shipment_rate=0.035),  # yellow
    # Over the agency's 4 % but within Amazon's own 5 % target of that day: not red.
    "report's own target": lambda day: day.update(late_shipment_rate=0.045),
}


def today_rows(store_ids, day, rng):
    rows, troubles = [], Counter()
    for store_id in store_ids:
        values = green_day(rng)
        row = {"store": store_id, "date": day.isoformat()}
        if rng.random() < 0.25:
            for trouble in rng.sample(sorted(TROUBLES), rng.choice((1, 1, 2))):
                TROUBLES[trouble](values)
                troubles[trouble] += 1
                if trouble == "report's own target":
                    row["report_targets"] = {"late_shipment_rate": {"target": 0.05, "condition": "LESS_THAN",
                                                                    "status": "GOOD"}}
        rows.append({**row, **values})
    return rows, troubles


def load_history(agency, store_ids, day, rng):
    """A week-old snapshot of every store (one in twenty with an IP complaint then), written directly: history is
    not what this bench measures."""
    received = datetime.datetime.now(datetime.UTC)
    HealthSnapshot.objects.bulk_create([
        HealthSnapshot(agency=agency, store_id=store_id, date=day, source=Source.API, received_at=received,
                       **{**green_day(rng), "ip_complaints": 1 if rng.random() < 0.05 else 0})
        for store_id in store_ids], batch_size=2000)


# -- the broker: Celery's in-memory one, every message counted ------------------------------------------------
class Broker:
    """This process's Celery app sends to the in-memory broker; ``published`` counts the messages by task."""

    def __init__(self):
        self.published = Counter()
        celery_app.conf.update(task_always_eager=False, broker_url="memory://localhost/", result_backend=None)
        celery_app._after_fork()  # forget any pool of an earlier broker
        after_task_publish.connect(self._count, weak=False)

    def _count(self, sender=None, **kwargs):
        self.published[sender] += 1

    def take(self, task_name):
        """Every queued message of ``task_name`` as ``(task, kwargs)``, taken off the queue; the messages of other
        tasks are taken off too and dropped (they were counted when sent; the bench does not run them)."""
        taken = []
        with celery_app.connection_for_read() as broker:
            while (message := broker.default_channel.basic_get(QUEUE)) is not None:
                if message.headers["task"] == task_name:
                    _args, kwargs, _embed = message.decode()
                    taken.append((celery_app.tasks[task_name], kwargs))
                message.ack()
        return taken

    def reset(self):
        self.published.clear()
        with celery_app.connection_for_write() as broker:
            broker.default_channel.queue_purge(QUEUE)


def run_as_the_worker(task, kwargs):
    """Run a taken task as a worker would (in the agency's scope, through ``AgencyTask``); returns its result."""
    return task.apply(kwargs=kwargs, throw=True).get()


class Phases:
    """Seconds spent in the parts of an evaluation, by wrapping the functions the task calls (``store_health_rows``:
    the reads and the rules; ``alerts_sync``: the alert sync); the rest of the task is mostly the ``StoreHealth``
    write."""

    def __init__(self):
        self.seconds = Counter()
        for module, name, phase in ((evaluation, "store_health_rows", "read + rules"),
                                    (alert_services, "alerts_sync", "alert sync")):
            setattr(module, name, self._timed(getattr(module, name), phase))

    def _timed(self, function, phase):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - started
        return timed

    def take(self):
        found, self.seconds = dict(self.seconds), Counter()
        return found


def evaluate_queued(broker, phases):
    """Run every queued evaluation; returns the seconds spent in them, the queries of each chunk, the stores and the
    seconds by phase."""
    seconds, queries, stores = 0.0, [], 0
    phases.take()
    for task, kwargs in broker.take(tasks.evaluate_stores.name):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            stores += run_as_the_worker(task, kwargs)
            seconds += time.perf_counter() - started
        queries.append(len(captured))
    return seconds, queries, stores, phases.take()


# -- the same red flags in one query ------------------------------------------------------------------------------
def _not_met(value, target, condition):
    return (f"CASE {condition} WHEN 'LESS_THAN' THEN {value} >= {target} "
            f"WHEN 'GREATER_THAN' THEN {value} <= {target} ELSE {value} <> {target} END")


def red_flags_sql(rules):
    """One statement: for each store of the agency (``%(agency)s``), its latest snapshot's red metrics, by the rules
    of ``health.thresholds`` under ``rules`` (the agency's ``Thresholds``), Amazon's own targets of that day first."""
    table = HealthSnapshot._meta.db_table
    conditions = "('LESS_THAN', 'GREATER_THAN', 'EQUALS')"
    flags = [
        f"CASE WHEN l.ahr_score < {int(rules.ahr_critical_below)} THEN 'ahr_score' END",
        "CASE WHEN l.ahr_status IN ({}) THEN 'ahr_status' END".format(
            ", ".join(f"'{status}'" for status in AHR_CRITICAL_STATUSES)),
        f"CASE WHEN l.account_status <> '{metrics.ACCOUNT_STATUS_NORMAL}' THEN 'account_status' END",
        "CASE WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(l.warning_states) = 'array' "
        "THEN l.warning_states ELSE '[]'::jsonb END) AS state WHERE state->>'status' = 'BAD') "
        "THEN 'warning_states' END",
    ]
    for key in metrics.RATE_KEYS + metrics.COUNT_KEYS:
        found = metrics.metric(key)
        report = f"l.report_targets->'{key}'"
        from_report = f"({report}->>'target') IS NOT NULL AND ({report}->>'condition') IN {conditions}"
        own = float(rules.targets.get(key, found.target))
        target = f"(CASE WHEN {from_report} THEN ({report}->>'target')::float8 ELSE {own} END)"
        if found.kind == metrics.Kind.RATE:
            condition = f"(CASE WHEN {from_report} THEN {report}->>'condition' ELSE '{found.condition}' END)"
            red = _not_met(f"l.{key}", target, condition)
        else:
            # Above its target and risen since the latest earlier snapshot that has the count (or seen first).
            previous = (f"(SELECT p.{key} FROM {table} p WHERE p.agency_id = l.agency_id AND p.store_id = l.store_id "
                        f"AND p.date < l.date AND p.{key} IS NOT NULL ORDER BY p.date DESC LIMIT 1)")
            red = f"l.{key} > {target} AND (l.{key} > {previous}) IS NOT FALSE"
        flags.append(f"CASE WHEN {red} THEN '{key}' END")
    return (f"SELECT l.store_id, array_remove(ARRAY[{', '.join(flags)}], NULL) AS red "
            f"FROM (SELECT DISTINCT ON (store_id) * FROM {table} WHERE agency_id = %(agency)s "
            f"ORDER BY store_id, date DESC) AS l")


def red_flags_by_query(agency, rules):
    sql = red_flags_sql(rules)
    samples = []
    for _round in range(SQL_ROUNDS):
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql, {"agency": agency.pk})
            rows = cursor.fetchall()
            samples.append(time.perf_counter() - started)
    return min(samples), {(store_id, key) for store_id, red in rows for key in red}


def write_floor(agency):
    """The least time of ``SQL_ROUNDS`` runs of one ``UPDATE`` of one column of every ``StoreHealth`` row of
    ``agency`` (nothing else: no reads of snapshots, no rules), each rolled back."""
    samples = []
    for _round in range(SQL_ROUNDS):
        with transaction.atomic():
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(f"UPDATE {StoreHealth._meta.db_table} SET evaluated_at = evaluated_at "
                               "WHERE agency_id = %s", [agency.pk])
                samples.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    return min(samples)


def red_flags_stored(agency):
    flags = set()
    for store_id, evaluations in StoreHealth.objects.filter(agency=agency).values_list("store_id", "evaluations"):
        flags.update((store_id, key) for key, verdict in evaluations.items() if verdict["colour"] == Colour.RED)
    return flags


def open_red_alerts(agency):
    return set(Alert.objects.filter(agency=agency, status__in=Alert.OPEN_STATUSES, severity=Alert.Severity.RED)
               .values_list("store_id", "rule"))


# -- the run ------------------------------------------------------------------------------------------------------
def report_run(label, run, published, sql_seconds):
    seconds, queries, stores, phases = run
    allowed = math.ceil(stores / CHUNK)
    evaluations = published[tasks.evaluate_stores.name]
    others = ", ".join(f"{name} {count}" for name, count in sorted(published.items())
                       if name != tasks.evaluate_stores.name) or "none"
    verdict = "met" if seconds / sql_seconds <= 2 else "NOT met"
    print(f"{label:<46}{seconds:>9.2f}{seconds / sql_seconds:>9.1f}x  {verdict}")
    write = seconds - sum(phases.values())
    print("    of which " + ", ".join(f"{phase} {spent:.2f} s ({spent / sql_seconds:.1f}x)"
                                     for phase, spent in [*phases.items(), ("StoreHealth write and the rest", write)]))
    print(f"    queries per {CHUNK}-store chunk: {sorted(Counter(queries).items())} "
          f"({'constant' if len(set(queries)) == 1 else 'NOT constant'})")
    print(f"    broker messages: {sum(published.values())} = evaluate_stores {evaluations} "
          f"(ceil({stores:,}/{CHUNK}) = {allowed}: {'met' if evaluations <= allowed else 'NOT met'}) + {others}")


def main():
    if connection.vendor != "postgresql":
        sys.exit("bench/alerts.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # not a line per task run
    slug = f"bench-alerts-{int(time.time())}"
    print(f"Building agency {slug} with {STORES:,} stores ...", flush=True)
    agency = build_agency(slug, STORES).agency
    rng = random.Random(10)
    today = datetime.date.today() - datetime.timedelta(days=1)
    with scope(agency=agency):
        store_ids = list(Store.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True))
        load_history(agency, store_ids, today - datetime.timedelta(days=7), rng)
        rows, troubles = today_rows(store_ids, today, rng)
        rules = selectors.health_policy(agency=agency).thresholds()
        broker, phases = Broker(), Phases()

        started = time.perf_counter()
        for start in range(0, len(rows), BATCH):
            health_services.snapshots_upsert(agency=agency, rows=rows[start:start + BATCH], source=Source.REPORT)
        ingest_seconds = time.perf_counter() - started
        ingest_published = Counter(broker.published)
        first = evaluate_queued(broker, phases)
        first_published = broker.published - ingest_published
        alerts_opened = Alert.objects.filter(agency=agency).count()

        broker.reset()
        tasks.evaluate_agency.apply_async(kwargs={"agency_id": agency.pk})  # what the daily sweep sends for it
        for task, kwargs in broker.take(tasks.evaluate_agency.name):
            run_as_the_worker(task, kwargs)
        second = evaluate_queued(broker, phases)
        second_published = Counter(broker.published)

        sql_seconds, by_query = red_flags_by_query(agency, rules)
        stored, alerted = red_flags_stored(agency), open_red_alerts(agency)
        floor_seconds = write_floor(agency)

    red_stores = len({store_id for store_id, _key in by_query})
    print(f"stores: {STORES:,}; today's troubles: " + ", ".join(f"{name} {count}" for name, count in
                                                                  sorted(troubles.items())))
    print(f"ingest of today (2 batches of {BATCH:,}, evaluation queued): {ingest_seconds:.2f} s, broker messages "
          f"{sum(ingest_published.values())} ({', '.join(f'{n} {c}' for n, c in sorted(ingest_published.items()))})")
    print(f"red flags: {len(by_query):,} on {red_stores:,} stores; the query and the evaluation find the same: "
          f"{'yes' if by_query == stored else 'NO'}; the open red alerts are the same: "
          f"{'yes' if by_query == alerted else 'NO'} ({alerts_opened:,} alerts opened)")
    print(f"{'path':<46}{'seconds':>9}{'vs SQL':>10}  goal within 2x")
    print(f"{'one set-based SQL query (red flags)':<46}{sql_seconds:>9.3f}{1:>9.1f}x")
    report_run("evaluation + alert sync, first (opens alerts)", first, ingest_published + first_published,
               sql_seconds)
    report_run("evaluation + alert sync, again (the sweep)", second, second_published, sql_seconds)
    floor_label = "the write floor: UPDATE of 1 column, all rows"
    print(f"{floor_label:<46}{floor_seconds:>9.3f}{floor_seconds / sql_seconds:>9.1f}x"
          f"  (the least an evaluation that keeps a row per store writes)")
    if by_query != stored or by_query != alerted:
        sys.exit("the red flags differ")


if __name__ == "__main__":
    main()
