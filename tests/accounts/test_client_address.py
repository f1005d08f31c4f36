"""The client's address is read through the trusted proxies only: what a client forges in X-Forwarded-For is
ignored."""

import pytest
from django.test import RequestFactory

from accounts.platform.client_address import client_address


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
