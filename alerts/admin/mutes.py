"""Muted rules in the admin: a rule (a metric) of a store muted until a day, with the reason. Its alerts are still
recorded and shown in the inbox; nobody is emailed about them.

Owners and managers add, change and end mutes (``powers.MANAGE_ALERTS``); everyone else reads those of the stores
they see (an operator: their stores'). Every write goes through ``services.alert_mute`` (validating the form submits
it, and its errors become the form's field errors, naming the value), ending one through ``services.alert_unmute``.
A mute's store and rule are what it is: its page changes its day and reason; a mute of the same rule added again
replaces it.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter, DropdownFilter
from unfold.decorators import display

from accounts.platform.admin_filters import VisibleRowFilter
from accounts.platform.admin_site import TenantAdmin, register_audit_trail, site
from accounts.platform.ids import object_id_or_none
from accounts.tenancy import caller_of

from .. import rules, selectors, services
from ..models import AlertMute
from ..powers import MANAGE_ALERTS

ACTIVE, ENDED = "active", "ended"
STATE_TONES = {ACTIVE: "warning", ENDED: ""}


class MuteForm(forms.ModelForm):
    """A mute's store, rule, day and reason, written by ``services.alert_mute`` when the form is valid; ``caller``
    is set by the admin."""

    caller = None

    class Meta:
        model = AlertMute
        # The store is added by the admin's form factory, in the request's scope (its choices are the caller's).
        fields = ("rule", "until", "reason")

    def _post_clean(self):
        if self.errors:
            return
        data = self.cleaned_data
        store = data["store"] if "store" in data else self.instance.store
        rule = data["rule"] if "rule" in data else self.instance.rule
        try:
            self.instance = services.alert_mute(agency=self.caller.agency, caller=self.caller, store=store,
                                                rule=rule, until=data.get("until"), reason=data.get("reason"))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)


class StateFilter(DropdownFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [(ACTIVE, _("Muted today or later")), (ENDED, _("Ended"))]

    def queryset(self, request, queryset):
        agency = caller_of(request).agency
        if self.value() not in (ACTIVE, ENDED) or agency is None:
            return queryset
        return selectors.active_mutes(queryset, today=agency.today(), active=self.value() == ACTIVE)


@admin.register(AlertMute, site=site)
class AlertMuteAdmin(TenantAdmin):
    form = MuteForm
    write_power = MANAGE_ALERTS
    list_display = ("store_label", "rule", "until", "state_label", "reason_shown", "created_by")
    list_display_links = ("store_label",)
    list_filter = (("rule", ChoicesDropdownFilter), ("store", VisibleRowFilter), StateFilter)
    list_filter_submit = True
    list_select_related = ("agency", "store", "store__client", "created_by")
    search_fields = ("store__name", "store__seller_id", "reason")
    search_help_text = _("Searches stores by name and seller id, and the reasons.")
    autocomplete_fields = ("store",)
    list_per_page = 50

    def get_fields(self, request, obj=None):
        return ("store", "rule", "until", "reason") if obj is None else ("store", "rule", "until", "reason",
                                                                         "created_by")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("store", "rule", "created_by")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"caller": caller_of(request)})

    def get_changeform_initial_data(self, request):
        """The add page filled in from its address (an alert's page links to it with its store and rule); a store
        that cannot be an id is left out rather than looked up."""
        initial = super().get_changeform_initial_data(request)
        if "store" in initial and object_id_or_none(initial["store"]) is None:
            del initial["store"]
        return initial

    def save_model(self, request, obj, form, change):
        """Nothing left to save: validating the form wrote through ``services.alert_mute``."""

    def delete_model(self, request, obj):
        caller = caller_of(request)
        services.alert_unmute(agency=caller.agency, caller=caller, mute=obj)

    def delete_queryset(self, request, queryset):
        caller = caller_of(request)
        for mute in queryset:
            services.alert_unmute(agency=caller.agency, caller=caller, mute=mute)

    @display(description=_("store"), ordering="store__name", header=True)
    def store_label(self, obj):
        return obj.store.name, f"{obj.store.client.name} · {obj.store.marketplace}"

    @display(description=_("state"), label=STATE_TONES)
    def state_label(self, obj):
        if rules.mute_is_active(obj.until, obj.agency.today()):
            return ACTIVE, _("Muted")
        return ENDED, _("Ended")

    @admin.display(description=_("reason"))
    def reason_shown(self, obj):
        return format_html('<span class="alerts-ellipsis" title="{}">{}</span>', obj.reason, obj.reason)


register_audit_trail(AlertMute)


def mute_url(alert):
    """The add page of a mute of ``alert``'s rule for its store."""
    return f"{reverse('admin:alerts_alertmute_add')}?{urlencode({'store': alert.store_id, 'rule': alert.rule})}"
