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

        An API key's agency's default is the language of a request that asks for none the product offers (no
        Accept-Language header, or only other languages): an ERP need not say it, and gets its agency's
        language; one that sends Accept-Language gets what it asks for (LocaleMiddleware chose it).

        A choice made in this browser (the language cookie) still wins, so switching works at once.
        """
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return
        if caller.user is not None:
            language = caller.user.language or (caller.agency.default_language if caller.agency else "")
        elif caller.api_key is not None and not asks_for_offered_language(request):
            language = caller.agency.default_language
        else:
            return
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()


def asks_for_offered_language(request):
    """Whether the request's Accept-Language header names a language the product offers (``LANGUAGES``)."""
    # No more of the header than Django reads (django.utils.translation.trans_real.ACCEPT_LANGUAGE_HEADER_MAX_LENGTH).
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")[:500]
    for entry in header.split(","):
        code = entry.split(";", 1)[0].strip()
        if not code or code == "*":
            continue
        try:
            translation.get_supported_language_variant(code)
        except LookupError:
            continue
        return True
    return False
