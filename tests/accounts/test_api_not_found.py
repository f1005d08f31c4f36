"""Every 404 of the API says the same thing in the caller's language, ``{"detail": "Not found."}``: it never names
the model (DRF's "No Store matches the given query." would), whether the id is another agency's, exists nowhere,
is not a number, or the address matches no route.

Object routes come from the URL resolver (``tests/isolation/routes.py``), so a route an app adds is checked too.
"""

import pytest
from rest_framework.test import APIClient

from tests.isolation.addresses import api_object_values
from tests.isolation.registry import row_of
from tests.isolation.routes import api_routes

NOT_FOUND = {"en": {"detail": "Not found."}, "zh-hans": {"detail": "未找到。"}}


def key_client(header, language):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


def object_routes():
    return [route for route in api_routes() if route.object_parameters and "get" in route.methods]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_another_agencys_id_an_absent_id_and_an_id_that_is_no_number_get_the_same_translated_404(
        agency_a, agency_b, language):
    api = key_client(agency_a.rw_header, language)
    routes = object_routes()
    assert {route.name for route in routes} >= {"api:store-detail", "api:client-detail"}
    for route in routes:
        foreign = route.url(api_object_values(route, row_of(route.api_model, agency_b)))
        absent = route.url(api_object_values(route, row_of(route.api_model, agency_a), absent=True))
        template = route.url({name: "{id}" for name in route.object_parameters})
        not_numbers = [template.replace("{id}", text) for text in ("abc", "1.5", "-1", "9" * 30, "%20")]
        for url in (foreign, absent, *not_numbers):
            answer = api.get(url)
            assert (answer.status_code, answer.json()) == (404, NOT_FOUND[language]), f"GET {url}"
            verbose_name = str(route.api_model._meta.verbose_name)
            assert route.api_model.__name__ not in answer.content.decode() and verbose_name not in answer.json()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_api_address_that_matches_no_route_is_a_json_404(agency_a, language):
    api = key_client(agency_a.rw_header, language)
    for url in ("/api/v1/no-such-list/", "/api/v1/stores/1/no-such-action/", "/api/v2/stores/"):
        answer = api.get(url)
        assert answer.status_code == 404, url
        assert answer["Content-Type"] == "application/json"
        assert answer.json() == NOT_FOUND[language], url


def test_a_page_past_the_last_is_a_404_that_names_no_model(agency_a):
    answer = key_client(agency_a.rw_header, "en").get("/api/v1/stores/", {"page": 9})
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Invalid page."}


def test_an_address_outside_the_api_keeps_djangos_not_found_page(agency_a, client_as):
    answer = client_as(agency_a.owner).get("/no-such-page/")
    assert answer.status_code == 404
    assert not answer["Content-Type"].startswith("application/json")
