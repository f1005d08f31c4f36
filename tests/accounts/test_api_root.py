"""``GET /api/v1/`` lists the API's endpoints, each list's name with its absolute address, for a caller of an
agency; the lists come from the URLconf, so a list an app adds is listed without being named anywhere."""

import pytest
from rest_framework.test import APIClient

from tests.isolation.routes import api_routes

ROOT = "/api/v1/"


def test_a_key_gets_each_list_by_name_with_its_absolute_address(agency_a, api_as):
    answer = api_as(agency_a.ro_header).get(ROOT)
    assert answer.status_code == 200
    endpoints = answer.json()
    assert {"clients": "http://testserver/api/v1/clients/", "stores": "http://testserver/api/v1/stores/",
            "marketplaces": "http://testserver/api/v1/marketplaces/"}.items() <= endpoints.items()


def test_every_route_of_the_api_without_an_id_is_listed_and_answers_the_caller(agency_a, api_as):
    api = api_as(agency_a.rw_header)
    endpoints = api.get(ROOT).json()
    routes = {f"http://testserver{route.url({})}": route for route in api_routes()
              if not route.parameters and route.name != "api:root"}
    assert set(endpoints.values()) == set(routes)
    for name, url in endpoints.items():
        assert url.removeprefix("http://testserver/api/v1/").strip("/") == name
        if "get" in routes[url].methods:
            assert api.get(url).status_code == 200, url


def test_the_addresses_follow_the_host_the_caller_used(agency_a):
    client = APIClient(HTTP_HOST="localhost")
    client.credentials(HTTP_AUTHORIZATION=agency_a.rw_header)
    assert client.get(ROOT).json()["stores"] == "http://localhost/api/v1/stores/"


@pytest.mark.parametrize("role", ["owner", "operator", "viewer"])
def test_a_signed_in_member_gets_the_endpoints_too(agency_a, api_as, role):
    answer = api_as(agency_a.staff[role]).get(ROOT)
    assert answer.status_code == 200
    assert "stores" in answer.json()


def test_a_caller_without_a_key_is_asked_to_authenticate(db):
    answer = APIClient().get(ROOT)
    assert answer.status_code == 401
    assert set(answer.json()) == {"detail"}


def test_the_schema_documents_the_root(db):
    schema = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "object", "additionalProperties": {"type": "string", "format": "uri"}}
