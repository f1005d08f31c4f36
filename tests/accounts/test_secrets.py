"""Secrets shown once (a new API key; an invitation's link is emailed, never shown) never travel in a cookie: a
signed cookie is signed, not encrypted, and anyone who holds it (a shared computer, a proxy's log) reads it. They
are shown once, on the next page, from storage kept on the server."""

import base64
import re
import zlib

from django.core import signing
from django_scopes import scopes_disabled

from accounts.models import ApiKey


def what_a_reader_of_the_cookie_sees(value):
    """The cookie's value, plus what anyone can decode from it without the secret key: a signed value's payload is
    base64 (zlib-compressed when it starts with a dot)."""
    texts = [value]
    for part in value.strip('"').replace("\\", "").split(":"):
        payload = part[1:] if part.startswith(".") else part
        try:
            decoded = signing.b64_decode(payload.encode())
        except (ValueError, TypeError):
            continue
        try:
            decoded = zlib.decompress(decoded)
        except zlib.error:
            pass  # not compressed
        texts.append(decoded.decode("utf-8", "replace"))
    return "\n".join(texts)


def assert_no_cookie_carries(response, secret):
    encoded = {secret, base64.b64encode(secret.encode()).decode(), base64.urlsafe_b64encode(secret.encode()).decode()}
    for name, morsel in response.cookies.items():
        seen = what_a_reader_of_the_cookie_sees(morsel.value)
        assert not any(text in seen for text in encoded), f"cookie {name} carries the secret"


def shown_secret(page):
    found = re.findall(r"<code>([^<]+)</code>", page.content.decode())
    return found[0] if found else None


def create_api_key(client, name="ERP c"):
    return client.post("/admin/accounts/apikey/add/", {"name": name, "access": "read_write"})


def test_a_secret_shown_once_is_not_in_any_cookie_and_is_shown_on_the_next_page_only(agency_a, client_as):
    client = client_as(agency_a.owner)
    created = create_api_key(client)
    assert created.status_code == 302, created.context and created.context["adminform"].form.errors
    next_page = client.get(created.url)
    secret = shown_secret(next_page)
    assert secret, "the next page shows the secret"
    assert_no_cookie_carries(created, secret)
    assert_no_cookie_carries(next_page, secret)
    assert secret not in client.cookies.output()
    page_after = client.get(created.url)
    assert secret not in page_after.content.decode()


def test_the_key_shown_is_the_key_created(agency_a, client_as, api_as):
    client = client_as(agency_a.owner)
    created = create_api_key(client, name="ERP shown once")
    secret = shown_secret(client.get(created.url))
    with scopes_disabled():
        key = ApiKey.objects.get(name="ERP shown once")
    assert secret.startswith(f"{key.prefix}.")
    assert api_as(f"Api-Key {secret}").get("/api/v1/stores/").status_code == 200


def test_the_cookie_reader_would_see_a_secret_in_a_signed_cookie():
    """The test's reader is not blind: a message signed into a cookie the way Django's cookie storage does it
    (compressed) is read."""
    secret = "k3y_" + "x" * 40
    value = signing.get_cookie_signer(salt="django.contrib.messages").sign_object(
        [["__json_message", 0, 30, f"The new API key is <code>{secret}</code>."]], compress=True)
    assert secret in what_a_reader_of_the_cookie_sees(value)
