"""``manage.py importmetrics FILE --agency SLUG [--dry-run]``: a metrics CSV streamed into the snapshots."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django_scopes import scopes_disabled

from health.models import HealthSnapshot, Source

DAY = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()


@pytest.fixture(autouse=True)
def in_english():
    """The command speaks the shell's language; these tests read it in English."""
    with translation.override("en"):
        yield


def run(path, slug, *options):
    out, err = io.StringIO(), io.StringIO()
    call_command("importmetrics", str(path), "--agency", slug, "--no-progress", *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshots():
    with scopes_disabled():
        return list(HealthSnapshot.objects.all())


@pytest.fixture
def metrics_file(tmp_path, agency_a):
    path = tmp_path / "metrics.csv"
    path.write_text(f"seller_id,marketplace,date,late_shipment_rate,ahr_score\n"
                    f"{agency_a.assigned_store.seller_id},US,{DAY},0.046,250\n"
                    f"{agency_a.other_store.seller_id},DE,{DAY},0.01,\n", encoding="utf-8")
    return path


def test_a_file_is_imported_and_the_counts_printed(metrics_file, agency_a):
    out, _err = run(metrics_file, "agency-a")

    assert "2 created, 0 updated, 0 unchanged." in out
    rows = {row.store_id: row for row in snapshots()}
    assert rows[agency_a.assigned_store.pk].late_shipment_rate == 0.046
    assert rows[agency_a.other_store.pk].ahr_score is None and rows[agency_a.other_store.pk].source == Source.CSV

    again, _err = run(metrics_file, "agency-a")
    assert "0 created, 0 updated, 2 unchanged." in again


def test_a_dry_run_says_what_would_change_and_writes_nothing(metrics_file, agency_a):
    out, _err = run(metrics_file, "agency-a", "--dry-run")
    assert "2 would be created" in out
    assert snapshots() == []


def test_bad_lines_are_printed_by_line_number_and_nothing_is_written(tmp_path, agency_a):
    path = tmp_path / "bad.csv"
    path.write_text(f"store,date,late_shipment_rate\n{agency_a.assigned_store.pk},{DAY},0.01\n"
                    f"{agency_a.other_store.pk},{DAY},7\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 error"):
        call_command("importmetrics", str(path), "--agency", "agency-a", "--no-progress", stdout=io.StringIO(),
                     stderr=err)

    assert "line 3, field late_shipment_rate: “7” is not a rate from 0 to 1." in err.getvalue()
    assert snapshots() == []


def test_an_unknown_column_is_refused_before_any_row(tmp_path, agency_a):
    path = tmp_path / "bad.csv"
    path.write_text(f"store,date,lsr\n{agency_a.assigned_store.pk},{DAY},0.01\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("importmetrics", str(path), "--agency", "agency-a", "--no-progress", stdout=io.StringIO(),
                     stderr=err)
    assert "line 1, field lsr: Unknown column “lsr”." in err.getvalue()


def test_another_agencys_stores_are_not_found(metrics_file, agency_a, agency_b):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("importmetrics", str(metrics_file), "--agency", "agency-b", "--no-progress",
                     stdout=io.StringIO(), stderr=err)
    assert "line 2, field seller_id: No store with seller id" in err.getvalue()
    assert snapshots() == []


def test_an_unknown_agency_or_missing_file_is_a_clear_error(metrics_file, agency_a, tmp_path):
    with pytest.raises(CommandError, match="No agency"):
        run(metrics_file, "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv", "agency-a")


def test_the_progress_bar_draws_on_stderr(metrics_file, agency_a):
    err = io.StringIO()
    call_command("importmetrics", str(metrics_file), "--agency", "agency-a", stdout=io.StringIO(), stderr=err)
    assert "metrics.csv" in err.getvalue()


def test_a_line_the_csv_reader_cannot_read_is_a_clear_error_and_writes_nothing(tmp_path, agency_a):
    path = tmp_path / "huge-cell.csv"
    path.write_text(f"store,date,ahr_status\n{agency_a.assigned_store.pk},{DAY},{'X' * 200_000}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="cannot be read as CSV"):
        run(path, "agency-a")
    assert snapshots() == []
