"""The language switch of the admin header."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST


@require_POST
def set_language(request):
    """Switch the interface language; a signed-in person's choice is saved for the next visit and emails."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/admin/"
    response = HttpResponseRedirect(next_url)
    if language and check_for_language(language) and language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            samesite="Lax", secure=request.is_secure())
        user = request.user
        if user.is_authenticated and user.language != language:
            user.language = language
            user.save(update_fields=["language"])
    return response
