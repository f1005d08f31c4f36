from django.conf import settings
from django.utils import translation

from .tenancy import record_platform_access, tenant_for_request


class AgencyScopeMiddleware:
    """Resolve the request's tenant (``request.tenant``, ``request.agency``) and run the view in its scope."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = tenant_for_request(request)
        request.tenant = tenant
        request.agency = tenant.agency
        self.activate_language(request, tenant)
        with tenant.scope():
            if tenant.is_platform and not request.path.startswith(("/static/", "/admin/jsi18n")):
                record_platform_access(request, tenant)
            return self.get_response(request)

    @staticmethod
    def activate_language(request, tenant):
        """A signed-in person's saved language, else their agency's default, beats Accept-Language.

        A choice made in this browser (the language cookie) still wins, so switching works at once.
        """
        if tenant.user is None or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return
        language = tenant.user.language or (tenant.agency.default_language if tenant.agency else "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
