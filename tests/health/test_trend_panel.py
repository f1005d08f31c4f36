"""The store page's health panel: the latest evaluation, and a trend chart per metric with data over 30, 90 or 365
days with its target line (the report's for the day, else the agency's), drawn by the Chart.js we serve."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from health import charts
from health.models import HealthPolicy, HealthSnapshot
from health.panels import render_health_panel
from health.thresholds import Thresholds
from tests.health.factories import HealthSnapshotFactory, evaluated_health


def days_ago(agency, days):
    return agency.today() - datetime.timedelta(days=days)


def store_page(client, store, **query):
    return client.get(f"/admin/accounts/store/{store.pk}/change/", query)


def chart_data(page, store):
    found = re.search(rf'<script id="health-charts-{store.pk}" type="application/json">(.*?)</script>', page, re.S)
    assert found, "no chart data on the page"
    return {chart["key"]: chart for chart in json.loads(found.group(1))}


# -- the charts' data (health.charts) ---------------------------------------------------------------------------
def test_rates_are_charted_in_percent_with_the_agencys_target_and_a_missing_day_is_a_gap(agency_a):
    with agency_a.scope():
        first = HealthSnapshotFactory(store=agency_a.assigned_store, date=days_ago(agency_a.agency, 2),
                                      late_shipment_rate=0.046)
        second = HealthSnapshotFactory(store=agency_a.assigned_store, date=days_ago(agency_a.agency, 1),
                                       late_shipment_rate=None)
    found = {chart["key"]: chart for chart in charts.trend_charts(
        [first, second], thresholds=Thresholds(targets={"late_shipment_rate": 0.03}))}

    lsr = found["late_shipment_rate"]
    assert lsr["unit"] == "%" and lsr["dates"] == [first.date.isoformat(), second.date.isoformat()]
    assert lsr["series"][0]["values"] == [4.6, None]
    assert lsr["series"][1] == {"label": "Target", "role": "target", "values": [3.0, 3.0]}


def test_a_days_report_target_wins_over_the_agencys_on_that_day(agency_a):
    with agency_a.scope():
        reported = HealthSnapshotFactory(
            store=agency_a.assigned_store, date=days_ago(agency_a.agency, 2),
            report_targets={"late_shipment_rate": {"target": 0.05, "condition": "LESS_THAN", "status": "GOOD"}})
        configured = HealthSnapshotFactory(store=agency_a.assigned_store, date=days_ago(agency_a.agency, 1))
    lsr = {chart["key"]: chart for chart in charts.trend_charts([reported, configured],
                                                                 thresholds=Thresholds())}["late_shipment_rate"]
    assert lsr["series"][1]["values"] == [5.0, 4.0]


def test_only_numeric_metrics_with_data_get_a_chart_and_the_ahr_shows_its_bands(agency_a):
    with agency_a.scope():
        snapshot = HealthSnapshotFactory(store=agency_a.assigned_store, ip_complaints=2)
    found = {chart["key"]: chart for chart in charts.trend_charts([snapshot], thresholds=Thresholds())}

    assert list(found) == ["ahr_score", "odr_mfn", "late_shipment_rate", "cancel_rate", "valid_tracking_rate",
                           "on_time_delivery_rate", "ip_complaints"]
    assert [series["values"] for series in found["ahr_score"]["series"]] == [[250], [200], [100]]
    assert found["ip_complaints"]["series"][1]["values"] == [0]


@pytest.mark.parametrize(("raw", "days"), [("30", 30), ("365", 365), ("7", 90), ("x", 90), (None, 90)])
def test_the_period_is_one_of_30_90_or_365_days(raw, days):
    assert charts.period_of(raw) == days


# -- the panel on the store page ----------------------------------------------------------------------------------
def test_the_store_page_draws_a_chart_per_metric_with_the_chart_library_we_serve(agency_a, client_as):
    with agency_a.scope():
        for days in range(1, 6):
            HealthSnapshotFactory(store=agency_a.assigned_store, date=days_ago(agency_a.agency, days))
    page = store_page(client_as(agency_a.manager), agency_a.assigned_store).content.decode()

    data = chart_data(page, agency_a.assigned_store)
    assert len(data["late_shipment_rate"]["dates"]) == 5
    assert page.count("<canvas data-chart-index=") == len(data)
    assert '<script src="/static/health/trend_charts.js"' in page
    assert '<script src="/static/unfold/js/chart/chart.js"></script>' in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "something is loaded from another host"


def test_the_period_switch_shows_30_90_or_365_days(agency_a, client_as):
    with agency_a.scope():
        for days in (1, 29, 31, 89, 91, 364, 366):
            HealthSnapshotFactory(store=agency_a.assigned_store, date=days_ago(agency_a.agency, days))
    browser = client_as(agency_a.manager)
    counts = {}
    for period in (None, "30", "90", "365"):
        query = {} if period is None else {"health_days": period}
        page = store_page(browser, agency_a.assigned_store, **query).content.decode()
        counts[period] = len(chart_data(page, agency_a.assigned_store)["ahr_score"]["dates"])
        assert "?health_days=365#health-panel" in page
    assert counts == {None: 4, "30": 2, "90": 4, "365": 6}


def test_the_panel_shows_the_latest_evaluation_and_its_reasons(agency_a, client_as):
    evaluated_health(agency_a.assigned_store, late_shipment_rate=0.046, account_status="AT_RISK")
    page = store_page(client_as(agency_a.operator), agency_a.assigned_store).content.decode()

    assert "Late Shipment Rate 4.6% ≥ target 4.0%" in page
    assert "Account status is AT_RISK, not NORMAL" in page
    assert "No metrics in the last 90 days." in page


def test_a_store_never_evaluated_says_so(agency_a, client_as):
    page = store_page(client_as(agency_a.manager), agency_a.other_store).content.decode()
    assert "Not evaluated yet" in page


def test_the_agencys_own_target_draws_the_line_when_no_report_gave_one(agency_a, client_as):
    with agency_a.scope():
        HealthPolicy.objects.create(agency=agency_a.agency, late_shipment_rate_target=0.03)
        HealthSnapshotFactory(store=agency_a.assigned_store)
    page = store_page(client_as(agency_a.manager), agency_a.assigned_store).content.decode()
    assert chart_data(page, agency_a.assigned_store)["late_shipment_rate"]["series"][1]["values"] == [3.0]


def test_an_operator_cannot_open_the_panel_of_a_store_beyond_them(agency_a, agency_b, client_as):
    with agency_a.scope():
        HealthSnapshotFactory(store=agency_a.other_store)
    assert store_page(client_as(agency_a.operator), agency_a.other_store).status_code == 404
    assert store_page(client_as(agency_b.owner), agency_a.assigned_store).status_code == 404


def test_the_panel_reads_the_snapshots_in_one_query_however_many_days(agency_a):
    request = RequestFactory().get("/", {"health_days": "365"})
    store = agency_a.assigned_store

    def queries():
        with agency_a.scope(), CaptureQueriesContext(connection) as captured:
            render_health_panel(request=request, store=store)
        return [query["sql"] for query in captured]

    with agency_a.scope():
        HealthSnapshotFactory(store=store, date=days_ago(agency_a.agency, 1))
    few = queries()
    with agency_a.scope():
        HealthSnapshot.objects.bulk_create([
            HealthSnapshot(agency=agency_a.agency, store=store, date=days_ago(agency_a.agency, days), source="api",
                           received_at=HealthSnapshotFactory.build(store=store).received_at, ahr_score=300)
            for days in range(2, 300)])
    many = queries()
    assert len(few) == len(many) == 3  # the evaluation, the policy, the snapshots
    assert sum('"health_healthsnapshot"' in sql for sql in many) == 1
