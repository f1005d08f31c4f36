"""The stores of the API (/api/v1/stores/): what each caller sees and may change, and how bad input is told."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Store, StoreAssignment
from tests.factories import AgencyFactory, ClientFactory, StoreFactory, make_api_key

STORES = "/api/v1/stores/"


def store_url(store):
    return f"{STORES}{store.pk}/"


def new_store(persona, **overrides):
    payload = {
        "name": "Lakeside Outdoor US",
        "client": persona.client.pk,
        "marketplace": "US",
        "seller_id": "A1LAKESIDE2024",
        "registered_on": "2024-05-02",
        "selling_plan": "professional",
        "brand_registered": True,
        "status": "active",
        "operators": [persona.operator.email],
        "notes": "Opened for the spring range.",
    }
    payload.update(overrides)
    return payload


def store_count(persona):
    with persona.scope():
        return Store.objects.filter(agency=persona.agency).count()


def all_store_rows():
    with scopes_disabled():
        return sorted(Store.objects.values_list("id", "agency_id", "name", "seller_id", "marketplace", "status",
                                                "registered_on", "updated_at"))


def all_assignment_rows():
    with scopes_disabled():
        return sorted(StoreAssignment.objects.values_list("store_id", "user_id"))


def names(response):
    return [row["name"] for row in response.json()["results"]]


# -- reading -------------------------------------------------------------------------------------------------

def test_a_key_lists_its_agencys_stores_and_nothing_of_another_agency(agency_a, agency_b, api_as):
    response = api_as(agency_a.rw_header).get(STORES)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert names(response) == ["Assigned store A", "Unassigned store A"]
    assigned = body["results"][0]
    assert assigned["client"] == agency_a.client.pk
    assert assigned["operators"] == [agency_a.operator.email]
    assert assigned["marketplace"] == "US"
    assert assigned["amazon_marketplace_id"] == "ATVPDKIKX0DER"
    assert assigned["region"] == "NA"
    assert assigned["marketplace_time_zone"] == "America/Los_Angeles"


def test_a_read_only_key_reads_stores_too(agency_a, api_as):
    response = api_as(agency_a.ro_header).get(store_url(agency_a.other_store))
    assert response.status_code == 200
    assert response.json()["name"] == "Unassigned store A"
    assert response.json()["marketplace"] == "DE"


def test_a_store_of_another_agency_is_not_found(agency_a, agency_b, api_as):
    response = api_as(agency_a.rw_header).get(store_url(agency_b.assigned_store))
    assert response.status_code == 404


def test_stores_are_filtered_by_marketplace_client_and_status(agency_a, api_as):
    second_client = ClientFactory(agency=agency_a.agency, name="Second client")
    StoreFactory(agency=agency_a.agency, client=second_client, name="Closed JP", marketplace="JP",
                 status="closed")
    StoreFactory(agency=agency_a.agency, client=second_client, name="At risk US", marketplace="US",
                 status="at_risk")
    api = api_as(agency_a.rw_header)

    assert names(api.get(STORES, {"marketplace": "DE"})) == ["Unassigned store A"]
    assert names(api.get(STORES, {"marketplace": ["DE", "JP"]})) == ["Closed JP", "Unassigned store A"]
    assert names(api.get(STORES, {"client": second_client.pk})) == ["At risk US", "Closed JP"]
    assert names(api.get(STORES, {"status": "closed"})) == ["Closed JP"]
    assert names(api.get(STORES, {"status": ["closed", "at_risk"], "marketplace": "US"})) == ["At risk US"]
    assert names(api.get(STORES, {"client": second_client.pk, "status": "active"})) == []


def test_an_unknown_filter_value_is_a_400_naming_the_filter(agency_a, api_as):
    response = api_as(agency_a.rw_header).get(STORES, {"marketplace": "XX"})
    assert response.status_code == 400
    assert "marketplace" in response.json()
    assert "XX" in response.json()["marketplace"][0]


@pytest.mark.parametrize("value", ["99999999999999999999", "-3", "1.5", "one"])
def test_a_client_filter_that_is_no_id_is_a_400_naming_the_filter(agency_a, api_as, value):
    response = api_as(agency_a.rw_header).get(STORES, {"client": value})
    assert response.status_code == 400
    assert list(response.json()) == ["client"]


def test_a_search_with_a_nul_character_is_a_400_naming_the_search(agency_a, api_as):
    response = api_as(agency_a.rw_header).get(STORES, {"search": "Assigned\x00"})
    assert response.status_code == 400
    assert response.json() == {"search": ["Null characters are not allowed."]}


def test_the_store_list_is_paginated(agency_a, api_as):
    for number in range(5):
        StoreFactory(agency=agency_a.agency, client=agency_a.client, name=f"Paged store {number}")
    api = api_as(agency_a.rw_header)

    first = api.get(STORES, {"page_size": 3}).json()
    assert first["count"] == 7
    assert [row["name"] for row in first["results"]] == ["Assigned store A", "Paged store 0", "Paged store 1"]
    assert first["previous"] is None
    assert "page=2" in first["next"]

    last = api.get(STORES, {"page_size": 3, "page": 3}).json()
    assert [row["name"] for row in last["results"]] == ["Unassigned store A"]
    assert last["next"] is None

    assert api.get(STORES, {"page_size": 3, "page": 4}).status_code == 404


def test_stores_can_be_searched_and_ordered(agency_a, api_as):
    api = api_as(agency_a.rw_header)
    assert names(api.get(STORES, {"search": "unassigned"})) == ["Unassigned store A"]
    assert names(api.get(STORES, {"ordering": "-name"})) == ["Unassigned store A", "Assigned store A"]
    # An ordering the API does not offer is refused on the parameter (tests/accounts/test_api_strict_queries.py).
    assert list(api.get(STORES, {"ordering": "hashed_secret"}).json()) == ["ordering"]


def test_an_operator_sees_only_the_stores_assigned_to_them(agency_a, api_as):
    operator = api_as(agency_a.operator)
    assert names(operator.get(STORES)) == ["Assigned store A"]
    assert operator.get(store_url(agency_a.other_store)).status_code == 404

    idle = api_as(agency_a.idle_operator)
    assert idle.get(STORES).json()["count"] == 0


@pytest.mark.parametrize("role", ["owner", "manager", "viewer"])
def test_staff_signed_in_with_a_session_see_every_store_of_their_agency(agency_a, agency_b, api_as, role):
    response = api_as(agency_a.staff[role]).get(STORES)
    assert response.status_code == 200
    assert names(response) == ["Assigned store A", "Unassigned store A"]


# -- writing -------------------------------------------------------------------------------------------------

def test_a_read_write_key_creates_a_store_with_its_operators(agency_a, api_as):
    response = api_as(agency_a.rw_header).post(STORES, new_store(agency_a), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["seller_id"] == "A1LAKESIDE2024"
    assert body["operators"] == [agency_a.operator.email]
    with agency_a.scope():
        store = Store.objects.get(pk=body["id"])
        assert store.agency == agency_a.agency
        assert store.client == agency_a.client
        assert store.registered_on == datetime.date(2024, 5, 2)
        assert list(store.operators.all()) == [agency_a.operator]


def test_a_marketplace_may_be_given_by_its_amazon_id(agency_a, api_as):
    response = api_as(agency_a.rw_header).post(STORES, new_store(agency_a, marketplace="A1VC38T7YXB528"),
                                               format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["marketplace"] == "JP"


def test_a_manager_signed_in_creates_and_changes_stores(agency_a, api_as):
    manager = api_as(agency_a.manager)

    created = manager.post(STORES, new_store(agency_a, operators=[]), format="json")
    assert created.status_code == 201, created.json()

    changed = manager.patch(f"{STORES}{created.json()['id']}/", {"status": "at_risk"}, format="json")
    assert changed.status_code == 200
    with agency_a.scope():
        assert Store.objects.get(pk=created.json()["id"]).status == "at_risk"


def test_a_store_is_updated_in_full_and_in_part(agency_a, api_as):
    api = api_as(agency_a.rw_header)
    store = agency_a.other_store

    replaced = api.put(store_url(store), new_store(agency_a, name="Renamed", seller_id=store.seller_id,
                                                   marketplace="DE", operators=[agency_a.idle_operator.email]),
                       format="json")
    assert replaced.status_code == 200, replaced.json()

    patched = api.patch(store_url(store), {"status": "suspended", "notes": "Appeal filed."}, format="json")
    assert patched.status_code == 200, patched.json()

    with agency_a.scope():
        store.refresh_from_db()
        assert (store.name, store.status, store.notes) == ("Renamed", "suspended", "Appeal filed.")
        # A partial update without operators leaves the assignments alone.
        assert list(store.operators.all()) == [agency_a.idle_operator]


def test_operators_can_be_unassigned_with_an_empty_list(agency_a, api_as):
    response = api_as(agency_a.rw_header).patch(store_url(agency_a.assigned_store), {"operators": []},
                                                format="json")
    assert response.status_code == 200
    assert response.json()["operators"] == []
    with agency_a.scope():
        assert not StoreAssignment.objects.filter(store=agency_a.assigned_store).exists()


def test_a_store_of_another_agency_cannot_be_changed(agency_a, agency_b, api_as):
    before = all_store_rows()
    response = api_as(agency_a.rw_header).patch(store_url(agency_b.other_store), {"status": "closed"},
                                                format="json")
    assert response.status_code == 404
    assert all_store_rows() == before


def test_stores_cannot_be_deleted_only_closed(agency_a, api_as):
    response = api_as(agency_a.rw_header).delete(store_url(agency_a.other_store))
    assert response.status_code == 405
    assert store_count(agency_a) == 2


# An operator changes the notes and status of their own stores: tests/accounts/test_api_store_operators.py.
@pytest.mark.parametrize("caller", ["read-only key", "viewer", "idle_operator"])
def test_callers_that_may_not_manage_stores_get_403_and_nothing_is_written(agency_a, api_as, caller):
    credential = agency_a.ro_header if caller == "read-only key" else agency_a.staff[caller]
    api = api_as(credential)
    stores_before, assignments_before = all_store_rows(), all_assignment_rows()

    created = api.post(STORES, new_store(agency_a), format="json")
    patched = api.patch(store_url(agency_a.assigned_store), {"status": "closed"}, format="json")
    replaced = api.put(store_url(agency_a.assigned_store), new_store(agency_a, operators=[]), format="json")

    # A store the caller cannot see (the idle operator has none) is a 404 rather than a 403.
    refused = 404 if caller == "idle_operator" else 403
    assert [created.status_code, patched.status_code, replaced.status_code] == [403, refused, refused]
    assert "detail" in created.json()
    assert all_store_rows() == stores_before
    assert all_assignment_rows() == assignments_before


# -- bad input -----------------------------------------------------------------------------------------------

def post_refused(persona, api_as, payload, field):
    """POST ``payload``, expect a 400 whose body names ``field``, and that no store was written."""
    stores_before, assignments_before = all_store_rows(), all_assignment_rows()
    response = api_as(persona.rw_header).post(STORES, payload, format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body, body
    assert all_store_rows() == stores_before
    assert all_assignment_rows() == assignments_before
    return body[field]


def test_an_unknown_marketplace_is_refused_on_the_marketplace_field(agency_a, api_as):
    errors = post_refused(agency_a, api_as, new_store(agency_a, marketplace="XX"), "marketplace")
    assert errors == ["“XX” is not an Amazon marketplace this product knows."]


def test_a_second_store_with_the_same_seller_id_and_marketplace_in_the_agency_is_refused(agency_a, api_as):
    existing = agency_a.assigned_store
    payload = new_store(agency_a, seller_id=existing.seller_id, marketplace="US")

    errors = post_refused(agency_a, api_as, payload, "seller_id")

    assert existing.seller_id in errors[0]
    assert "US" in errors[0]


def test_the_same_seller_id_on_another_marketplace_is_another_store(agency_a, api_as):
    payload = new_store(agency_a, seller_id=agency_a.assigned_store.seller_id, marketplace="UK")
    response = api_as(agency_a.rw_header).post(STORES, payload, format="json")
    assert response.status_code == 201, response.json()


def test_the_same_seller_id_and_marketplace_in_another_agency_is_allowed(agency_a, agency_b, api_as):
    taken_in_b = agency_b.assigned_store
    payload = new_store(agency_a, seller_id=taken_in_b.seller_id, marketplace=taken_in_b.marketplace)

    response = api_as(agency_a.rw_header).post(STORES, payload, format="json")

    assert response.status_code == 201, response.json()
    with scopes_disabled():
        assert Store.objects.filter(seller_id=taken_in_b.seller_id, marketplace="US").count() == 2


def test_changing_a_store_onto_a_taken_seller_id_is_refused_on_seller_id(agency_a, api_as):
    before = all_store_rows()
    response = api_as(agency_a.rw_header).patch(
        store_url(agency_a.other_store),
        {"seller_id": agency_a.assigned_store.seller_id, "marketplace": "US"}, format="json",
    )
    assert response.status_code == 400
    assert "seller_id" in response.json()
    assert all_store_rows() == before


@pytest.fixture
def evening_in_utc(monkeypatch):
    """2025-03-10 20:00 UTC: already 11 March in Shanghai, still 10 March in Los Angeles."""
    instant = datetime.datetime(2025, 3, 10, 20, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    return instant


def test_a_registration_date_in_the_future_is_refused_on_registered_on(agency_a, api_as, evening_in_utc):
    errors = post_refused(agency_a, api_as, new_store(agency_a, registered_on="2025-03-12"), "registered_on")
    assert errors == ["The registration date 2025-03-12 is in the future."]


def test_the_future_begins_tomorrow_in_the_agencys_time_zone(agency_a, api_as, evening_in_utc):
    assert agency_a.agency.time_zone == "Asia/Shanghai"
    # 11 March is already today in Shanghai, though the date in UTC is still the 10th.
    response = api_as(agency_a.rw_header).post(STORES, new_store(agency_a, registered_on="2025-03-11"),
                                               format="json")
    assert response.status_code == 201, response.json()

    west = AgencyFactory(slug="west-coast", name="West Coast", time_zone="America/Los_Angeles")
    west_client = ClientFactory(agency=west)
    _, west_header = make_api_key(west, access="read_write")
    # ...while in Los Angeles it is still the 10th, so the 11th is in the future.
    payload = {"name": "West store", "client": west_client.pk, "marketplace": "US", "seller_id": "A1WESTCOAST11",
               "registered_on": "2025-03-11"}
    refused = api_as(west_header).post(STORES, payload, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"registered_on": ["The registration date 2025-03-11 is in the future."]}
    assert api_as(west_header).post(STORES, {**payload, "registered_on": "2025-03-10"},
                                    format="json").status_code == 201


def test_a_client_of_another_agency_reads_like_a_client_that_does_not_exist(agency_a, agency_b, api_as):
    foreign = post_refused(agency_a, api_as, new_store(agency_a, client=agency_b.client.pk), "client")
    missing_pk = agency_b.client.pk + 1000
    missing = post_refused(agency_a, api_as, new_store(agency_a, client=missing_pk), "client")

    assert "does not exist" in foreign[0]
    assert foreign[0].replace(str(agency_b.client.pk), "N") == missing[0].replace(str(missing_pk), "N")


def test_a_store_cannot_be_moved_to_a_client_of_another_agency(agency_a, agency_b, api_as):
    before = all_store_rows()
    response = api_as(agency_a.rw_header).patch(store_url(agency_a.other_store), {"client": agency_b.client.pk},
                                                format="json")
    assert response.status_code == 400
    assert "does not exist" in response.json()["client"][0]
    assert all_store_rows() == before


@pytest.mark.parametrize("who", ["operator of agency B", "nobody"])
def test_only_members_of_the_agency_can_be_assigned_as_operators(agency_a, agency_b, api_as, who):
    email = agency_b.operator.email if who == "operator of agency B" else "nobody@example.com"
    errors = post_refused(agency_a, api_as, new_store(agency_a, operators=[agency_a.operator.email, email]),
                          "operators")
    assert email in errors[0]
    assert "does not exist" in errors[0]


@pytest.mark.parametrize("address", ["operator.a\x00@example.com", "x" * 300 + "@example.com", 42])
def test_an_operator_that_cannot_be_an_email_address_is_refused_on_operators(agency_a, api_as, address):
    errors = post_refused(agency_a, api_as, new_store(agency_a, operators=[address]), "operators")
    assert errors and not any("does not exist" in message for message in errors)


def test_assigning_a_stranger_to_an_existing_store_changes_nothing(agency_a, agency_b, api_as):
    assignments_before = all_assignment_rows()
    response = api_as(agency_a.rw_header).patch(store_url(agency_a.assigned_store),
                                                {"operators": [agency_b.manager.email]}, format="json")
    assert response.status_code == 400
    assert "operators" in response.json()
    assert all_assignment_rows() == assignments_before


@pytest.mark.parametrize(
    "field, value",
    [
        ("seller_id", "lowercase-id"),
        ("seller_id", "A1"),
        ("name", ""),
        ("name", "x" * 201),
        ("status", "sleeping"),
        ("selling_plan", "enterprise"),
        ("registered_on", "10/03/2025"),
        ("client", "one"),
        ("notes", "NUL \x00 byte"),
        ("operators", "not-a-list"),
    ],
)
def test_malformed_values_are_refused_on_their_field(agency_a, api_as, field, value):
    post_refused(agency_a, api_as, new_store(agency_a, **{field: value}), field)


def test_required_fields_are_named_when_missing(agency_a, api_as):
    stores_before = all_store_rows()
    response = api_as(agency_a.rw_header).post(STORES, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "client", "marketplace", "seller_id"}
    assert all_store_rows() == stores_before


def test_every_problem_of_a_store_is_reported_at_once(agency_a, api_as, evening_in_utc):
    """A field error (blank name) does not hide the store's own rules (future date, taken seller id)."""
    payload = new_store(agency_a, name="", registered_on="2025-12-31", seller_id=agency_a.assigned_store.seller_id,
                        marketplace="US")
    stores_before = all_store_rows()

    response = api_as(agency_a.rw_header).post(STORES, payload, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"name", "registered_on", "seller_id"}
    assert all_store_rows() == stores_before


def test_every_problem_of_a_partial_update_is_reported_at_once(agency_a, api_as, evening_in_utc):
    before = all_store_rows()
    response = api_as(agency_a.rw_header).patch(store_url(agency_a.other_store),
                                                {"status": "sleeping", "registered_on": "2030-01-01"},
                                                format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"status", "registered_on"}
    assert all_store_rows() == before


def test_a_viewer_cannot_be_made_responsible_for_a_store(agency_a, api_as):
    before = all_assignment_rows()
    response = api_as(agency_a.rw_header).patch(store_url(agency_a.other_store),
                                                {"operators": [agency_a.viewer.email]}, format="json")
    assert response.status_code == 400
    assert "Viewers cannot" in " ".join(response.json()["operators"])
    assert all_assignment_rows() == before
