"""What an owner does for the members of their agency without a platform superuser: reset a password to a
one-time password, deactivate and reactivate, lift a sign-in lockout.

Each is a service of ``accounts.services`` (``member_reset_password``, ``member_deactivate``,
``member_reactivate``, ``member_unlock``), offered twice by ``MembershipAdmin``: as an action on a selection of
the member list (all or none: one refusal and nothing is done), and as a button on a member's page, which asks
for confirmation before it acts (a button is a link, and a link must not change anything). Only those who
administer the agency see them; for anyone else a member's page of another agency is a 404 and a forged POST
is a 403.
"""

from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action as page_action

from .. import services
from ..roles import Power
from ..tenancy import caller_of


def _reset_password(request, membership):
    password = services.member_reset_password(agency=caller_of(request).agency, membership=membership,
                                              by=request.user)
    # Shown once, like a new API key: only the message (kept on the server, in the session) carries it.
    return mark_safe(conditional_escape(gettext(
        "The new one-time password of %(person)s is %(password)s. Pass it on now: it will not be shown again, and "
        "it must be changed at the first sign-in."))
        % {"person": conditional_escape(membership.user.email),
           "password": format_html("<code>{}</code>", password)})


def _deactivate(request, membership):
    services.member_deactivate(agency=caller_of(request).agency, membership=membership, by=request.user)
    return gettext("%(person)s is deactivated in this agency.") % {"person": membership.user.email}


def _reactivate(request, membership):
    services.member_reactivate(agency=caller_of(request).agency, membership=membership)
    return gettext("%(person)s is active in this agency again.") % {"person": membership.user.email}


def _unlock(request, membership):
    services.member_unlock(agency=caller_of(request).agency, membership=membership)
    return gettext("%(person)s can sign in again: their failed sign-ins are forgotten.") % {
        "person": membership.user.email}


@dataclass(frozen=True)
class MemberPower:
    """One thing an owner does to a member: the service's call, and what the admin says about it."""

    perform: object  # callable(request, membership) -> the success message; raises ValidationError when refused
    title: object  # the button and the confirmation page's title
    question: object  # what the confirmation page asks, with %(person)s
    offered: object  # callable(membership) -> whether the member's page offers it
    level: int = messages.SUCCESS


POWERS = {
    "reset_password": MemberPower(
        _reset_password, _("Reset password"),
        _("Give %(person)s a new one-time password? Their current password stops working and they are signed out; "
          "you see the new one once, and they must change it at their first sign-in."),
        offered=lambda membership: True, level=messages.WARNING),
    "deactivate": MemberPower(
        _deactivate, _("Deactivate"),
        _("Deactivate %(person)s? They lose access to this agency (and only to it) until reactivated; their role "
          "and store assignments stay."),
        offered=lambda membership: membership.is_active),
    "reactivate": MemberPower(
        _reactivate, _("Reactivate"),
        _("Reactivate %(person)s? They get access to this agency again, with their role."),
        offered=lambda membership: not membership.is_active),
    "unlock": MemberPower(
        _unlock, _("Unlock sign-in"),
        _("Lift the sign-in lockout of %(person)s? Their failed sign-ins are forgotten, from every address."),
        offered=lambda membership: True),
}


class MemberPowersAdmin:
    """Mixin of ``MembershipAdmin`` (before ``TenantAdmin``): the owner's powers over members, as list actions
    and as buttons of a member's page."""

    actions = ["reset_passwords", "deactivate_members", "reactivate_members", "unlock_members"]
    actions_detail = ["reset_password", "deactivate", "reactivate", "unlock"]

    def has_administer_permission(self, request, obj=None):
        return caller_of(request).can(Power.ADMINISTER)

    # -- the member list's actions: all or none ------------------------------------------------------------
    def _perform_on_selection(self, request, queryset, power):
        done = []
        try:
            with transaction.atomic():
                for membership in queryset.select_related("user").order_by("user__email"):
                    done.append(power.perform(request, membership))
        except ValidationError as error:
            self.message_user(request, gettext("Nothing was done: %(reason)s")
                              % {"reason": " ".join(error.messages)}, messages.ERROR)
            return
        for message in done:
            self.message_user(request, message, power.level)

    @admin.action(description=_("Reset the passwords of the selected members"), permissions=["administer"])
    def reset_passwords(self, request, queryset):
        self._perform_on_selection(request, queryset, POWERS["reset_password"])

    @admin.action(description=_("Deactivate the selected members"), permissions=["administer"])
    def deactivate_members(self, request, queryset):
        self._perform_on_selection(request, queryset, POWERS["deactivate"])

    @admin.action(description=_("Reactivate the selected members"), permissions=["administer"])
    def reactivate_members(self, request, queryset):
        self._perform_on_selection(request, queryset, POWERS["reactivate"])

    @admin.action(description=_("Unlock the sign-in of the selected members"), permissions=["administer"])
    def unlock_members(self, request, queryset):
        self._perform_on_selection(request, queryset, POWERS["unlock"])

    def changelist_view(self, request, extra_context=None):
        """An action the person may not use, sent anyway, is refused rather than ignored."""
        chosen = request.POST.get("action", "") if request.method == "POST" else ""
        if chosen and chosen not in self.get_actions(request):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    # -- the member page's buttons: confirm, then act --------------------------------------------------------
    def get_actions_detail(self, request, object_id):
        if not self.has_administer_permission(request):
            return []
        membership = self.get_object(request, unquote(str(object_id)))
        if membership is None or membership.user_id == request.user.pk:
            return []  # one's own password and access are not managed from here
        return [found for found in super().get_actions_detail(request, object_id)
                if POWERS[found.method.original_function_name].offered(membership)]

    def _member_page_power(self, request, object_id, power):
        """GET: the confirmation page; POST: do it and go back to the member's page. Another agency's member is
        a 404 before anything else; someone who does not administer the agency gets a 403."""
        membership = self.get_object(request, unquote(object_id))
        if membership is None:
            raise Http404
        if not self.has_administer_permission(request):
            raise PermissionDenied
        change_url = reverse(f"{self.admin_site.name}:accounts_membership_change", args=[quote(membership.pk)])
        if request.method == "POST":
            try:
                message = power.perform(request, membership)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, message, power.level)
            return HttpResponseRedirect(change_url)
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET", "POST"])
        context = {
            **self.admin_site.each_context(request),
            "title": power.title,
            "question": power.question % {"person": membership.user.email},
            "membership": membership,
            "opts": self.model._meta,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/accounts/membership/confirm_member_power.html", context)

    @page_action(description=_("Reset password"), url_path="reset-password", icon="key")
    def reset_password(self, request, object_id):
        return self._member_page_power(request, object_id, POWERS["reset_password"])

    @page_action(description=_("Deactivate"), url_path="deactivate", icon="person_off")
    def deactivate(self, request, object_id):
        return self._member_page_power(request, object_id, POWERS["deactivate"])

    @page_action(description=_("Reactivate"), url_path="reactivate", icon="person_check")
    def reactivate(self, request, object_id):
        return self._member_page_power(request, object_id, POWERS["reactivate"])

    @page_action(description=_("Unlock sign-in"), url_path="unlock", icon="lock_open")
    def unlock(self, request, object_id):
        return self._member_page_power(request, object_id, POWERS["unlock"])
