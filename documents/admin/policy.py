"""The agency's document policy in the admin: its one row, which owners and managers edit and everyone else reads.

The row is created with the defaults the first time someone who may change it opens the list
(``services.document_policy_ensure``); ``current/`` goes straight to its form (the sidebar's link). The appeal kit is
a checkbox per document type of the agency. Every write goes through ``services.document_policy_update``: validating
the form submits it, its errors become the form's field errors, and nothing is written then.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget

from accounts.platform.admin_site import PolicyAdmin, register_audit_trail, site

from .. import selectors, services
from ..models import DocumentPolicy
from .access import MANAGE_LIBRARY
from .filters import catalogue_of

NUMBERS = services.POLICY_NUMBERS


class DocumentPolicyForm(forms.ModelForm):
    """The policy's numbers and appeal kit; ``kinds`` (the agency's document types) is set by the admin."""

    kinds = {}

    appeal_kit = forms.MultipleChoiceField(
        label=_("Appeal kit"), required=False, widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text=_("The document types every store must have ready and fresh for an appeal."))

    class Meta:
        model = DocumentPolicy
        fields = (*NUMBERS, "appeal_kit")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "appeal_kit" in self.fields:
            self.fields["appeal_kit"].choices = [(code, kind.label) for code, kind in self.kinds.items()]

    def _post_clean(self):
        if self.errors:
            return
        values = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        try:
            self.instance = services.document_policy_update(agency=self.instance.agency, **values)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)


@admin.register(DocumentPolicy, site=site)
class DocumentPolicyAdmin(PolicyAdmin):
    """The agency's one row (``PolicyAdmin``)."""

    form = DocumentPolicyForm
    write_power = MANAGE_LIBRARY
    list_display = ("__str__", "expiring_within_days", "address_proof_max_age_days", "invoice_max_age_days",
                    "trash_days", "updated_at")
    readonly_fields = ("updated_at",)
    actions = None

    def get_fieldsets(self, request, obj=None):
        kit = "appeal_kit" if self._can_write(request) else "appeal_kit_types"
        return (
            (_("Freshness"), {"fields": ["expiring_within_days", "address_proof_max_age_days", "invoice_max_age_days",
                                         "card_statement_max_age_days"]}),
            (_("Appeal kit"), {"fields": [kit]}),
            (_("Trash"), {"fields": ["trash_days"]}),
            (None, {"fields": ["updated_at"]}),
        )

    def get_readonly_fields(self, request, obj=None):
        if self._can_write(request):
            return self.readonly_fields
        return (*NUMBERS, "appeal_kit_types", "updated_at")

    @admin.display(description=_("appeal kit"))
    def appeal_kit_types(self, obj):
        return ", ".join(str(label) for label in getattr(obj, "appeal_kit_labels", obj.appeal_kit)) or "—"

    def get_object(self, request, object_id, from_field=None):
        policy = super().get_object(request, object_id, from_field)
        catalogue = catalogue_of(request)
        if policy is not None and catalogue is not None:
            # The read-only page names the kit's types by the agency's labels.
            policy.appeal_kit_labels = [catalogue.label(code) for code in policy.appeal_kit]
        return policy

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        catalogue = catalogue_of(request)
        return type(form.__name__, (form,), {"kinds": catalogue.kinds if catalogue is not None else {}})

    def policy_of(self, agency):
        return selectors.document_policy(agency=agency)

    def policy_ensure(self, agency):
        return services.document_policy_ensure(agency=agency)

    def save_model(self, request, obj, form, change):
        """Nothing left to save: validating the form wrote through ``services.document_policy_update``."""


register_audit_trail(DocumentPolicy)
