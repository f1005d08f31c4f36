"""The overview page's section of red and yellow stores: red first, each with its worst metric and why, only the
caller's stores, capped with a link to the rest, in a fixed number of queries."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from health import overview, services
from tests.factories import StoreAssignmentFactory, StoreFactory
from tests.health.factories import HealthSnapshotFactory

INDEX = "/admin/"
DAY = datetime.date(2025, 3, 20)


def section(page):
    """The section's HTML on the overview page ("" when it is not there)."""
    found = re.search(r'<div id="overview-health".*?</ul>.*?</div>', page, re.S)
    return found.group(0) if found else ""


def with_health(persona, store, **values):
    HealthSnapshotFactory(store=store, date=DAY, **values)
    with persona.scope():
        services.store_health_evaluate(agency=persona.agency, store_ids=[store.pk])


def test_red_stores_come_before_yellow_ones_with_their_worst_metric_and_a_link(agency_a, client_as):
    with_health(agency_a, agency_a.assigned_store, ahr_score=150)  # yellow
    with_health(agency_a, agency_a.other_store, late_shipment_rate=0.046)  # red

    page = client_as(agency_a.owner).get(INDEX).content.decode()

    html = section(page)
    assert str(overview.TITLE) in page
    assert html.index(agency_a.other_store.name) < html.index(agency_a.assigned_store.name)
    assert "Late Shipment Rate 4.6% ≥ target 4.0%" in html
    assert "Account Health Rating 150 is at risk (below 200)" in html
    assert reverse("admin:accounts_store_change", args=[agency_a.other_store.pk]) in html
    assert "1 store in red" in html and "1 store in yellow" in html


def test_an_operator_sees_only_their_own_stores_in_it(agency_a, client_as):
    with_health(agency_a, agency_a.assigned_store, ahr_score=150)
    with_health(agency_a, agency_a.other_store, late_shipment_rate=0.046)

    html = section(client_as(agency_a.operator).get(INDEX).content.decode())
    assert agency_a.assigned_store.name in html and agency_a.other_store.name not in html
    assert "0 stores in red" in html

    assert section(client_as(agency_a.idle_operator).get(INDEX).content.decode()) == ""


def test_the_section_is_left_out_when_no_store_is_red_or_yellow(agency_a, client_as):
    with_health(agency_a, agency_a.assigned_store)  # the factory's values: green
    page = client_as(agency_a.owner).get(INDEX).content.decode()
    assert section(page) == "" and str(overview.TITLE) not in page


def add_red_stores(persona, how_many):
    stores = [StoreFactory(agency=persona.agency, client=persona.client, name=f"Red store {n:03}")
              for n in range(how_many)]
    for store in stores:
        StoreAssignmentFactory(store=store, agency=persona.agency, user=persona.operator)
        HealthSnapshotFactory(store=store, date=DAY, odr_mfn=0.02)
    with persona.scope():
        services.store_health_evaluate(agency=persona.agency, store_ids=[store.pk for store in stores])


def test_the_list_is_capped_with_a_link_to_the_rest_on_the_dashboard(agency_a, client_as):
    add_red_stores(agency_a, overview.LISTED + 2)
    html = section(client_as(agency_a.owner).get(INDEX).content.decode())
    assert html.count('class="overview-health-store') == overview.LISTED
    assert "2 more stores" in html
    assert overview.dashboard_url("red") in html


def test_the_section_reads_in_as_many_queries_for_40_red_stores_as_for_3(agency_a, client_as):
    browser = client_as(agency_a.operator)

    def queries():
        browser.get(INDEX)
        with CaptureQueriesContext(connection) as captured:
            page = browser.get(INDEX)
        assert page.status_code == 200
        return len(captured)

    add_red_stores(agency_a, 3)
    few = queries()
    add_red_stores(agency_a, 37)
    assert queries() == few
