"""One validation and one set-based upsert for every way metrics come in (``health.ingestion``), through the
services ``snapshots_upsert`` and ``snapshots_import_csv``."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.utils import translation
from django_scopes import scopes_disabled

from health import services
from health.ingestion import BatchRejected, RowError, SnapshotStage, UpsertResult, raw_sql
from health.ingestion.validation import date_error
from health.models import HealthSnapshot, Source
from tests.factories import StoreFactory

YESTERDAY = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()


@pytest.fixture(autouse=True)
def in_english():
    """Messages are worded in the active language; these tests read them in English."""
    with translation.override("en"):
        yield


def upsert(persona, rows, source=Source.API):
    with persona.scope():
        return services.snapshots_upsert(agency=persona.agency, rows=rows, source=source)


def rejected(persona, rows, source=Source.API):
    with persona.scope(), pytest.raises(BatchRejected) as caught:
        services.snapshots_upsert(agency=persona.agency, rows=rows, source=source)
    return caught.value.errors


def snapshot(store, day=YESTERDAY):
    with scopes_disabled():
        return HealthSnapshot.objects.get(store=store, date=day)


def snapshot_count():
    with scopes_disabled():
        return HealthSnapshot.objects.count()


def today_in(zone):
    return datetime.datetime.now(ZoneInfo(zone)).date()


# -- accepted batches ------------------------------------------------------------------------------------------
def test_a_good_batch_creates_one_snapshot_per_store_and_day_with_its_values(agency_a):
    store = agency_a.assigned_store
    result = upsert(agency_a, [
        {"store": store.pk, "date": YESTERDAY, "late_shipment_rate": 0.046, "ahr_score": 250, "ip_complaints": 0,
         "account_status": "NORMAL", "warning_states": [{"type": "spammingSellerMessaging", "status": "BAD"}]},
        {"seller_id": agency_a.other_store.seller_id, "marketplace": "DE", "date": YESTERDAY, "odr_mfn": None},
    ])

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert result.store_ids == {store.pk, agency_a.other_store.pk}
    row = snapshot(store)
    assert (row.late_shipment_rate, row.ahr_score, row.ip_complaints, row.account_status, row.source) == (
        0.046, 250, 0, "NORMAL", Source.API)
    assert row.warning_states == [{"type": "spammingSellerMessaging", "status": "BAD"}]
    assert row.odr_mfn is None and row.report_targets == {}
    assert snapshot(agency_a.other_store).agency_id == agency_a.agency.pk


def test_a_replayed_batch_rewrites_no_row(agency_a):
    rows = [{"store": agency_a.assigned_store.pk, "date": YESTERDAY, "cancel_rate": 0.01,
             "warning_states": [{"type": "x", "status": "GOOD"}]}]
    upsert(agency_a, rows)
    first = snapshot(agency_a.assigned_store)

    replay = upsert(agency_a, rows, source=Source.CSV)

    assert (replay.created, replay.updated, replay.unchanged, replay.store_ids) == (0, 0, 1, frozenset())
    again = snapshot(agency_a.assigned_store)
    assert (again.received_at, again.source) == (first.received_at, Source.API)


def test_a_row_sets_the_metrics_it_names_and_keeps_the_others_of_that_day(agency_a):
    store = agency_a.assigned_store
    upsert(agency_a, [{"store": store.pk, "date": YESTERDAY, "odr_mfn": 0.002, "late_shipment_rate": 0.01,
                       "ahr_score": 300}])
    before = snapshot(store)

    result = upsert(agency_a, [{"store": store.pk, "date": YESTERDAY, "late_shipment_rate": 0.05,
                                "ahr_score": None}], source=Source.MANUAL)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    after = snapshot(store)
    assert (after.odr_mfn, after.late_shipment_rate, after.ahr_score) == (0.002, 0.05, None)
    assert after.source == Source.MANUAL and after.received_at > before.received_at


def test_report_targets_merge_by_metric_key(agency_a):
    store = agency_a.assigned_store
    lsr = {"target": 0.04, "condition": "LESS_THAN", "status": "GOOD"}
    upsert(agency_a, [{"store": store.pk, "date": YESTERDAY, "late_shipment_rate": 0.01,
                       "report_targets": {"late_shipment_rate": lsr}}], source=Source.REPORT)

    upsert(agency_a, [{"store": store.pk, "date": YESTERDAY, "valid_tracking_rate": 0.99,
                       "report_targets": {"valid_tracking_rate": {"target": 0.95, "condition": "GREATER_THAN",
                                                                  "status": "GOOD"}}}], source=Source.REPORT)

    assert snapshot(store).report_targets == {
        "late_shipment_rate": lsr,
        "valid_tracking_rate": {"target": 0.95, "condition": "GREATER_THAN", "status": "GOOD"},
    }


def test_report_targets_are_refused_from_anything_but_amazons_report(agency_a):
    errors = rejected(agency_a, [{"store": agency_a.assigned_store.pk, "date": YESTERDAY,
                                  "report_targets": {"late_shipment_rate": {"target": 0.04}}}])
    assert [(e.index, e.field) for e in errors] == [(0, "report_targets")]


@pytest.mark.parametrize("target", [
    {"target": 1e308, "condition": "LESS_THAN"}, {"target": -0.01, "condition": "LESS_THAN"},
    {"target": 1.01, "condition": "GREATER_THAN"},
], ids=["huge", "negative", "above-one"])
def test_a_report_target_outside_its_metrics_scale_is_refused(agency_a, target):
    """A report's target wins over the agency's: one out of range would turn any value green."""
    errors = rejected(agency_a, [{"store": agency_a.assigned_store.pk, "date": YESTERDAY,
                                  "late_shipment_rate": 0.2, "report_targets": {"late_shipment_rate": target}}],
                      source=Source.REPORT)
    assert [(e.index, e.field) for e in errors] == [(0, "report_targets")]
    assert snapshot_count() == 0


# -- every rule, at its boundary -------------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "value"), [
    ("late_shipment_rate", 0), ("late_shipment_rate", 1), ("odr_mfn", 0.0099), ("ahr_score", 0),
    ("ahr_score", 1000), ("ahr_score", 250.0), ("ip_complaints", 0), ("document_requests", 12),
    ("ahr_status", "WARNED"), ("account_status", "x" * 32), ("warning_states", []), ("cancel_rate", None),
])
def test_values_at_the_edge_of_their_rule_are_taken(agency_a, key, value):
    result = upsert(agency_a, [{"store": agency_a.assigned_store.pk, "date": YESTERDAY, key: value}])
    assert result.created == 1
    assert getattr(snapshot(agency_a.assigned_store), key) == value


@pytest.mark.parametrize(("key", "value"), [
    ("late_shipment_rate", 1.0001), ("late_shipment_rate", -0.0001), ("late_shipment_rate", "0.5"),
    ("late_shipment_rate", True), ("ahr_score", 1001), ("ahr_score", -1), ("ahr_score", 250.5),
    ("ahr_score", "250"), ("ip_complaints", -1), ("ip_complaints", 1.5), ("ip_complaints", False),
    ("ahr_status", ""), ("account_status", "x" * 33), ("account_status", 3),
    ("warning_states", "spamming"), ("warning_states", [{"type": "x", "status": "RED"}]),
    ("warning_states", [{"type": "x"}]), ("warning_states", [{"type": 1, "status": "BAD"}]),
])
def test_a_value_its_rule_refuses_is_an_error_naming_row_field_and_value(agency_a, key, value):
    rows = [{"store": agency_a.assigned_store.pk, "date": YESTERDAY, "odr_mfn": 0.001},
            {"store": agency_a.other_store.pk, "date": YESTERDAY, key: value}]

    errors = rejected(agency_a, rows)

    assert [(e.index, e.field) for e in errors] == [(1, key)]
    shown = f"“{value}”" if isinstance(value, str) and key != "warning_states" else None
    assert shown is None or shown in errors[0].message
    assert snapshot_count() == 0


@pytest.mark.parametrize("day", ["2024-13-01", "2024-2-01", "20240201", "2024-02-30", "", 20240201, None])
def test_a_date_that_is_not_year_month_day_is_refused(agency_a, day):
    row = {"store": agency_a.assigned_store.pk, "cancel_rate": 0.01}
    if day is not None:
        row["date"] = day
    errors = rejected(agency_a, [row])
    assert [(e.index, e.field) for e in errors] == [(0, "date")]


@pytest.mark.parametrize("marketplace", ["JP", "US"])
def test_today_in_the_stores_marketplace_is_taken_and_tomorrow_there_refused(agency_a, marketplace):
    store = StoreFactory(agency=agency_a.agency, client=agency_a.client, marketplace=marketplace)
    zone = "Asia/Tokyo" if marketplace == "JP" else "America/Los_Angeles"
    today = today_in(zone)

    errors = rejected(agency_a, [
        {"store": store.pk, "date": today.isoformat(), "cancel_rate": 0.01},
        {"store": store.pk, "date": (today + datetime.timedelta(days=1)).isoformat(), "cancel_rate": 0.01},
    ])

    assert [(e.index, e.field) for e in errors] == [(1, "date")]
    assert marketplace in errors[0].message


def test_a_date_is_late_only_after_today():
    today = datetime.date(2025, 3, 1)
    assert date_error(0, today, today=today, marketplace="JP") is None
    assert date_error(0, today + datetime.timedelta(days=1), today=today, marketplace="JP").field == "date"


def test_another_agencys_store_is_answered_like_a_store_that_does_not_exist(agency_a, agency_b):
    errors = rejected(agency_a, [
        {"store": agency_b.assigned_store.pk, "date": YESTERDAY},
        {"store": 987654321, "date": YESTERDAY},
        {"seller_id": agency_b.assigned_store.seller_id, "marketplace": "US", "date": YESTERDAY},
    ])
    assert [(e.index, e.field) for e in errors] == [(0, "store"), (1, "store"), (2, "seller_id")]
    assert errors[0].message == f"No store with id {agency_b.assigned_store.pk}."
    assert errors[1].message == "No store with id 987654321."
    assert agency_b.assigned_store.seller_id in errors[2].message


@pytest.mark.parametrize(("row", "field"), [
    ({"store": 1, "seller_id": "A1", "marketplace": "US"}, "store"),
    ({}, "store"),
    ({"seller_id": "A1"}, "marketplace"),
    ({"marketplace": "US"}, "seller_id"),
    ({"seller_id": "A1", "marketplace": "XX"}, "marketplace"),
    ({"store": "12"}, "store"),
    ({"store": True}, "store"),
])
def test_a_row_names_its_store_one_way_exactly(agency_a, row, field):
    errors = rejected(agency_a, [{**row, "date": YESTERDAY}])
    assert [(e.index, e.field) for e in errors] == [(0, field)]


def test_a_marketplace_may_be_named_by_amazons_id_or_gb(agency_a):
    uk = StoreFactory(agency=agency_a.agency, client=agency_a.client, marketplace="UK")
    result = upsert(agency_a, [
        {"seller_id": uk.seller_id, "marketplace": "GB", "date": YESTERDAY, "cancel_rate": 0.01},
        {"seller_id": agency_a.other_store.seller_id, "marketplace": "A1PA6795UKMFR9", "date": YESTERDAY},
    ])
    assert result.created == 2


def test_the_same_store_and_date_twice_names_both_rows(agency_a):
    store = agency_a.assigned_store
    errors = rejected(agency_a, [
        {"store": store.pk, "date": YESTERDAY, "cancel_rate": 0.01},
        {"store": agency_a.other_store.pk, "date": YESTERDAY},
        {"seller_id": store.seller_id, "marketplace": "US", "date": YESTERDAY, "cancel_rate": 0.02},
    ])
    assert [(e.index, e.field) for e in errors] == [(2, "date")]
    assert "row 0" in errors[0].message and str(store.pk) in errors[0].message


def test_an_unknown_key_is_an_error_on_that_key(agency_a):
    errors = rejected(agency_a, [{"store": agency_a.assigned_store.pk, "date": YESTERDAY, "late_rate": 0.1}])
    assert errors == [RowError(0, "late_rate", "Unknown field “late_rate”.")]


def test_every_bad_row_is_listed_and_nothing_is_written(agency_a):
    rows = [{"store": agency_a.assigned_store.pk, "date": YESTERDAY, "cancel_rate": 0.01}]
    rows += [{"store": agency_a.other_store.pk, "date": f"2024-01-{day:02d}", "ahr_score": 2000}
             for day in range(1, 21)]
    rows += ["not a row"]

    errors = rejected(agency_a, rows)

    assert [e.index for e in errors] == list(range(1, 22))
    assert snapshot_count() == 0


# -- the stage, as the other ways in use it ----------------------------------------------------------------------
def test_a_stage_previews_what_it_would_merge_without_writing(agency_a):
    upsert(agency_a, [{"store": agency_a.assigned_store.pk, "date": YESTERDAY, "cancel_rate": 0.01}])
    with agency_a.scope(), transaction.atomic(), SnapshotStage(agency=agency_a.agency, source=Source.API) as stage:
        assert stage.add([{"store": agency_a.assigned_store.pk, "date": YESTERDAY, "cancel_rate": 0.02},
                          {"store": agency_a.other_store.pk, "date": YESTERDAY}], first_index=10) == []
        assert stage.preview() == UpsertResult(created=1, updated=1, unchanged=0,
                                               store_ids=frozenset({agency_a.assigned_store.pk,
                                                                    agency_a.other_store.pk}))
    assert snapshot_count() == 1 and snapshot(agency_a.assigned_store).cancel_rate == 0.01


def test_every_index_that_can_find_a_stored_day_holds_its_whole_key():
    """Before PostgreSQL has statistics of the snapshots (a new database, a new agency's first load) it cannot
    tell apart the indexes that lead with the agency; whichever it picks, finding a staged row's stored row must
    be one probe, not a walk through all of the agency's rows of that day."""
    keys = [list(index.fields) for index in HealthSnapshot._meta.indexes]
    keys += [list(constraint.fields) for constraint in HealthSnapshot._meta.constraints]
    for fields in keys:
        if fields[0] == "agency" and "date" in fields:
            assert {"store", "date"} <= set(fields), fields


def test_the_merge_reads_each_stored_row_through_its_whole_key(agency_a):
    upsert(agency_a, [{"store": agency_a.assigned_store.pk, "date": YESTERDAY, "cancel_rate": 0.01}])
    postgresql = connection.vendor == "postgresql"
    with agency_a.scope(), transaction.atomic(), SnapshotStage(agency=agency_a.agency, source=Source.API) as stage:
        stage.add([{"store": agency_a.assigned_store.pk, "date": YESTERDAY, "cancel_rate": 0.02}])
        with connection.cursor() as cursor:
            cursor.execute(("EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN ") + raw_sql._merged_select(stage.name),
                           [agency_a.agency.pk])
            plan = [str(row[-1]) for row in cursor.fetchall()]
    if postgresql:
        looked_up = [line for line in plan if "Index Cond" in line]
        assert looked_up and all("store_id = s.store_id" in line and "date = s.date" in line for line in looked_up)
        assert not any("Filter" in line for line in plan), plan
    else:
        found = [line for line in plan if "USING" in line and "INDEX" in line]
        assert found and all("store_id=?" in line and "date=?" in line for line in found), plan


# -- CSV ---------------------------------------------------------------------------------------------------------
def import_csv(persona, text, **options):
    with persona.scope():
        return services.snapshots_import_csv(agency=persona.agency, file=io.StringIO(text, newline=""), **options)


def test_a_csv_file_is_imported_with_text_values_and_empty_cells_as_no_data(agency_a):
    store = agency_a.assigned_store
    text = (f"store,seller_id,marketplace,date,late_shipment_rate,ahr_score,warning_states,odr_mfn\r\n"
            f"{store.pk},,,{YESTERDAY},0.046,250,\"[{{\"\"type\"\": \"\"x\"\", \"\"status\"\": \"\"BAD\"\"}}]\",\r\n"
            f",{agency_a.other_store.seller_id},DE,{YESTERDAY},,,,0.002\r\n")
    seen = []

    result = import_csv(agency_a, text, progress=seen.append)

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    row = snapshot(store)
    assert (row.late_shipment_rate, row.ahr_score, row.odr_mfn, row.source) == (0.046, 250, None, Source.CSV)
    assert row.warning_states == [{"type": "x", "status": "BAD"}]
    assert snapshot(agency_a.other_store).odr_mfn == 0.002
    assert seen == [2]


def test_bad_csv_lines_are_reported_by_line_number_and_nothing_is_written(agency_a):
    store = agency_a.assigned_store
    text = (f"store,date,late_shipment_rate\n{store.pk},{YESTERDAY},0.01\n\n"
            f"{store.pk},2024-01-02,1.5\n{store.pk},2024-01-03\n{store.pk},{YESTERDAY},0.02\n")

    with pytest.raises(BatchRejected) as caught:
        import_csv(agency_a, text)

    assert [(e.index, e.field) for e in caught.value.errors] == [
        (4, "late_shipment_rate"), (5, "non_field_errors"), (6, "date")]
    assert "line 2" in caught.value.errors[2].message
    assert snapshot_count() == 0


@pytest.mark.parametrize(("cell", "column"), [("nan", "late_shipment_rate"), ("2", "late_shipment_rate"),
                                              ("2.5", "ahr_score"), ("-1", "ip_complaints")])
def test_a_refused_csv_cell_is_named_as_the_file_writes_it(agency_a, cell, column):
    text = f"store,date,{column}\n{agency_a.assigned_store.pk},{YESTERDAY},{cell}\n"
    with pytest.raises(BatchRejected) as caught:
        import_csv(agency_a, text)
    (error,) = caught.value.errors
    assert (error.index, error.field) == (2, column)
    assert error.message.startswith(f"“{cell}” is not")


def test_an_unknown_csv_column_is_refused_before_any_row(agency_a):
    with pytest.raises(BatchRejected) as caught:
        import_csv(agency_a, "store,date,late_rate\nnot-even-read,x,y\n")
    assert caught.value.errors == [RowError(1, "late_rate", "Unknown column “late_rate”.")]


def test_a_dry_run_previews_the_csv_and_writes_nothing(agency_a):
    result = import_csv(agency_a, f"store,date,cancel_rate\n{agency_a.assigned_store.pk},{YESTERDAY},0.01\n",
                        dry_run=True)
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert snapshot_count() == 0


def test_a_csv_stops_collecting_errors_at_the_limit(agency_a):
    lines = "".join(f"{agency_a.assigned_store.pk},2024-01-01,{2 + n}\n" for n in range(50))
    with pytest.raises(BatchRejected) as caught:
        import_csv(agency_a, "store,date,cancel_rate\n" + lines, max_errors=5)
    assert len(caught.value.errors) == 5
