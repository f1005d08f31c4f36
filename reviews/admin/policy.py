"""The agency's review policy in the admin: its one row (the day of the month reviews are due), which managers edit
and everyone else reads.

The row is created with the defaults the first time someone who may change it opens the list (``PolicyAdmin``);
``current/`` goes straight to its form (the sidebar's link). Every write goes through ``services.review_policy_set``:
validating the form submits it, its errors become the form's field errors, and nothing is written then. A new due day
applies to the cycles opened from then on.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.platform.admin_site import PolicyAdmin, register_audit_trail, site
from accounts.tenancy import caller_of

from .. import selectors, services
from ..models import ReviewPolicy
from ..powers import MANAGE_REVIEWS

SETTINGS = services.POLICY_SETTINGS


class ReviewPolicyForm(forms.ModelForm):
    #: Who submits the form (set by the admin for the request): the service checks that they may.
    caller = None

    class Meta:
        model = ReviewPolicy
        fields = SETTINGS

    def _post_clean(self):
        if self.errors:
            return
        values = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        try:
            self.instance = services.review_policy_set(agency=self.instance.agency, caller=self.caller, **values)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)


@admin.register(ReviewPolicy, site=site)
class ReviewPolicyAdmin(PolicyAdmin):
    """The agency's one row (``PolicyAdmin``)."""

    form = ReviewPolicyForm
    write_power = MANAGE_REVIEWS
    list_display = ("__str__", "due_day", "updated_at")
    readonly_fields = ("updated_at",)
    actions = None
    fieldsets = (
        (_("Due date"), {"fields": ["due_day"],
                         "description": _("A new due day applies to the months opened for review from now on.")}),
        (None, {"fields": ["updated_at"]}),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"caller": caller_of(request)})

    def get_readonly_fields(self, request, obj=None):
        if self._can_write(request):
            return self.readonly_fields
        return (*SETTINGS, "updated_at")

    def policy_of(self, agency):
        return selectors.review_policy(agency=agency)

    def policy_ensure(self, agency):
        return services.review_policy_set(agency=agency)

    def save_model(self, request, obj, form, change):
        """Nothing left to save: validating the form wrote through ``services.review_policy_set``."""


register_audit_trail(ReviewPolicy)
