"""Who may call the API: API keys (``Authorization: Api-Key <key>``), per-key throttling, and the public
endpoints that need no key (health check, schema, docs)."""

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiKey, Client
from accounts.platform.api.throttling import AgencyCallerThrottle

STORES = "/api/v1/stores/"


def call_with_header(header):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    return client.get(STORES)


def assert_refused_as_unauthenticated(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Api-Key", id="scheme-without-key"),
        pytest.param("Api-Key ", id="scheme-with-blank-key"),
        pytest.param("Api-Key garbage", id="no-dot"),
        pytest.param("Api-Key .", id="only-a-dot"),
        pytest.param("Api-Key abc.", id="no-secret"),
        pytest.param("Api-Key .secret", id="no-prefix"),
        pytest.param("Api-Key " + "p" * 40 + ".secret", id="prefix-too-long"),
        pytest.param("Api-Key \u00e9\u00e9\u00e9.\u00fc\u00fc\u00fc", id="non-ascii"),
        pytest.param("api-key nothex.nosecret", id="scheme-in-lower-case"),
    ],
)
def test_a_malformed_api_key_is_refused_with_401_saying_so(agency_a, header):
    response = call_with_header(header)
    assert_refused_as_unauthenticated(response)
    assert response.json()["detail"] == "The API key is malformed, unknown or revoked."


def test_an_unknown_key_is_refused_with_401(agency_a):
    prefix, secret = agency_a.rw_header.removeprefix("Api-Key ").split(".", 1)
    for header in (f"Api-Key 000000000000.{secret}", f"Api-Key {prefix}.wrong-secret"):
        response = call_with_header(header)
        assert_refused_as_unauthenticated(response)
        assert "unknown" in response.json()["detail"]


def test_a_revoked_key_is_refused_with_401_and_the_other_keys_still_work(agency_a):
    with agency_a.scope():
        services.api_key_revoke(agency=agency_a.agency, api_key=agency_a.rw_key)

    response = call_with_header(agency_a.rw_header)

    assert_refused_as_unauthenticated(response)
    assert "revoked" in response.json()["detail"]
    assert call_with_header(agency_a.ro_header).status_code == 200


def test_a_revoked_key_cannot_write(agency_a):
    with agency_a.scope():
        services.api_key_revoke(agency=agency_a.agency, api_key=agency_a.rw_key)
        before = Client.objects.count()
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=agency_a.rw_header)

    response = client.post("/api/v1/clients/", {"name": "Sneaky"}, format="json")

    assert_refused_as_unauthenticated(response)
    with agency_a.scope():
        assert Client.objects.count() == before


def test_a_key_of_an_inactive_agency_is_refused(agency_a):
    agency_a.agency.is_active = False
    agency_a.agency.save()
    assert_refused_as_unauthenticated(call_with_header(agency_a.rw_header))


def test_a_call_without_credentials_is_asked_to_authenticate(agency_a):
    assert_refused_as_unauthenticated(call_with_header(None))


def test_another_authorization_scheme_is_not_taken_for_a_key(agency_a):
    response = call_with_header("Bearer something")
    assert_refused_as_unauthenticated(response)


def test_a_key_records_when_it_was_last_used(agency_a):
    assert agency_a.rw_key.last_used_at is None

    assert call_with_header(agency_a.rw_header).status_code == 200

    with scopes_disabled():
        used = ApiKey.objects.get(pk=agency_a.rw_key.pk)
        untouched = ApiKey.objects.get(pk=agency_a.ro_key.pk)
    assert used.last_used_at is not None
    assert untouched.last_used_at is None


@pytest.fixture
def low_throttle_rate(monkeypatch):
    """Three calls a minute per caller. The throttle reads its rates when the class is defined, so the
    class attribute is patched; the counters live in the cache, which starts and ends empty."""
    monkeypatch.setattr(AgencyCallerThrottle, "THROTTLE_RATES", {"caller": "3/min"})
    cache.clear()
    yield
    cache.clear()


def test_each_key_has_its_own_budget_the_fourth_call_a_minute_is_429(agency_a, low_throttle_rate):
    first = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    first.credentials(HTTP_AUTHORIZATION=agency_a.rw_header)
    second = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    second.credentials(HTTP_AUTHORIZATION=agency_a.ro_header)

    assert [first.get(STORES).status_code for _ in range(3)] == [200, 200, 200]
    throttled = first.get(STORES)

    assert throttled.status_code == 429
    assert "throttled" in throttled.json()["detail"].lower()
    assert int(throttled["Retry-After"]) > 0
    assert second.get(STORES).status_code == 200


def test_a_signed_in_person_has_a_budget_of_their_own(agency_a, agency_b, low_throttle_rate, api_as):
    manager = api_as(agency_a.manager)
    for _ in range(3):
        assert manager.get(STORES).status_code == 200
    assert manager.get(STORES).status_code == 429
    assert api_as(agency_a.owner).get(STORES).status_code == 200
    assert api_as(agency_b.rw_header).get(STORES).status_code == 200


def test_healthz_needs_no_key_and_reports_database_and_in_process_cache_and_broker(db):
    response = APIClient().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "in-process", "broker": "in-process"}


def test_the_openapi_schema_and_the_docs_are_served(db):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/stores/", "/api/v1/stores/{id}/", "/api/v1/clients/", "/api/v1/clients/{id}/",
            "/api/v1/marketplaces/"} <= set(paths)
    assert "ApiKeyAuth" in schema.json()["components"]["securitySchemes"]

    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    assert b"/api/schema/" in docs.content
