"""How often the API may be called: per caller, and per address for wrong API keys.

* ``AgencyCallerThrottle`` (``API_THROTTLE_RATE``): one budget per API key, per signed-in person, and per client
  address for anonymous callers.
* ``ApiKeyFailureThrottle`` (``API_KEY_FAILURE_RATE``): requests with a malformed, unknown or revoked key, per
  client address. Once an address has used it up, every request from it that carries an API key is answered
  429 until the window has passed, the right key included: answering a right key as usual would tell a guesser
  which guess was right, so the throttle would slow nobody. Other addresses (the agency's ERP) are not affected.

Both know the client by ``accounts.platform.client_address`` (through the trusted proxies only), so a forged
``X-Forwarded-For`` buys no fresh budget. Both count in the cache (Redis in production); when the cache is down
or does not answer within ``REDIS_CACHE_SOCKET_TIMEOUT``, they let the request through uncounted and log a
warning: an outage of the cache must not take the API down with it.
"""

import logging

from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

from ...tenancy import caller_of
from ..client_address import limit_address

logger = logging.getLogger(__name__)

#: What a cache that is down or does not answer raises (Django's Redis cache raises redis-py's errors).
CACHE_OUTAGES = (RedisError, OSError)


def _cache_outage(throttle, error):
    logger.warning("The cache of the %r throttle is unreachable (%s): request let through uncounted.",
                   throttle.scope, type(error).__name__)


class RateThrottle(SimpleRateThrottle):
    """DRF's rate throttle, knowing the client's address through the trusted proxies, and letting requests
    through (logged) while its cache is unreachable."""

    def get_ident(self, request):
        return limit_address(request)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_OUTAGES as error:
            _cache_outage(self, error)
            return True


class AgencyCallerThrottle(RateThrottle):
    """One budget per API key (and per signed-in person); anonymous callers share one per address."""

    scope = "caller"

    def get_cache_key(self, request, view):
        caller = caller_of(request)
        if caller.api_key is not None:
            ident = f"key:{caller.api_key.pk}"
        elif request.user and request.user.is_authenticated and getattr(request.user, "pk", None):
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApiKeyFailureThrottle(RateThrottle):
    """Requests with a wrong API key, counted per client address (see the module's docstring).

    ``accounts.platform.api.authentication.ApiKeyAuthentication`` asks ``refuses(request)`` before it accepts or
    refuses a key, and calls ``record_failure(request)`` for a wrong one; ``wait()`` then says how long is left.
    """

    scope = "api_key_failure"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load_history(self, request):
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        history = self.cache.get(self.key, [])
        self.history = [moment for moment in history if moment > self.now - self.duration]

    def refuses(self, request):
        """Whether the request's address has used up its budget of wrong keys."""
        if self.rate is None:
            return False
        try:
            self._load_history(request)
        except CACHE_OUTAGES as error:
            _cache_outage(self, error)
            return False
        return len(self.history) >= self.num_requests

    def wait(self):
        """Seconds until the address has a wrong key to spare again (after ``refuses`` said it has none)."""
        if len(self.history) < max(self.num_requests, 1):
            return self.duration
        # Newest first: a wrong key is spared again when the num_requests-th newest leaves the window.
        return max(self.history[self.num_requests - 1] + self.duration - self.now, 1)

    def record_failure(self, request):
        """Count one wrong key against the request's address."""
        if self.rate is None:
            return
        try:
            self._load_history(request)
            self.throttle_success()  # DRF's name for "count this request"
        except CACHE_OUTAGES as error:
            _cache_outage(self, error)
