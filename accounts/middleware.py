from django.conf import settings
from django.utils import translation

from .tenancy import caller_for_request, record_platform_access


class AgencyScopeMiddleware:
    """Resolve the request's caller (read it with ``tenancy.caller_of(request)``) and run the view in its
    agency's scope."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        caller = caller_for_request(request)
        request.caller = caller
        self.activate_language(request, caller)
        with caller.scope():
            if caller.is_platform and not request.path.startswith(("/static/", "/admin/jsi18n")):
                record_platform_access(request, caller)
            return self.get_response(request)

    @staticmethod
    def activate_language(request, caller):
        """A signed-in person's saved language, else their agency's default, beats Accept-Language.

        A choice made in this browser (the language cookie) still wins, so switching works at once.
        """
        if caller.user is None or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return
        language = caller.user.language or (caller.agency.default_language if caller.agency else "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
