"""Benchmarks: how the store list's cost grows with the portfolio. Prints ratios measured in one run.

    make bench                       # SQLite in a temporary folder
    DATABASE_URL=postgres://... make bench

It builds two agencies, a small one and a large one, with its own data generator, then times the same
page (API store list, admin store list) for both; then the admin's overview page and the portfolio health
dashboard for 10 and 10,000 stores. A
ratio near 1 means the page does not grow with the number of stores; the query counts must be equal.
"""

import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Store  # noqa: E402
from accounts.tenancy import agency_scope  # noqa: E402
from bench.generate import build_agency  # noqa: E402
from health import services as health_services  # noqa: E402
from health.models import Source  # noqa: E402

SMALL, LARGE = 50, 5000
# The overview (the admin's first page) is measured apart, at the sizes its promise is stated for.
OVERVIEW_SMALL, OVERVIEW_LARGE = 10, 10_000
ROUNDS = 15


def timed(client, url, headers=None):
    samples, queries = [], None
    for _ in range(ROUNDS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, **(headers or {}))
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured.captured_queries)
    return statistics.median(samples), queries


def main():
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    if "postgres" in os.environ["DATABASE_URL"]:
        print("Using the database in DATABASE_URL; the benchmark adds two agencies to it.")
    call_command("migrate", verbosity=0)
    small = build_agency(f"bench-small-{int(time.time())}", SMALL)
    large = build_agency(f"bench-large-{int(time.time())}", LARGE)
    print(f"stores: small agency {SMALL}, large agency {LARGE} (ratio {LARGE // SMALL}x)")
    print(f"{'page':<32}{'small ms':>10}{'large ms':>10}{'ratio':>8}{'queries':>12}")
    for label, url, use_key in (
        ("API store list (page 1)", "/api/v1/stores/", True),
        ("API store list, filtered", "/api/v1/stores/?marketplace=DE&status=active", True),
        ("admin store list", "/admin/accounts/store/", False),
    ):
        results = []
        for agency in (small, large):
            client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
            headers = {}
            if use_key:
                headers = {"HTTP_AUTHORIZATION": f"Api-Key {agency.raw_key}"}
            else:
                client.force_login(agency.manager, backend="django.contrib.auth.backends.ModelBackend")
            results.append(timed(client, url, headers))
        (t_small, q_small), (t_large, q_large) = results
        print(f"{label:<32}{t_small * 1000:>10.1f}{t_large * 1000:>10.1f}{t_large / t_small:>8.2f}"
              f"{f'{q_small}/{q_large}':>12}")
    bench_overview()


def bench_overview():
    """The admin's overview and the portfolio health dashboard, as a manager (every store) sees them, for a small
    and a very large agency whose every store has a day of metrics, evaluated."""
    small = build_agency(f"bench-overview-small-{int(time.time())}", OVERVIEW_SMALL)
    large = build_agency(f"bench-overview-large-{int(time.time())}", OVERVIEW_LARGE)
    for agency in (small, large):
        load_a_day_of_health(agency.agency)
    print(f"overview and dashboard: small agency {OVERVIEW_SMALL}, large agency {OVERVIEW_LARGE} stores")
    for label, url in (("admin overview", "/admin/"),
                       ("portfolio health dashboard", "/admin/health/storehealth/"),
                       ("dashboard, red stores", "/admin/health/storehealth/?colour__exact=red")):
        results = []
        for agency in (small, large):
            client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
            client.force_login(agency.manager, backend="django.contrib.auth.backends.ModelBackend")
            results.append(timed(client, url))
        (t_small, q_small), (t_large, q_large) = results
        print(f"{label:<32}{t_small * 1000:>10.1f}{t_large * 1000:>10.1f}{t_large / t_small:>8.2f}"
              f"{f'{q_small}/{q_large}':>12}")


def load_a_day_of_health(agency):
    """Yesterday's metrics for every store of ``agency`` (one in ten late shipping: red), through the product's
    own upsert, then every store evaluated as the queued task would."""
    rng = random.Random(11)
    day = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    with agency_scope(agency):
        store_ids = list(Store.objects.filter(agency=agency).values_list("pk", flat=True))
        rows = [{"store": pk, "date": day, "ahr_score": rng.randrange(150, 400),
                 "late_shipment_rate": 0.05 if rng.random() < 0.1 else 0.01} for pk in store_ids]
        for start in range(0, len(rows), 5000):
            health_services.snapshots_upsert(agency=agency, rows=rows[start:start + 5000], source=Source.API)
        for start in range(0, len(store_ids), 500):
            health_services.store_health_evaluate(agency=agency, store_ids=store_ids[start:start + 500])


if __name__ == "__main__":
    main()
