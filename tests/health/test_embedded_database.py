"""`make run` keeps its data in SQLite, where the ingestion's one upsert has a statement of its own (the suite
runs on PostgreSQL): the demo history, a CSV import, its replay and a correction go through it there, in the
processes `make run` and an operator would start."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

READ_STATE = """
import json
from django_scopes import scopes_disabled
from accounts.models import Store
from health.models import HealthSnapshot, StoreHealth
with scopes_disabled():
    store = Store.objects.order_by("pk").first()
    found = HealthSnapshot.objects.filter(store=store, date="2025-01-15").first()
    print(json.dumps({
        "seller_id": store.seller_id, "marketplace": store.marketplace,
        "stores": Store.objects.count(), "evaluated": StoreHealth.objects.count(),
        "snapshots": HealthSnapshot.objects.count(),
        "late_shipment_rate": found and found.late_shipment_rate,
        "ahr_score": found and found.ahr_score,
        "received_at": found and found.received_at.isoformat(),
    }))
"""


@pytest.fixture
def embedded(tmp_path):
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND",
                                  "REDIS_CACHE_URL", "DJANGO_SETTINGS_MODULE"}}
    environment.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                       DJANGO_SETTINGS_MODULE="config.settings.local", DJANGO_MEDIA_ROOT=str(tmp_path / "private"))

    def manage(*arguments):
        done = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"manage.py {' '.join(arguments)}: {done.stdout[-2000:]} {done.stderr[-2000:]}"
        return done

    def state():
        return json.loads(manage("shell", "-c", READ_STATE).stdout.strip().splitlines()[-1])

    manage("migrate", "--noinput")
    manage("loaddemo", "--password", "demo-embedded-pass")
    return manage, state, tmp_path


def test_the_demo_history_an_import_its_replay_and_a_correction_work_on_sqlite(embedded):
    manage, state, tmp_path = embedded
    demo = state()
    assert demo["snapshots"] >= demo["stores"] * 100, "loaddemo loads about 120 days of every store"
    assert demo["evaluated"] == demo["stores"], "every demo store is evaluated"

    csv_file = tmp_path / "metrics.csv"
    csv_file.write_text("seller_id,marketplace,date,late_shipment_rate,ahr_score\n"
                        f"{demo['seller_id']},{demo['marketplace']},2025-01-15,0.031,240\n")
    manage("importmetrics", str(csv_file), "--agency", "demo", "--no-progress")
    first = state()
    assert (first["late_shipment_rate"], first["ahr_score"]) == (0.031, 240)
    assert first["snapshots"] == demo["snapshots"] + 1

    manage("importmetrics", str(csv_file), "--agency", "demo", "--no-progress")
    replayed = state()
    assert replayed == first, "a replay changes nothing, not even when the day was received"

    csv_file.write_text("seller_id,marketplace,date,late_shipment_rate\n"
                        f"{demo['seller_id']},{demo['marketplace']},2025-01-15,0.052\n")
    manage("importmetrics", str(csv_file), "--agency", "demo", "--dry-run", "--no-progress")
    assert state() == first, "a dry run writes nothing"
    manage("importmetrics", str(csv_file), "--agency", "demo", "--no-progress")
    corrected = state()
    assert (corrected["late_shipment_rate"], corrected["ahr_score"]) == (0.052, 240), (
        "a line sets the metrics it names and keeps the others of that day")
    assert corrected["received_at"] > first["received_at"]
