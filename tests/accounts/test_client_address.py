"""The client's address is read through the trusted proxies only: what a client forges in X-Forwarded-For is
ignored."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.platform.client_address import client_address, limit_address


def request_from(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_with_no_trusted_proxy_the_peer_is_the_client_whatever_the_header_says(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(("trusted", "forwarded", "client"), [
    (1, "198.51.100.7", "198.51.100.7"),
    # A client that writes its own X-Forwarded-For gets it kept on the left, where nobody reads it.
    (1, "10.9.9.9, 198.51.100.7", "198.51.100.7"),
    (2, "forged, 198.51.100.7, 192.0.2.10", "198.51.100.7"),
    (1, "2001:db8::1", "2001:db8::1"),
])
def test_behind_trusted_proxies_the_client_is_what_the_outermost_one_saw(settings, trusted, forwarded, client):
    settings.TRUSTED_PROXY_COUNT = trusted
    assert client_address(request_from("192.0.2.1", forwarded)) == client


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", " , "])
def test_a_missing_short_or_broken_header_leaves_only_the_peer(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("192.0.2.1", forwarded)) == "192.0.2.1"


def test_a_header_shorter_than_the_proxy_chain_is_not_believed(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from("192.0.2.1", "198.51.100.7")) == "192.0.2.1"


@pytest.mark.parametrize(("client", "counted_as"), [
    ("203.0.113.9", "203.0.113.9"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::"),
    ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::"),
    ("::ffff:203.0.113.9", "203.0.113.9"),
])
def test_limits_count_an_ipv6_client_by_its_64_network(settings, client, counted_as):
    settings.TRUSTED_PROXY_COUNT = 0
    assert limit_address(request_from(client)) == counted_as


def test_two_addresses_of_one_ipv6_network_share_one_sign_in_lockout(agency_a, settings):
    """Failures from many addresses of one /64 lock the account for the whole network, not for one address."""
    email = agency_a.owner.email
    for number in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR=f"2001:db8:7:7::{number + 1:x}").post(
            reverse("admin:login"), {"username": email, "password": "wrong"})
    locked = Client(REMOTE_ADDR="2001:db8:7:7::abcd").post(
        reverse("admin:login"), {"username": email, "password": "correct-horse-battery"})
    assert locked.status_code == 429
    elsewhere = Client(REMOTE_ADDR="2001:db8:7:8::1").post(
        reverse("admin:login"), {"username": email, "password": "correct-horse-battery"})
    assert elsewhere.status_code == 302
