"""The agency's case and chat policy in the admin: its one row, which owners and managers edit and everyone else reads.

The row is created with the defaults (the seed article's numbers) the first time someone who may change it opens the
list (``services.case_policy_ensure``); ``current/`` goes straight to its form (the sidebar's link). Every write goes
through ``services.case_policy_set``: validating the form submits it, its errors become the form's field errors, and
nothing is written then.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.platform.admin_site import PolicyAdmin, register_audit_trail, site

from ..models import CasePolicy
from ..powers import MANAGE_CASES
from ..selectors import templates as selectors
from ..services import templates as services

NUMBERS = services.POLICY_NUMBERS


class CasePolicyForm(forms.ModelForm):
    class Meta:
        model = CasePolicy
        fields = NUMBERS

    def _post_clean(self):
        if self.errors:
            return
        values = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        try:
            self.instance = services.case_policy_set(agency=self.instance.agency, **values)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)


@admin.register(CasePolicy, site=site)
class CasePolicyAdmin(PolicyAdmin):
    """The agency's one row (``PolicyAdmin``)."""

    form = CasePolicyForm
    write_power = MANAGE_CASES
    list_display = ("__str__", "min_store_age_days", "ahr_threshold", "chats_per_day", "invalid_to_freeze",
                    "freeze_days", "follow_up_after_hours", "updated_at")
    readonly_fields = ("updated_at",)
    actions = None
    fieldsets = (
        (_("Who may chat"), {"fields": ["min_store_age_days", "ahr_threshold", "ahr_days", "violation_days",
                                        "bulk_deletion_days"],
                             "description": _("The Account Health Rating is on Amazon's scale of 0 to 1000: 980 is "
                                              "98 %.")}),
        (_("How often"), {"fields": ["chats_per_day", "invalid_to_freeze", "freeze_days"]}),
        (_("Follow-up of cases"), {"fields": ["follow_up_after_hours"]}),
        (None, {"fields": ["updated_at"]}),
    )

    def get_readonly_fields(self, request, obj=None):
        if self._can_write(request):
            return self.readonly_fields
        return (*NUMBERS, "updated_at")

    def policy_of(self, agency):
        return selectors.policy_of(agency=agency)

    def policy_ensure(self, agency):
        return services.case_policy_ensure(agency=agency)

    def save_model(self, request, obj, form, change):
        """Nothing left to save: validating the form wrote through ``services.case_policy_set``."""


register_audit_trail(CasePolicy)
