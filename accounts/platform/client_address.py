"""The address of the client behind a request, as far as the proxies the service trusts tell it.

Behind ``DJANGO_TRUSTED_PROXY_COUNT`` reverse proxies (0: the service faces the clients itself), each trusted
proxy appends to ``X-Forwarded-For`` the address it received the request from, so the client is the entry that
many places from the right; whatever a client wrote into the header itself stands further left and is ignored.
Lockout and throttling count by ``limit_address``: the same address, except that an IPv6 address counts as its
/64 network, which one subscriber usually holds whole (counted one address at a time, it would be an endless
supply of fresh budgets).
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


#: The IPv6 prefix one client is counted by (a subscriber's usual allocation).
IPV6_LIMIT_PREFIX = 64


def limit_address(request):
    """The address that lockout and throttling count a request by: the client's IPv4 address, or the first
    address of the /64 network of its IPv6 one."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/{IPV6_LIMIT_PREFIX}", strict=False).network_address)
