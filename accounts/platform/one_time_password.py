"""A one-time password works once: to sign in and choose one's own.

Someone else chose it (an owner's reset, ``addmember``), so whoever holds it may not be the person: until the
person has chosen a password of their own (``User.must_change_password`` is cleared by ``User.set_password``),

* every page sends them to the admin's password-change page, except what that page needs and what lets them
  leave (``REACHABLE``: the password pages, signing out, the language switch, static files; ``/healthz`` is
  answered before any of this);
* the API answers their session 403, saying why (a request with an API key is the key's, not theirs);
* the new password may not be the one-time password again (``NotTheOneTimePasswordValidator``).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext

from ..tenancy import caller_of
from .api.exceptions import API_PATH_PREFIX

#: The URL names a person who must change their password can still open.
REACHABLE = frozenset({
    "admin:password_change", "admin:password_change_done", "admin:logout", "admin:jsi18n", "set_language",
    # Choosing a new password by email works too (it clears the one-time password as well).
    "admin_password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
})


def must_change_password(request):
    """Whether the request is a signed-in person's whose password is a one-time password (not an API key's)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "must_change_password", False):
        return False
    caller = caller_of(request)
    return caller.api_key is None and not caller.api_key_refused


def is_reachable(path):
    if path.startswith(settings.STATIC_URL):
        return True
    try:
        return resolve(path).view_name in REACHABLE
    except Resolver404:
        return False


class OneTimePasswordMiddleware:
    """Holds a person signed in with a one-time password on the password-change page (after
    ``AgencyScopeMiddleware``, which resolves the caller)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not must_change_password(request) or is_reachable(request.path_info):
            return self.get_response(request)
        if request.path_info.startswith(API_PATH_PREFIX):
            return JsonResponse({"detail": gettext(
                "Change your password first: you signed in with a one-time password. Choose your own on the "
                "admin's “Change password” page, then use the API.")}, status=403)
        if request.method == "GET":
            messages.warning(request, gettext(
                "You signed in with a one-time password: choose your own password to continue."))
        return HttpResponseRedirect(reverse("admin:password_change"))


class NotTheOneTimePasswordValidator:
    """``AUTH_PASSWORD_VALIDATORS``: the password chosen to replace a one-time password is not that password
    again (whoever chose the one-time password would still hold it)."""

    def validate(self, password, user=None):
        if user is not None and getattr(user, "must_change_password", False) and user.check_password(password):
            raise ValidationError(gettext("Choose a password other than the one-time password you were given."),
                                  code="password_is_one_time_password")

    def get_help_text(self):
        return gettext("Your password cannot be a one-time password you were given.")
