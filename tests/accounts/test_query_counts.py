"""A page's query count does not grow with the number of stores (house rule 5)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ClientFactory, MembershipFactory, StoreAssignmentFactory, StoreFactory, UserFactory

# Enough for the middleware (key or session, memberships), the page itself, its filters and its count.
MAX_QUERIES = 20


def add_stores(persona, how_many):
    """``how_many`` stores, each with a client of its own and an operator of its own assigned to it."""
    for number in range(how_many):
        client = ClientFactory(agency=persona.agency)
        store = StoreFactory(agency=persona.agency, client=client, name=f"Portfolio store {number:03}")
        operator = UserFactory()
        MembershipFactory(agency=persona.agency, user=operator, role="operator")
        StoreAssignmentFactory(store=store, agency=persona.agency, user=operator)


def queries_of(request):
    """The queries of ``request()``, once the caller's first-call writes (a key's last use) are behind it."""
    request()
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == 200
    return len(captured), response


@pytest.fixture
def query_count_for(agency_a):
    """``query_count_for(request, stores)``: the queries ``request()`` issues with that many stores added."""
    added = 0

    def count(request, stores):
        nonlocal added
        add_stores(agency_a, stores - added)
        added = stores
        return queries_of(request)

    return count


def test_the_api_store_list_issues_as_many_queries_for_200_stores_as_for_10(
    agency_a, api_as, query_count_for, django_assert_max_num_queries
):
    api = api_as(agency_a.rw_header)

    def page():
        return api.get("/api/v1/stores/", {"page_size": 500})

    few, few_response = query_count_for(page, 10)
    many, many_response = query_count_for(page, 200)

    assert few_response.json()["count"] == 12 and many_response.json()["count"] == 202
    listed = many_response.json()["results"]
    assert len(listed) == 202
    assert all(row["operators"] for row in listed if row["name"].startswith("Portfolio store"))
    assert few == many
    with django_assert_max_num_queries(MAX_QUERIES):
        page()


def test_the_admin_store_changelist_issues_as_many_queries_for_200_stores_as_for_10(
    agency_a, client_as, query_count_for, django_assert_max_num_queries
):
    browser = client_as(agency_a.manager)

    def changelist():
        return browser.get("/admin/accounts/store/")

    few, few_response = query_count_for(changelist, 10)
    many, many_response = query_count_for(changelist, 200)

    assert few_response.context["cl"].result_count == 12
    shown = many_response.context["cl"].result_list
    assert len(shown) == 100  # the first page
    assert all(store.operators.all() for store in shown if store.name.startswith("Portfolio store"))
    assert few == many
    with django_assert_max_num_queries(MAX_QUERIES):
        changelist()


def test_an_operators_api_store_list_does_not_grow_with_their_stores(
    agency_a, api_as, django_assert_max_num_queries
):
    """Operators' lists are filtered through their assignments: still a fixed number of queries."""
    api = api_as(agency_a.operator)

    def page():
        return api.get("/api/v1/stores/", {"page_size": 500})

    few, _ = queries_of(page)
    for number in range(60):
        store = StoreFactory(agency=agency_a.agency, client=ClientFactory(agency=agency_a.agency),
                             name=f"Operator's store {number:03}")
        StoreAssignmentFactory(store=store, agency=agency_a.agency, user=agency_a.operator)
    many, response = queries_of(page)

    assert response.json()["count"] == 61
    assert few == many
    with django_assert_max_num_queries(MAX_QUERIES):
        page()
