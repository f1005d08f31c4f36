"""The agency's alert policy in the admin: its one row, which owners and managers edit and everyone else reads.

The row is created with the defaults the first time someone who may change it opens the list
(``services.alert_policy_ensure``); ``current/`` goes straight to its form (the sidebar's link). Every write goes
through ``services.alert_policy_update``: validating the form submits it, its errors become the form's field errors,
and nothing is written then.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.platform.admin_site import PolicyAdmin, register_audit_trail, site

from .. import selectors, services
from ..models import AlertPolicy
from ..powers import MANAGE_ALERTS

SETTINGS = services.POLICY_SETTINGS


class AlertPolicyForm(forms.ModelForm):
    class Meta:
        model = AlertPolicy
        fields = SETTINGS

    def _post_clean(self):
        if self.errors:
            return
        values = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        try:
            self.instance = services.alert_policy_update(agency=self.instance.agency, **values)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)


@admin.register(AlertPolicy, site=site)
class AlertPolicyAdmin(PolicyAdmin):
    """The agency's one row (``PolicyAdmin``)."""

    form = AlertPolicyForm
    write_power = MANAGE_ALERTS
    list_display = ("__str__", "alert_on_yellow", "resolve_after_green", "warning_due_hours", "metric_due_hours",
                    "escalate_after_hours", "digest_hour", "updated_at")
    readonly_fields = ("updated_at",)
    actions = None
    fieldsets = (
        (_("Which alerts"), {"fields": ["alert_on_yellow", "resolve_after_green"]}),
        (_("Due and escalation"), {"fields": ["warning_due_hours", "metric_due_hours", "escalate_after_hours"],
                                   "description": _("A new due time applies to the alerts that open from now on.")}),
        (_("Emails"), {"fields": ["digest_hour", "resolved_notices"]}),
        (None, {"fields": ["updated_at"]}),
    )

    def get_readonly_fields(self, request, obj=None):
        if self._can_write(request):
            return self.readonly_fields
        return (*SETTINGS, "updated_at")

    def policy_of(self, agency):
        return selectors.alert_policy(agency=agency)

    def policy_ensure(self, agency):
        return services.alert_policy_ensure(agency=agency)

    def save_model(self, request, obj, form, change):
        """Nothing left to save: validating the form wrote through ``services.alert_policy_update``."""


register_audit_trail(AlertPolicy)
