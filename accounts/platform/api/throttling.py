from rest_framework.throttling import SimpleRateThrottle

from ...tenancy import caller_of


class AgencyCallerThrottle(SimpleRateThrottle):
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
