"""Choosing a new password by email ("Forgotten your password?" on the sign-in page): Django's password-reset
views, on the admin's theme, with the product's rules.

* The link goes only to an active account, found by its exact stored address (``selectors.account_of``, as
  sign-in looks people up, so that no lookalike spelling reaches an account), and only to that stored address.
  The page answers the same whether an account has the address or not.
* The email is in the person's language (``User.preferred_language``), HTML with a plain-text part.
* The new password is the person's own: it ends a one-time password and lifts the sign-in lockout of their
  login (``services.account_set_password``).

The routes are in ``config/urls.py``, under ``/admin/``; their names are Django's (``admin_password_reset``
makes the admin's sign-in page show the link).
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.cache import cache
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from unfold.widgets import BASE_INPUT_CLASSES

from . import selectors, services
from .platform.admin_site import site


def _themed(form):
    """The admin theme's look on every field of ``form`` (as on its sign-in form)."""
    for field in form.fields.values():
        field.widget.attrs["class"] = " ".join(BASE_INPUT_CLASSES)
    return form


class PasswordResetRequestForm(PasswordResetForm):
    """Asks for the address; emails the link to the account that has it, if any."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _themed(self)

    def get_users(self, email):
        person = selectors.account_of(email=email)
        if person is not None and person.is_active and person.has_usable_password() and _may_email(person):
            yield person

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        with translation.override(context["user"].preferred_language):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                              html_email_template_name)


def _may_email(person):
    """Whether another reset email may go to ``person`` this hour (``PASSWORD_RESET_EMAILS_PER_HOUR``): anyone can
    ask for any address, so a mailbox is not flooded; past the bound the page answers the same and sends nothing."""
    key = f"password-reset-emails:{person.pk}"
    cache.add(key, 0, timeout=3600)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        sent = 1
    return sent <= settings.PASSWORD_RESET_EMAILS_PER_HOUR


class NewPasswordForm(SetPasswordForm):
    """The new password, twice; it must pass the password rules."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _themed(self)

    def save(self, commit=True):
        return services.account_set_password(user=self.user, password=self.cleaned_data["new_password1"])


class _OnTheAdminsTheme:
    """The admin site's context (theme, product name, language switch) on a page for people not signed in."""

    def get_context_data(self, **kwargs):
        return {**site.each_context(self.request), **super().get_context_data(**kwargs)}


class PasswordResetView(_OnTheAdminsTheme, auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset/form.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    # Rendered in the person's language (``send_mail``), so lazy.
    extra_email_context = {"product": _("Store health back-office")}
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(_OnTheAdminsTheme, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset/done.html"


class PasswordResetConfirmView(_OnTheAdminsTheme, auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "accounts/password_reset/confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(_OnTheAdminsTheme, auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset/complete.html"
