"""``Authorization: Api-Key <key>``: the API's machine callers, and how the schema describes them.

An address that sends too many wrong keys is answered 429 for a while, whatever key it sends
(``throttling.ApiKeyFailureThrottle``).
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ...tenancy import API_KEY_SCHEME, caller_of
from .throttling import ApiKeyFailureThrottle


class ApiKeyUser:
    """The user of a request made with an API key: authenticated, but not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key):
        self.api_key = api_key

    def __str__(self):
        return f"API key {self.api_key.name}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """The key was resolved (and its agency scoped) by the tenancy middleware; this tells DRF about it."""

    def authenticate(self, request):
        caller = caller_of(request)
        if caller.api_key is None and not caller.api_key_refused:
            return None  # no API key: another authentication's turn
        failures = ApiKeyFailureThrottle()
        if failures.refuses(request):
            raise exceptions.Throttled(
                wait=failures.wait(),
                # Not lazy: DRF joins it with "Expected available in … seconds."
                detail=gettext("Too many requests with a malformed, unknown or revoked API key from this address."))
        if caller.api_key_refused:
            failures.record_failure(request)
            raise exceptions.AuthenticationFailed(_("The API key is malformed, unknown or revoked."))
        return ApiKeyUser(caller.api_key), caller.api_key

    def authenticate_header(self, request):
        return "Api-Key"


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """The schema's one description of the API key scheme (``ApiKeyAuth``)."""

    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": f"`{API_KEY_SCHEME.title()} <key>`"}
