"""The clients of the API (/api/v1/clients/): the brand owners whose stores the agency runs."""

import pytest
from django_scopes import scopes_disabled

from accounts.models import Client
from tests.factories import ClientFactory, StoreAssignmentFactory, StoreFactory

CLIENTS = "/api/v1/clients/"


def client_url(client):
    return f"{CLIENTS}{client.pk}/"


def all_client_rows():
    with scopes_disabled():
        return sorted(Client.objects.values_list("id", "agency_id", "name", "legal_name", "contact_email",
                                                 "notes", "updated_at"))


def names(response):
    return [row["name"] for row in response.json()["results"]]


NEW_CLIENT = {
    "name": "Lakeside Outdoor",
    "legal_name": "Lakeside Outdoor Trading Co., Ltd.",
    "contact_name": "Wang Fang",
    "contact_email": "fang.wang@lakeside.example",
    "contact_phone": "+86 571 5555 0101",
    "notes": "Tents and camping chairs.",
}


def test_a_key_lists_its_agencys_clients_only(agency_a, agency_b, api_as):
    ClientFactory(agency=agency_a.agency, name="Another client A")

    response = api_as(agency_a.rw_header).get(CLIENTS)

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert names(response) == ["Another client A", "Client A"]
    row = response.json()["results"][1]
    assert row["id"] == agency_a.client.pk
    assert row["legal_name"] == "Client A Co., Ltd."


def test_clients_are_filtered_by_name_and_paginated(agency_a, api_as):
    for number in range(4):
        ClientFactory(agency=agency_a.agency, name=f"Harbour brand {number}")
    api = api_as(agency_a.ro_header)

    assert names(api.get(CLIENTS, {"name": "harbour brand 2"})) == ["Harbour brand 2"]
    assert names(api.get(CLIENTS, {"search": "Client A Co"})) == ["Client A"]
    page = api.get(CLIENTS, {"page_size": 2, "page": 2}).json()
    assert page["count"] == 5
    assert [row["name"] for row in page["results"]] == ["Harbour brand 1", "Harbour brand 2"]
    assert api.get(CLIENTS, {"page": 99}).status_code == 404


def test_a_client_is_retrieved_by_id_and_another_agencys_is_not_found(agency_a, agency_b, api_as):
    api = api_as(agency_a.ro_header)
    assert api.get(client_url(agency_a.client)).json()["name"] == "Client A"
    assert api.get(client_url(agency_b.client)).status_code == 404


def test_an_operator_sees_only_the_clients_of_their_assigned_stores(agency_a, api_as):
    ClientFactory(agency=agency_a.agency, name="Client without the operator's stores")
    # Two assigned stores of the same client: the client is listed once.
    second = StoreFactory(agency=agency_a.agency, client=agency_a.client, name="Second assigned store")
    StoreAssignmentFactory(store=second, user=agency_a.operator)

    operator = api_as(agency_a.operator)

    assert names(operator.get(CLIENTS)) == ["Client A"]
    assert api_as(agency_a.idle_operator).get(CLIENTS).json()["count"] == 0


def test_a_read_write_key_creates_and_changes_a_client(agency_a, api_as):
    api = api_as(agency_a.rw_header)

    created = api.post(CLIENTS, NEW_CLIENT, format="json")
    assert created.status_code == 201, created.json()

    changed = api.patch(f"{CLIENTS}{created.json()['id']}/", {"contact_name": "Li Na"}, format="json")
    assert changed.status_code == 200

    replaced = api.put(f"{CLIENTS}{created.json()['id']}/", {**NEW_CLIENT, "notes": ""}, format="json")
    assert replaced.status_code == 200
    with agency_a.scope():
        client = Client.objects.get(pk=created.json()["id"])
        assert client.agency == agency_a.agency
        assert (client.contact_name, client.notes) == ("Wang Fang", "")


def test_an_owner_signed_in_with_a_session_creates_a_client(agency_a, api_as):
    response = api_as(agency_a.owner).post(CLIENTS, NEW_CLIENT, format="json")
    assert response.status_code == 201
    with agency_a.scope():
        assert Client.objects.filter(agency=agency_a.agency, name="Lakeside Outdoor").exists()


@pytest.mark.parametrize("caller", ["read-only key", "viewer", "operator"])
def test_callers_that_may_not_manage_clients_get_403_and_nothing_is_written(agency_a, api_as, caller):
    """Refused with 403 on what they can see; a client the operator cannot see (no store of theirs) is a 404."""
    credential = agency_a.ro_header if caller == "read-only key" else agency_a.staff[caller]
    api = api_as(credential)
    empty = ClientFactory(agency=agency_a.agency, name="Client without stores")
    before = all_client_rows()

    responses = [
        api.post(CLIENTS, NEW_CLIENT, format="json"),
        api.patch(client_url(agency_a.client), {"notes": "changed"}, format="json"),
        api.put(client_url(agency_a.client), NEW_CLIENT, format="json"),
        api.delete(client_url(empty)),
    ]

    invisible_to_them = 404 if caller == "operator" else 403
    assert [r.status_code for r in responses] == [403, 403, 403, invisible_to_them]
    assert all_client_rows() == before


def test_a_client_with_stores_cannot_be_deleted(agency_a, api_as):
    before = all_client_rows()

    response = api_as(agency_a.rw_header).delete(client_url(agency_a.client))

    assert response.status_code == 400
    assert response.json() == {"client": ["Client “Client A” still has stores; move or close them first."]}
    assert all_client_rows() == before


def test_a_client_without_stores_can_be_deleted(agency_a, api_as):
    empty = ClientFactory(agency=agency_a.agency, name="Client without stores")

    response = api_as(agency_a.rw_header).delete(client_url(empty))

    assert response.status_code == 204
    with agency_a.scope():
        assert not Client.objects.filter(pk=empty.pk).exists()
        assert Client.objects.filter(pk=agency_a.client.pk).exists()


def test_a_client_of_another_agency_cannot_be_changed_or_deleted(agency_a, agency_b, api_as):
    empty_b = ClientFactory(agency=agency_b.agency, name="Client B without stores")
    before = all_client_rows()
    api = api_as(agency_a.rw_header)

    assert api.patch(client_url(agency_b.client), {"notes": "mine now"}, format="json").status_code == 404
    assert api.delete(client_url(empty_b)).status_code == 404
    assert all_client_rows() == before


def test_a_second_client_with_the_same_name_in_the_agency_is_refused_on_the_name(agency_a, agency_b, api_as):
    before = all_client_rows()

    response = api_as(agency_a.rw_header).post(CLIENTS, {"name": "Client A"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"name": ["A client named “Client A” already exists in this agency."]}
    assert all_client_rows() == before


def test_renaming_a_client_onto_a_taken_name_is_refused_on_the_name(agency_a, api_as):
    other = ClientFactory(agency=agency_a.agency, name="Other client")
    before = all_client_rows()
    response = api_as(agency_a.rw_header).patch(client_url(other), {"name": "Client A"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    assert all_client_rows() == before


def test_the_same_client_name_in_another_agency_is_allowed(agency_a, agency_b, api_as):
    response = api_as(agency_a.rw_header).post(CLIENTS, {"name": agency_b.client.name}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", ""),
        ("name", "n" * 201),
        ("contact_email", "not an email"),
        ("contact_phone", "9" * 51),
        ("notes", "NUL \x00 byte"),
    ],
)
def test_malformed_client_values_are_refused_on_their_field(agency_a, api_as, field, value):
    before = all_client_rows()
    response = api_as(agency_a.rw_header).post(CLIENTS, {**NEW_CLIENT, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert all_client_rows() == before
