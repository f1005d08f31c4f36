"""The address of the client behind a request, as far as the proxies the service trusts tell it.

Behind ``DJANGO_TRUSTED_PROXY_COUNT`` reverse proxies (0: the service faces the clients itself), each trusted
proxy appends to ``X-Forwarded-For`` the address it received the request from, so the client is the entry that
many places from the right; whatever a client wrote into the header itself stands further left and is ignored.
Lockout, throttling and the audit of sign-ins all ask this one function.
"""

import ipaddress

from django.conf import settings


def _address(text):
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request):
    """The client's IP address as a string (``REMOTE_ADDR`` when no proxy is trusted or the header is short)."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < trusted:
        # The request did not come through every trusted proxy: only the direct peer is known.
        return remote
    return _address(forwarded[-trusted]) or remote
