"""The overview's "Open alerts" (counts by severity and overdue, each a link to the inbox filtered so, then the overdue
alerts and the newest; left out when nothing is open) and the store page's alerts panel (the store's open alerts and
the ones it resolved lately), each for what the reader sees."""

import re

import pytest

from accounts.tenancy import Caller
from alerts import services
from alerts.models import Alert
from tests.alerts.reports import make_overdue, red_alert, report
from tests.factories import StoreFactory

OVERVIEW = "/admin/"


@pytest.fixture(autouse=True)
def in_agency_a(agency_a):
    """The tests read agency A's rows in its scope (each request still runs in its own caller's scope)."""
    with agency_a.scope():
        yield


def count_of(page, severity):
    found = re.search(rf'data-severity="{severity}" data-count="(\d+)"', page)
    return int(found.group(1)) if found else None


def overdue_of(page):
    return int(re.search(r'id="overview-alerts-overdue"[^>]*data-count="(\d+)"', page).group(1))


def listed(page):
    return [int(pk) for pk in re.findall(r'class="alerts-item overview-alert" data-alert="(\d+)"', page)]


def resolve(persona, alert, note="Appeal accepted"):
    with persona.scope():
        services.alert_resolve(agency=persona.agency, caller=Caller.system(persona.agency), alert=alert, note=note)


# -- the overview ----------------------------------------------------------------------------------------------------
def test_the_overview_counts_the_open_alerts_by_severity_and_overdue_and_links_the_filtered_inbox(agency_a,
                                                                                                  client_as):
    red = red_alert(agency_a, agency_a.assigned_store)
    red_alert(agency_a, agency_a.other_store, rule="account_status", account_status="AT_RISK")
    make_overdue(agency_a, red)

    page = client_as(agency_a.manager).get(OVERVIEW).content.decode()

    assert "Open alerts" in page
    assert (count_of(page, "red"), count_of(page, "yellow"), overdue_of(page)) == (2, 0, 1)
    for link in ("/admin/alerts/alert/?severity__exact=red", "/admin/alerts/alert/?overdue=yes",
                 f"/admin/alerts/alert/{red.pk}/change/"):
        assert link in page, link


def test_the_overdue_alerts_come_first_then_the_newest(agency_a, client_as):
    first = red_alert(agency_a, agency_a.assigned_store)
    second = red_alert(agency_a, agency_a.other_store)
    third = red_alert(agency_a, agency_a.other_store, rule="account_status", account_status="AT_RISK",
                      late_shipment_rate=0.046)
    make_overdue(agency_a, first)

    assert listed(client_as(agency_a.owner).get(OVERVIEW).content.decode()) == [first.pk, third.pk, second.pk]


def test_an_operator_counts_only_the_alerts_of_their_stores(agency_a, client_as):
    red_alert(agency_a, agency_a.assigned_store)
    red_alert(agency_a, agency_a.other_store)

    assert count_of(client_as(agency_a.operator).get(OVERVIEW).content.decode(), "red") == 1
    assert 'id="overview-alerts"' not in client_as(agency_a.idle_operator).get(OVERVIEW).content.decode()


def test_the_section_is_left_out_when_no_alert_is_open(agency_a, client_as):
    alert = red_alert(agency_a, agency_a.assigned_store)
    resolve(agency_a, alert)

    assert 'id="overview-alerts"' not in client_as(agency_a.owner).get(OVERVIEW).content.decode()


def test_the_section_names_nothing_of_another_agency(agency_a, agency_b, client_as):
    red_alert(agency_a, agency_a.assigned_store)
    red_alert(agency_b, agency_b.other_store)

    page = client_as(agency_b.owner).get(OVERVIEW).content.decode()
    assert count_of(page, "red") == 1
    assert "Assigned store A" not in page


def test_the_section_lists_a_few_alerts_and_counts_the_rest_in_the_inbox(agency_a, client_as):
    stores = [StoreFactory(agency=agency_a.agency, client=agency_a.client, name=f"Many store {n}") for n in range(10)]
    for store in stores:
        report(agency_a, store, late_shipment_rate=0.046)

    page = client_as(agency_a.owner).get(OVERVIEW).content.decode()
    assert len(listed(page)) == 8
    assert "2 more open alerts in the inbox" in page


# -- the store page's panel --------------------------------------------------------------------------------------------
def store_page(client, store):
    return client.get(f"/admin/accounts/store/{store.pk}/change/")


def test_the_store_page_shows_its_open_alerts_and_the_ones_resolved_lately(agency_a, client_as):
    resolved = red_alert(agency_a, agency_a.assigned_store, rule="account_status", account_status="AT_RISK")
    resolve(agency_a, resolved)
    still_open = red_alert(agency_a, agency_a.assigned_store, late_shipment_rate=0.046, account_status="NORMAL")
    red_alert(agency_a, agency_a.other_store)

    answer = store_page(client_as(agency_a.operator), agency_a.assigned_store)

    assert answer.status_code == 200
    page = answer.content.decode()
    opened = re.search(r'id="alerts-panel-open".*?</ul>', page, re.S).group(0)
    recent = re.search(r'id="alerts-panel-resolved".*?</ul>', page, re.S).group(0)
    assert re.findall(r'data-alert="(\d+)"', opened) == [str(still_open.pk)]
    assert re.findall(r'data-alert="(\d+)"', recent) == [str(resolved.pk)]
    assert f"/admin/alerts/alert/?store__id__exact={agency_a.assigned_store.pk}" in page


def test_a_store_without_alerts_says_so(agency_a, client_as):
    page = store_page(client_as(agency_a.manager), agency_a.other_store).content.decode()
    assert "No open alert." in page and 'id="alerts-panel-resolved"' not in page


def test_the_panel_marks_an_overdue_alert(agency_a, client_as):
    make_overdue(agency_a, red_alert(agency_a, agency_a.other_store))

    page = store_page(client_as(agency_a.manager), agency_a.other_store).content.decode()
    assert 'data-overdue="yes"' in page
    assert Alert.objects.filter(agency=agency_a.agency, store=agency_a.other_store).count() == 1
