"""Pages outside the admin: the language switch of the admin header, and accepting an invitation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .forms import NewAccountForm
from .platform.admin_site import site
from .tenancy import agency_scope, invitation_from_token


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


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """Accept an invitation by its link: signed in as the invited address, or by creating that address's
    account. A link that is unknown, used, revoked or expired is a 404 that says so, and tells nothing else."""
    found = invitation_from_token(token)
    context = {**site.each_context(request), "invitation": found, "title": gettext("Invitation")}
    if found is None:
        return render(request, "accounts/invitation.html", {**context, "invalid": True}, status=404)
    with agency_scope(found.agency):
        has_account = selectors.account_of(email=found.email) is not None
        user = request.user if request.user.is_authenticated else None
        if has_account and (user is None or user.email.lower() != found.email):
            login_url = f"{reverse('admin:login')}?next={request.path}"
            return render(request, "accounts/invitation.html",
                          {**context, "sign_in_as": found.email, "login_url": login_url, "signed_in_as": user})
        form = NewAccountForm(request.POST or None) if not has_account else None
        if request.method == "POST":
            try:
                if has_account:
                    services.invitation_accept(agency=found.agency, invitation=found, user=user)
                    return _welcome(request, found)
                if form.is_valid():
                    membership = services.invitation_accept_with_new_account(
                        agency=found.agency, invitation=found, full_name=form.cleaned_data["full_name"],
                        password=form.cleaned_data["password1"])
                    login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                    return _welcome(request, found)
            except ValidationError as error:
                if form is not None and "password" in getattr(error, "error_dict", {}):
                    form.add_error("password1", error.message_dict["password"])
                else:
                    context["errors"] = error.messages
    return render(request, "accounts/invitation.html", {**context, "form": form, "has_account": has_account})


def _welcome(request, invitation):
    messages.success(request, gettext("Welcome to %(agency)s.") % {"agency": invitation.agency.name})
    return HttpResponseRedirect(reverse("admin:index"))
