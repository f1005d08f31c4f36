"""The API's throttles know a client by its address as the trusted proxies report it, so a forged
X-Forwarded-For buys no fresh budget; and an address that sends wrong API keys is slowed down, whatever key it
sends next, while the ERP elsewhere is not."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts import services
from accounts.platform.api.throttling import RateThrottle

STORES = "/api/v1/stores/"
DOCS = "/api/docs/"  # open to anonymous callers, so throttled per address
PROXY = "10.0.0.2"
WRONG = "Api-Key 000000000000.not-a-key"
REFUSED = "The API key is malformed, unknown or revoked."


@pytest.fixture
def low_rates(monkeypatch):
    """Three calls a minute per caller and three wrong keys a minute per address. The throttles read their rates
    when the class is defined, so the class attribute is patched; the counters live in the cache, which starts
    and ends empty."""
    monkeypatch.setattr(RateThrottle, "THROTTLE_RATES", {"caller": "3/min", "api_key_failure": "3/min"})
    cache.clear()
    yield
    cache.clear()


def client_at(address, forwarded=None, header=None):
    extra = {"REMOTE_ADDR": address, "HTTP_ACCEPT_LANGUAGE": "en"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    client = APIClient(**extra)
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    return client


def test_an_anonymous_client_that_forges_x_forwarded_for_keeps_its_one_budget(db, low_rates, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    calls = [client_at("203.0.113.5", forwarded=f"198.51.100.{n}").get(DOCS).status_code for n in range(4)]
    assert calls == [200, 200, 200, 429]


def test_behind_a_proxy_each_client_has_its_own_budget_whatever_it_forges(db, low_rates, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it saw; what the client wrote itself stands further left.
    calls = [client_at(PROXY, forwarded=f"192.0.2.{n}, 198.51.100.7").get(DOCS).status_code for n in range(4)]
    assert calls == [200, 200, 200, 429]
    assert client_at(PROXY, forwarded="198.51.100.8").get(DOCS).status_code == 200


def test_after_too_many_wrong_keys_an_address_gets_429_with_retry_after(agency_a, low_rates):
    with agency_a.scope():
        services.api_key_revoke(agency=agency_a.agency, api_key=agency_a.rw_key)
    wrong_keys = ["Api-Key garbage", WRONG, agency_a.rw_header]  # malformed, unknown, revoked

    refused = [client_at("203.0.113.66", header=key).get(STORES) for key in wrong_keys]
    throttled = client_at("203.0.113.66", header=WRONG).get(STORES)

    assert [response.status_code for response in refused] == [401, 401, 401]
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert throttled.json()["detail"].startswith(
        "Too many requests with a malformed, unknown or revoked API key from this address.")


def test_a_key_guessing_address_is_refused_even_its_right_key_and_the_erp_elsewhere_is_not(agency_a, low_rates):
    for _ in range(3):
        assert client_at("203.0.113.66", header=WRONG).get(STORES).status_code == 401

    # A right key from the guessing address would tell the guesser it guessed right: it waits like a wrong one.
    assert client_at("203.0.113.66", header=agency_a.rw_header).get(STORES).status_code == 429
    assert client_at("198.51.100.20", header=agency_a.rw_header).get(STORES).status_code == 200
    other_address_wrong = client_at("198.51.100.21", header=WRONG).get(STORES)
    assert other_address_wrong.status_code == 401
    assert other_address_wrong.json()["detail"] == REFUSED


def test_a_key_guesser_that_forges_x_forwarded_for_keeps_its_one_budget(agency_a, low_rates, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    calls = [client_at("203.0.113.66", forwarded=f"198.51.100.{n}", header=WRONG).get(STORES).status_code
             for n in range(4)]
    assert calls == [401, 401, 401, 429]


def test_calls_with_the_right_key_do_not_use_the_budget_of_wrong_ones(agency_a, low_rates, monkeypatch):
    monkeypatch.setattr(RateThrottle, "THROTTLE_RATES", {"caller": "100/min", "api_key_failure": "3/min"})
    erp = client_at("198.51.100.20", header=agency_a.rw_header)
    assert [erp.get(STORES).status_code for _ in range(5)] == [200] * 5

    mistake = client_at("198.51.100.20", header=WRONG).get(STORES)

    assert mistake.status_code == 401
    assert erp.get(STORES).status_code == 200


def test_signed_in_people_are_not_counted_as_wrong_keys(agency_a, low_rates, api_as):
    for _ in range(3):
        client_at("127.0.0.1", header=WRONG).get(STORES)
    # The test client's address is 127.0.0.1 too; a session has no key to throttle.
    assert api_as(agency_a.manager).get(STORES).status_code == 200
