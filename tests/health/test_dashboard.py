"""The portfolio dashboard (/admin/health/storehealth/): every store the person sees, worst first, with its colour,
worst metric and why, AHR and trend; filtered by colour, client, marketplace and operator; read only; and the same
number of queries for 10 stores as for 1,000."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from accounts.models import Client, Store, StoreAssignment
from health.admin.dashboard import trend_of
from health.models import StoreHealth
from health.thresholds import Colour
from tests.factories import ClientFactory, MembershipFactory, StoreFactory, UserFactory
from tests.health.factories import evaluated_health

URL = "/admin/health/storehealth/"


def listed(answer):
    assert answer.status_code == 200
    return [row.store.name for row in answer.context["cl"].result_list]


@pytest.fixture
def portfolio(agency_a):
    """A's assigned store is red (LSR past target), the other yellow (VTR close), a third green."""
    red = evaluated_health(agency_a.assigned_store, late_shipment_rate=0.046, week_ago_colour=Colour.GREEN,
                           ahr_score=230, week_ago_ahr_score=260)
    yellow = evaluated_health(agency_a.other_store, valid_tracking_rate=0.955)
    green_store = StoreFactory(agency=agency_a.agency, client=ClientFactory(agency=agency_a.agency, name="Client G"),
                               name="Green store A", marketplace="JP")
    green = evaluated_health(green_store)
    return {"red": red, "yellow": yellow, "green": green}


def test_the_dashboard_is_titled_portfolio_health_and_lists_the_worst_stores_first(agency_a, client_as, portfolio):
    answer = client_as(agency_a.manager).get(URL)

    assert listed(answer) == ["Assigned store A", "Unassigned store A", "Green store A"]
    assert str(answer.context["title"]) == "Portfolio health"
    page = answer.content.decode()
    assert "Late Shipment Rate 4.6% ≥ target 4.0%" in page
    assert "Valid Tracking Rate 95.5% is close to the target: above 95.0%" in page


def test_an_operator_sees_only_the_stores_assigned_to_them(agency_a, client_as, portfolio):
    assert listed(client_as(agency_a.operator).get(URL)) == ["Assigned store A"]
    assert listed(client_as(agency_a.idle_operator).get(URL)) == []


def test_another_agencys_stores_never_show(agency_a, agency_b, client_as, portfolio):
    evaluated_health(agency_b.assigned_store, late_shipment_rate=0.05)
    assert "Assigned store B" not in client_as(agency_a.owner).get(URL).content.decode()
    assert listed(client_as(agency_b.owner).get(URL)) == ["Assigned store B"]


def test_the_counts_by_colour_link_to_the_list_of_that_colour(agency_a, client_as, portfolio):
    browser = client_as(agency_a.manager)
    counts = {count["colour"]: count for count in browser.get(URL).context["colour_counts"]}

    assert [colour for colour in counts] == ["red", "yellow", "green", "no_data"]
    assert {colour: count["count"] for colour, count in counts.items()} == {
        "red": 1, "yellow": 1, "green": 1, "no_data": 0}
    assert listed(browser.get(counts["red"]["url"])) == ["Assigned store A"]
    assert listed(browser.get(counts["green"]["url"])) == ["Green store A"]


@pytest.mark.parametrize(("filters", "expected"), [
    ({"colour": "yellow"}, ["Unassigned store A"]),
    ({"client": "CLIENT_G"}, ["Green store A"]),
    ({"store__marketplace__exact": "DE"}, ["Unassigned store A"]),
    ({"operator": "OPERATOR"}, ["Assigned store A"]),
    ({"operator": "none"}, ["Unassigned store A", "Green store A"]),
])
def test_the_dashboard_filters_by_colour_client_marketplace_and_operator(agency_a, client_as, portfolio, filters,
                                                                        expected):
    with agency_a.scope():
        green_client = Client.objects.get(agency=agency_a.agency, name="Client G")
    values = {"CLIENT_G": str(green_client.pk), "OPERATOR": str(agency_a.operator.pk)}
    query = {name: values.get(value, value) for name, value in filters.items()}
    assert listed(client_as(agency_a.manager).get(URL, query)) == expected


def test_stores_not_evaluated_yet_are_counted_above_the_list(agency_a, client_as, portfolio):
    StoreFactory(agency=agency_a.agency, client=agency_a.client, name="New store A")
    answer = client_as(agency_a.manager).get(URL)
    assert answer.context["unevaluated"] == 1
    assert "1 store is not evaluated yet" in answer.content.decode()


def test_the_dashboard_is_read_only_for_everyone(agency_a, client_as, portfolio):
    owner = client_as(agency_a.owner)
    row = portfolio["red"]
    page = owner.get(f"{URL}{row.pk}/change/")

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert f"/admin/accounts/store/{row.store_id}/change/" in page.content.decode()
    assert owner.get(f"{URL}add/").status_code == 403
    assert owner.post(f"{URL}{row.pk}/change/", {"colour": "green"}).status_code == 403
    assert owner.post(f"{URL}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    with agency_a.scope():
        assert StoreHealth.objects.get(pk=row.pk).colour == Colour.RED


def test_a_store_that_turned_red_since_last_week_is_worse_whatever_its_ahr_did(agency_a):
    turned_red = evaluated_health(agency_a.assigned_store, late_shipment_rate=0.05, ahr_score=300,
                                  week_ago_colour=Colour.GREEN, week_ago_ahr_score=250)
    found = trend_of(turned_red)
    assert (found.direction, found.ahr_change) == ("worse", 50)


def test_at_the_same_colour_the_trend_shows_the_ahrs_change_without_alarm_and_nothing_without_a_week_ago(agency_a):
    falling = evaluated_health(agency_a.assigned_store, ahr_score=240, week_ago_colour=Colour.GREEN,
                               week_ago_ahr_score=270)
    new = evaluated_health(agency_a.other_store)

    found = trend_of(falling)
    assert (found.direction, found.arrow, found.ahr_change) == ("same", "↓", -30)
    assert trend_of(new) is None


def test_a_store_back_to_green_is_better(agency_a):
    recovered = evaluated_health(agency_a.assigned_store, week_ago_colour=Colour.RED, week_ago_ahr_score=250)
    found = trend_of(recovered)
    assert (found.direction, found.arrow, found.ahr_change) == ("better", "↑", 0)


def test_the_trend_column_says_what_the_store_was_a_week_ago_and_the_ahrs_change(agency_a, client_as, portfolio):
    """The red store was green a week ago, its AHR fell by 30: the colour change is the news, the AHR's beside it."""
    page = client_as(agency_a.manager).get(URL).content.decode()
    assert "health-trend-worse" in page and "↓ was Green" in page and "AHR -30" in page


# -- a fixed number of queries -------------------------------------------------------------------------------
def add_evaluated_stores(persona, how_many, start):
    """``how_many`` stores with their own client, an operator each, and their health, in a few statements."""
    agency = persona.agency
    operators = [UserFactory() for _number in range(3)]
    for operator in operators:
        MembershipFactory(agency=agency, user=operator, role="operator")
    with scope(agency=agency):
        clients = Client.objects.bulk_create(
            [Client(agency=agency, name=f"Bulk client {start + number}") for number in range(how_many)])
        stores = Store.objects.bulk_create([
            Store(agency=agency, client=client, name=f"Bulk store {start + number:04}", marketplace="US",
                  seller_id=f"A{9_000_000_000 + start + number}") for number, client in enumerate(clients)])
        StoreAssignment.objects.bulk_create([
            StoreAssignment(agency=agency, store=store, user=operators[number % 3])
            for number, store in enumerate(stores)])
        colours = [Colour.RED, Colour.YELLOW, Colour.GREEN, Colour.NO_DATA]
        today = datetime.date.today()
        StoreHealth.objects.bulk_create([
            StoreHealth(agency=agency, store=store, date=today, colour=colours[number % 4],
                        worst_metric="late_shipment_rate", ahr_score=250, evaluated_at=timezone.now(),
                        evaluations={"late_shipment_rate": {"key": "late_shipment_rate", "colour": "red",
                                                            "rule": "target", "value": 0.05,
                                                            "target": {"value": 0.04, "condition": "LESS_THAN"}}},
                        week_ago_date=today - datetime.timedelta(days=7), week_ago_colour=Colour.GREEN,
                        week_ago_ahr_score=260)
            for number, store in enumerate(stores)])


def queries_of(request):
    request()
    with CaptureQueriesContext(connection) as captured:
        answer = request()
    assert answer.status_code == 200
    return len(captured), answer


@pytest.mark.parametrize("role", ["manager", "operator"])
def test_the_dashboard_issues_as_many_queries_for_1000_stores_as_for_10(agency_a, client_as, role,
                                                                       django_assert_max_num_queries):
    browser = client_as(getattr(agency_a, role))

    def dashboard():
        return browser.get(URL, {"colour": "red"} if role == "operator" else {})

    add_evaluated_stores(agency_a, 10, start=0)
    if role == "operator":
        with agency_a.scope():
            StoreAssignment.objects.bulk_create([
                StoreAssignment(agency=agency_a.agency, store=store, user=agency_a.operator)
                for store in Store.objects.filter(agency=agency_a.agency, name__startswith="Bulk store")])
    few, few_answer = queries_of(dashboard)
    add_evaluated_stores(agency_a, 990, start=10)
    if role == "operator":
        with agency_a.scope():
            StoreAssignment.objects.bulk_create([
                StoreAssignment(agency=agency_a.agency, store=store, user=agency_a.operator)
                for store in Store.objects.filter(agency=agency_a.agency, name__startswith="Bulk store",
                                                  name__gte="Bulk store 0010")])
    many, many_answer = queries_of(dashboard)

    shown = many_answer.context["cl"].result_list
    assert len(shown) == 50  # the first page
    assert all(row.store.operators.all() for row in shown)
    assert few == many
    with django_assert_max_num_queries(25):
        dashboard()
