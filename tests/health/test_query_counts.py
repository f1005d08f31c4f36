"""The health API's lists issue the same number of queries for 10 and for 1,000 stores (house rule 5)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Store, StoreAssignment
from health import services
from health.models import HealthSnapshot, Source

# The middleware (key or session, memberships), the page, its filters: the same bound as the accounts lists.
MAX_QUERIES = 20
DAY = datetime.date(2025, 3, 20)


def add_stores(persona, how_many, *, assign_to=None):
    """``how_many`` stores of the persona's client, each with a red snapshot (and assigned to ``assign_to``),
    evaluated."""
    agency = persona.agency
    with scopes_disabled():
        first = Store.objects.filter(agency=agency).count()
        stores = Store.objects.bulk_create([
            Store(agency=agency, client=persona.client, name=f"Counted store {first + n:04}", marketplace="US",
                  seller_id=f"Q{agency.pk}X{first + n:05}", registered_on=DAY) for n in range(how_many)])
        HealthSnapshot.objects.bulk_create([
            HealthSnapshot(agency=agency, store=store, date=DAY, source=Source.API, received_at=timezone.now(),
                           odr_mfn=0.02, ip_complaints=1) for store in stores])
        if assign_to is not None:
            StoreAssignment.objects.bulk_create([StoreAssignment(agency=agency, store=store, user=assign_to)
                                                 for store in stores])
    with persona.scope():
        services.store_health_evaluate(agency=agency, store_ids=[store.pk for store in stores])


def queries_of(request):
    request()  # the caller's first-call writes (a key's last use) are behind it
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == 200, response.content[:500]
    return len(captured), response.json()


@pytest.mark.parametrize("who", ["rw_header", "operator"])
def test_the_snapshot_history_issues_as_many_queries_for_1000_stores_as_for_10(agency_a, api_as, who,
                                                                                django_assert_max_num_queries):
    operator = agency_a.operator if who == "operator" else None
    api = api_as(getattr(agency_a, who))

    def page():
        return api.get("/api/v1/health/snapshots/", {"page_size": 500})

    add_stores(agency_a, 10, assign_to=operator)
    few, few_body = queries_of(page)
    add_stores(agency_a, 990, assign_to=operator)
    many, many_body = queries_of(page)

    assert len(few_body["results"]) == 10 and len(many_body["results"]) == 500 and many_body["next"]
    assert few == many
    with django_assert_max_num_queries(MAX_QUERIES):
        page()


def test_the_store_list_filtered_by_health_issues_as_many_queries_for_1000_stores_as_for_10(
        agency_a, api_as, django_assert_max_num_queries):
    api = api_as(agency_a.ro_header)

    def page():
        return api.get("/api/v1/stores/", {"health": "red", "page_size": 500})

    add_stores(agency_a, 10)
    few, few_body = queries_of(page)
    add_stores(agency_a, 990)
    many, many_body = queries_of(page)

    assert few_body["count"] == 10 and many_body["count"] == 1000
    assert few == many
    with django_assert_max_num_queries(MAX_QUERIES):
        page()


def test_a_stores_health_reads_in_a_fixed_number_of_queries(agency_a, api_as, django_assert_max_num_queries):
    add_stores(agency_a, 30)
    api = api_as(agency_a.ro_header)
    with scopes_disabled():
        store = Store.objects.filter(agency=agency_a.agency, name__startswith="Counted").first()
    with django_assert_max_num_queries(MAX_QUERIES):
        assert api.get(f"/api/v1/stores/{store.pk}/health/").json()["colour"] == "red"
