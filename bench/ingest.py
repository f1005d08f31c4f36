"""Benchmark of metrics ingestion: the bulk API against a raw ``COPY``, a replay, and importmetrics' memory.

    DATABASE_URL=postgres://... python bench/ingest.py      # PostgreSQL only: COPY is what it is measured against

It builds an agency of 10,000 stores with its own data generator, then:

1. loads 10,000 stores × 10 days (100,000 rows, every metric) through ``POST /api/v1/health/snapshots/bulk/``
   in batches of 5,000 with a read-write API key (the bodies are encoded before the clock starts);
2. replays the same batches (nothing changes, nothing is rewritten);
3. deletes the agency's snapshots and copies the same rows into the same table with a raw psycopg ``COPY``;
4. writes a 1,000,000-row CSV to a temporary file and runs ``manage.py importmetrics`` on it in a subprocess,
   reporting its peak memory (GNU time's maximum resident set size, else the children's ``ru_maxrss``).

The generated rows are frozen out of the garbage collector's sight (``gc.freeze``) before the clock starts, so that
the collections during the requests walk what a server process holds, not the bench's data.
Evaluation is queued, not run: ``health.tasks.queue_evaluation`` is replaced, in this process, by a recorder (so
the eager Celery of the test settings does not evaluate inline), and the importmetrics subprocess sends its tasks
to Celery's in-memory broker, where no worker takes them. The alerts issue measures evaluation.
Goals (issue 8): the API path within 3× of COPY, importmetrics under 300 MB.
"""

import csv
import datetime
import gc
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"

import django  # noqa: E402

django.setup()

import msgspec  # noqa: E402
import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django_scopes import scope  # noqa: E402

from accounts import services as account_services  # noqa: E402
from accounts.models import Store  # noqa: E402
from bench.generate import build_agency  # noqa: E402
from health import metrics, tasks  # noqa: E402
from health.models import HealthSnapshot, Source  # noqa: E402

STORES, DAYS, BATCH = 10_000, 10, 5_000
CSV_ROWS = 1_000_000
URL = "/api/v1/health/snapshots/bulk/"
GNU_TIME = Path("/usr/bin/time")
QUEUED = []


def record_evaluation(*, agency, store_ids):
    """Stands in for ``health.tasks.queue_evaluation`` here: evaluation is queued, not measured."""
    QUEUED.append(len(store_ids))


def metric_values(rng):
    values = {}
    for metric in metrics.all_metrics():
        if metric.kind == metrics.Kind.RATE:
            values[metric.key] = round(rng.random() * 0.05, 4)
        elif metric.kind == metrics.Kind.COUNT:
            values[metric.key] = rng.choice((0, 0, 0, 1, 2))
        elif metric.kind == metrics.Kind.SCORE:
            values[metric.key] = rng.randrange(150, 1000)
        elif metric.key == "ahr_status":
            values[metric.key] = rng.choice(metrics.AHR_STATUSES)
        elif metric.key == "account_status":
            values[metric.key] = metrics.ACCOUNT_STATUS_NORMAL
        else:
            values[metric.key] = [{"type": "spammingSellerMessaging", "status": rng.choice(("GOOD", "BAD"))}]
    return values


def generate_rows(store_ids, days, rng):
    return [{"store": store_id, "date": day.isoformat(), **metric_values(rng)} for store_id in store_ids
            for day in days]


def load_through_api(client, bodies, header):
    started = time.perf_counter()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for body in bodies:
        response = client.post(URL, body, content_type="application/json", HTTP_AUTHORIZATION=header)
        assert response.status_code == 200, (response.status_code, response.content[:500])
        for key, value in response.json().items():
            counts[key] += value
    return time.perf_counter() - started, counts


def copy_rows(agency, rows):
    """The same rows with a raw psycopg ``COPY`` into the snapshots table, on a connection of its own."""
    columns = ["agency_id", "store_id", "date", "source", "received_at", "created_at", *metrics.KEYS,
               "report_targets"]
    database = connection.settings_dict
    started = time.perf_counter()
    with psycopg.connect(host=database["HOST"] or None, port=database["PORT"] or None, dbname=database["NAME"],
                         user=database["USER"], password=database["PASSWORD"] or None) as raw:
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {HealthSnapshot._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
            now = datetime.datetime.now(datetime.UTC)
            for row in rows:
                copy.write_row((agency.pk, row["store"], row["date"], Source.API, now, now,
                                *(msgspec.json.encode(row[key]).decode() if key == "warning_states" else row[key]
                                  for key in metrics.KEYS), "{}"))
    return time.perf_counter() - started


def write_csv(path, store_ids, rng):
    days = [datetime.date.today() - datetime.timedelta(days=20 + n) for n in range(CSV_ROWS // len(store_ids))]
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["store", "date", *metrics.KEYS])
        for day in days:
            text = day.isoformat()
            for store_id in store_ids:
                values = metric_values(rng)
                values["warning_states"] = msgspec.json.encode(values["warning_states"]).decode()
                writer.writerow([store_id, text, *(values[key] for key in metrics.KEYS)])
    return len(days) * len(store_ids)


def run_importmetrics(path, slug):
    """Time ``importmetrics`` in a subprocess and measure its peak memory: GNU time's maximum resident set size
    where the machine has it (``RUSAGE_CHILDREN`` would also count the moment between fork and exec, when the
    child still maps this process's 100,000 generated rows), else ``RUSAGE_CHILDREN``."""
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "False", "CELERY_BROKER_URL": "memory://",
           "CELERY_RESULT_BACKEND": "cache+memory://"}
    command = [sys.executable, str(ROOT / "manage.py"), "importmetrics", str(path), "--agency", slug, "--no-progress"]
    peak_file = Path(path).with_suffix(".peak")
    if GNU_TIME.exists():
        command = [str(GNU_TIME), "-f", "%M", "-o", str(peak_file), *command]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-2000:]
    if peak_file.exists():
        peak_kb = int(peak_file.read_text().split()[-1])
    else:
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kb / 1024, result.stdout.strip()


def main():
    if connection.vendor != "postgresql":
        sys.exit("bench/ingest.py compares with PostgreSQL's COPY: set DATABASE_URL=postgres://...")
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    tasks.queue_evaluation = record_evaluation
    call_command("migrate", verbosity=0)
    slug = f"bench-ingest-{int(time.time())}"
    print(f"Building agency {slug} with {STORES:,} stores ...", flush=True)
    bench = build_agency(slug, STORES)
    agency = bench.agency
    with scope(agency=agency):
        _key, raw = account_services.api_key_create(agency=agency, name="bench writer", access="read_write")
        store_ids = list(Store.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True))
    header = f"Api-Key {raw}"
    rng = random.Random(8)
    days = [datetime.date.today() - datetime.timedelta(days=2 + n) for n in range(DAYS)]
    rows = generate_rows(store_ids, days, rng)
    bodies = [msgspec.json.encode({"snapshots": rows[start:start + BATCH]}) for start in range(0, len(rows), BATCH)]
    # The bench's own 100,000 generated rows are no part of a server's heap: out of the collector's sight, or each
    # full collection during a request would walk them too.
    gc.freeze()
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")

    api_seconds, counts = load_through_api(client, bodies, header)
    assert counts == {"created": len(rows), "updated": 0, "unchanged": 0}, counts
    replay_seconds, replay = load_through_api(client, bodies, header)
    assert replay == {"created": 0, "updated": 0, "unchanged": len(rows)}, replay
    with scope(agency=agency):
        HealthSnapshot.objects.filter(agency=agency).delete()
    copy_seconds = copy_rows(agency, rows)

    print(f"rows: {len(rows):,} ({STORES:,} stores x {DAYS} days, {len(metrics.KEYS)} metrics), "
          f"API batches of {BATCH:,}; evaluations queued (recorded, not run): {sum(QUEUED):,} stores")
    print(f"{'path':<40}{'seconds':>10}{'rows/s':>12}{'vs COPY':>10}")
    for label, seconds in (("raw psycopg COPY", copy_seconds), ("bulk API (validate + stage + upsert)", api_seconds),
                           ("bulk API replay (nothing changes)", replay_seconds)):
        print(f"{label:<40}{seconds:>10.2f}{len(rows) / seconds:>12,.0f}{seconds / copy_seconds:>9.2f}x")
    print(f"goal: the API path within 3x of COPY: {'met' if api_seconds / copy_seconds <= 3 else 'NOT met'}")

    del rows, bodies  # the subprocess is measured, not this process
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "metrics.csv"
        written = write_csv(path, store_ids, rng)
        size = path.stat().st_size / 2**20
        seconds, peak_mb, output = run_importmetrics(path, slug)
    print(f"importmetrics: {written:,} rows ({size:,.0f} MB) in {seconds:.1f} s ({written / seconds:,.0f} rows/s), "
          f"peak memory {peak_mb:,.0f} MB (goal under 300 MB: {'met' if peak_mb < 300 else 'NOT met'}); {output}")


if __name__ == "__main__":
    main()
