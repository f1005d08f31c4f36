"""Each person's own alert emails ("My alert emails" in the sidebar): new red alerts at once, the daily digest,
resolved notices, and whether they are about the person's own stores or every store they see.

A person sees and changes their own row only, nobody else's (not even an owner: these are personal settings): the
list (the sidebar's link) shows it, or offers to add it. ``mine/`` (the link at the foot of every alert email) leads
to it, or to the form of a new one; a new one starts from the defaults of the person's role
(``alerts.subscriptions.DEFAULTS``), which apply until they save it. Every write goes through
``notification_preference_set``; nobody deletes a row (turning every email off is a row too).
"""

from django import forms
from django.contrib import admin
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.platform.admin_site import TenantAdmin, site
from accounts.tenancy import caller_of

from .. import selectors, services
from ..models import NotificationPreference

DEFAULTS_EXPLAINED = _(
    "Until you save this page you get the defaults of your role: owners and managers get new red alerts at once and "
    "the digest about every store; operators get them about their own stores, and the resolved notices too when the "
    "agency sends them; viewers get nothing. A muted rule emails nobody.")


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = services.PREFERENCE_FIELDS


@admin.register(NotificationPreference, site=site)
class NotificationPreferenceAdmin(TenantAdmin):
    """The person's own row (see the module)."""

    form = NotificationPreferenceForm
    list_display = ("__str__", "immediate", "digest", "scope", "resolved", "updated_at")
    fieldsets = ((None, {"fields": services.PREFERENCE_FIELDS, "description": DEFAULTS_EXPLAINED}),)
    actions = None

    # -- one's own row, and only that ---------------------------------------------------------------------------------
    @staticmethod
    def _person(request):
        """The caller, if a person working in an agency (an API key has no alert emails; the platform view no
        agency)."""
        caller = caller_of(request)
        return caller if caller.is_person and caller.agency is not None and caller.role is not None else None

    def get_queryset(self, request):
        person = self._person(request)
        rows = super().get_queryset(request)
        return rows.filter(user=person.user) if person is not None else rows.none()

    def has_module_permission(self, request):
        return self._person(request) is not None

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        person = self._person(request)
        return person is not None and not self.get_queryset(request).exists()

    def has_change_permission(self, request, obj=None):
        person = self._person(request)
        return person is not None and (obj is None or obj.user_id == person.user.pk)

    def has_delete_permission(self, request, obj=None):
        return False

    # -- pages ----------------------------------------------------------------------------------------------------
    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_mine"
        return [path("mine/", self.admin_route(self.mine_view), name=name), *super().get_urls()]

    def mine_view(self, request):
        """The person's own row, or the form of a new one."""
        if self._person(request) is None:
            raise Http404
        row = self.get_queryset(request).first()
        if row is None:
            return HttpResponseRedirect(reverse("admin:alerts_notificationpreference_add"))
        return HttpResponseRedirect(reverse("admin:alerts_notificationpreference_change", args=[row.pk]))

    def get_changeform_initial_data(self, request):
        person = self._person(request)
        if person is None:
            return {}
        _row, subscription = selectors.notification_preference_of(agency=person.agency, user=person.user)
        return {name: getattr(subscription, name) for name in services.PREFERENCE_FIELDS}

    def save_model(self, request, obj, form, change):
        """Written by ``notification_preference_set`` (one row per person: a second "add" changes the first)."""
        person = self._person(request)
        chosen = {name: form.cleaned_data[name] for name in services.PREFERENCE_FIELDS}
        saved = services.notification_preference_set(agency=person.agency, user=person.user, **chosen)
        obj.pk, obj.agency, obj.user = saved.pk, saved.agency, saved.user

    def _back_to_the_form(self, obj):
        return HttpResponseRedirect(reverse("admin:alerts_notificationpreference_change", args=[obj.pk]))

    def render_change_form(self, request, context, *args, **kwargs):
        # One row per person: nothing to add after it, nothing to save as a copy.
        context.update(show_save_and_add_another=False, show_save_as_new=False)
        return super().render_change_form(request, context, *args, **kwargs)

    def response_post_save_add(self, request, obj):
        return self._back_to_the_form(obj)

    def response_post_save_change(self, request, obj):
        return self._back_to_the_form(obj)
