"""The alerts' pages and lists issue the same number of queries for 10 alerts (or stores, or moves) as for 100 (house
rule 5): the inbox, filtered or not, as a manager and as an operator; an alert's page however long its history; the
overview's open alerts; the store page's panel; and the API's list and one alert."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Store, StoreAssignment
from alerts.models import Alert, AlertTransition
from alerts.rules import AlertKind
from health import metrics
from tests.page_queries import STORE_PAGE_MAX_QUERIES, compare

#: The same bound as the other lists of the admin: session, membership, the page, its counts and filters.
RULES = [key for key in metrics.KEYS if key != "warning_states"]


def add_alerts(persona, how_many, *, assign_to=None, store=None, status=Alert.Status.OPEN):
    """``how_many`` alerts (rows only), each of a new store (assigned to ``assign_to``) unless ``store`` is given,
    every other one overdue, each with its opening transition; one rule per alert of one store (an open alert is
    one per store and rule)."""
    agency = persona.agency
    now = timezone.now()
    with scopes_disabled():
        if store is None:
            first = Store.objects.filter(agency=agency).count()
            stores = Store.objects.bulk_create([
                Store(agency=agency, client=persona.client, name=f"Counted store {first + n:04}", marketplace="US",
                      seller_id=f"Q{agency.pk}X{first + n:05}") for n in range(how_many)])
            if assign_to is not None:
                StoreAssignment.objects.bulk_create([StoreAssignment(agency=agency, store=one, user=assign_to)
                                                     for one in stores])
        else:
            stores = [store] * how_many
        taken = Alert.objects.filter(store=store).count() if store is not None else 0
        alerts = Alert.objects.bulk_create([
            Alert(agency=agency, store=one, rule=RULES[(taken + n) % len(RULES)] if store is not None else
                  "late_shipment_rate", kind=AlertKind.METRIC, severity="red" if n % 3 else "yellow", status=status,
                  first_seen_at=now - datetime.timedelta(hours=n), last_seen_at=now, opened_value=0.05,
                  opened_target=0.04, latest_value=0.06, latest_target=0.04, assignee=persona.operator,
                  due_at=now + datetime.timedelta(hours=-1 if n % 2 else 24),
                  resolved_at=now if status == Alert.Status.RESOLVED else None)
            for n, one in enumerate(stores)])
        AlertTransition.objects.bulk_create([
            AlertTransition(agency=agency, alert=alert, from_status="", to_status="open", at=now, reason="Opened")
            for alert in alerts])
    return alerts


def add_transitions(persona, alert, how_many):
    with scopes_disabled():
        AlertTransition.objects.bulk_create([
            AlertTransition(agency=persona.agency, alert=alert, from_status="open", to_status="open",
                            at=timezone.now(), actor=persona.manager if n % 2 else None,
                            api_key=None if n % 2 else persona.rw_key, reason=f"Move {n}") for n in range(how_many)])


INBOX = "/admin/alerts/alert/"


@pytest.mark.parametrize("query", [{}, {"overdue": "yes"}, {"severity__exact": "red", "assignee": "mine"},
                                   {"status": "all", "q": "Counted"}])
def test_the_inbox_reads_the_same_queries_for_10_and_100_alerts(agency_a, client_as, django_assert_max_num_queries,
                                                                query):
    manager = client_as(agency_a.manager)
    few, many = compare(lambda: manager.get(INBOX, query), lambda n: add_alerts(agency_a, n),
                        django_assert_max_num_queries, marker="Counted store")
    assert many >= few


def test_the_inbox_of_an_operator_reads_the_same_queries_for_10_and_100_alerts(agency_a, client_as,
                                                                              django_assert_max_num_queries):
    operator = client_as(agency_a.operator)
    few, many = compare(lambda: operator.get(INBOX), lambda n: add_alerts(agency_a, n, assign_to=agency_a.operator),
                        django_assert_max_num_queries, marker="Counted store")
    assert 0 < few < many


def test_an_alerts_page_reads_the_same_queries_for_10_and_100_moves(agency_a, client_as,
                                                                   django_assert_max_num_queries):
    [alert] = add_alerts(agency_a, 1, store=agency_a.assigned_store)
    manager = client_as(agency_a.manager)
    few, many = compare(lambda: manager.get(f"{INBOX}{alert.pk}/change/"),
                        lambda n: add_transitions(agency_a, alert, n), django_assert_max_num_queries,
                        marker='class="alert-transition"')
    assert (few, many) == (11, 101)


def test_the_overviews_open_alerts_read_the_same_queries_for_10_and_100_alerts(agency_a, client_as,
                                                                              django_assert_max_num_queries):
    owner = client_as(agency_a.owner)
    few, many = compare(lambda: owner.get("/admin/"), lambda n: add_alerts(agency_a, n),
                        django_assert_max_num_queries, marker='class="alerts-item overview-alert"')
    assert few == many == 8


def test_the_store_panel_reads_the_same_queries_for_10_and_100_resolved_alerts(agency_a, client_as,
                                                                              django_assert_max_num_queries):
    def resolve_more(how_many):
        for store in (agency_a.assigned_store, agency_a.other_store):
            add_alerts(agency_a, how_many, store=store, status=Alert.Status.RESOLVED)

    add_alerts(agency_a, 3, store=agency_a.assigned_store)
    manager = client_as(agency_a.manager)
    few, many = compare(lambda: manager.get(f"/admin/accounts/store/{agency_a.assigned_store.pk}/change/"),
                        resolve_more, django_assert_max_num_queries, marker='data-status="resolved"',
                        max_queries=STORE_PAGE_MAX_QUERIES)
    assert few == many == 5


def test_the_api_list_and_one_alert_read_the_same_queries_for_10_and_100(agency_a, api_as,
                                                                        django_assert_max_num_queries):
    key = api_as(agency_a.rw_header)
    few, many = compare(lambda: key.get("/api/v1/alerts/", {"page_size": 500}), lambda n: add_alerts(agency_a, n),
                        django_assert_max_num_queries, marker='"store_name"')
    assert (few, many) == (10, 100)

    [alert] = add_alerts(agency_a, 1, store=agency_a.assigned_store)
    few, many = compare(lambda: key.get(f"/api/v1/alerts/{alert.pk}/"),
                        lambda n: add_transitions(agency_a, alert, n), django_assert_max_num_queries,
                        marker='"to_status"')
    assert (few, many) == (11, 101)
