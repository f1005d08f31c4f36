from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..tenancy import API_KEY_SCHEME, request_tenant


class ApiKeyUser:
    """The caller of a request made with an API key: authenticated, but not a person."""

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
    """``Authorization: Api-Key <key>``. The key was resolved (and its agency scoped) by the tenancy middleware."""

    def authenticate(self, request):
        tenant = request_tenant(request)
        if tenant is None:
            return None
        if tenant.api_key_error:
            raise exceptions.AuthenticationFailed(_("The API key is malformed, unknown or revoked."))
        if tenant.api_key is None:
            return None
        return ApiKeyUser(tenant.api_key), tenant.api_key

    def authenticate_header(self, request):
        return "Api-Key"


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": f"`{API_KEY_SCHEME.title()} <key>`"}
