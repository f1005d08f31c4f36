"""Document types in the admin: the agency's own types, which owners and managers add; the built-in ones
(``documents.types.BUILT_IN``) are listed above them, read only, with the days the agency's policy gives them.

A type is added through ``services.document_type_create`` (its errors become the form's field errors). Once added
it is read only here: documents and appeal kits refer to it by its code, and no service changes or removes one.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from accounts.platform.admin_site import TenantAdmin, register_audit_trail, site

from .. import services, types
from ..models import DocumentType
from .access import MANAGE_LIBRARY
from .filters import catalogue_of


class DocumentTypeForm(forms.ModelForm):
    """A new type of the agency, submitted to ``services.document_type_create`` when the form is validated."""

    class Meta:
        model = DocumentType
        fields = ("code", "name", "rule", "max_age_days")

    def _post_clean(self):
        if self.errors:
            return
        data = self.cleaned_data
        try:
            self.instance = services.document_type_create(
                agency=self.instance.agency, code=data["code"], name=data["name"], rule=data["rule"],
                max_age_days=data.get("max_age_days"))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)


def built_in_rows(catalogue):
    """The built-in types as the list above the agency's own shows them: label, code, rule and days."""
    return [{"label": kind.label, "code": kind.code, "rule": types.FreshnessRule(kind.rule).label,
             "days": catalogue.policy.max_age_days(kind) if catalogue is not None else None}
            for kind in types.BUILT_IN]


@admin.register(DocumentType, site=site)
class DocumentTypeAdmin(TenantAdmin):
    form = DocumentTypeForm
    write_power = MANAGE_LIBRARY
    list_display = ("name", "code", "rule", "max_age_days", "created_at")
    search_fields = ("name", "code")
    list_before_template = "documents/built_in_types.html"
    readonly_fields = ("created_at",)
    actions = None

    def get_fields(self, request, obj=None):
        return ("code", "name", "rule", "max_age_days") if obj is None else ("code", "name", "rule", "max_age_days",
                                                                              "created_at")

    def has_change_permission(self, request, obj=None):
        return False  # documents and kits refer to a type by its code: it stays as it was added

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        context = {"built_in_types": built_in_rows(catalogue_of(request)), **(extra_context or {})}
        return super().changelist_view(request, context)

    def save_model(self, request, obj, form, change):
        """Nothing left to save: validating the form added the type (``DocumentTypeForm``)."""


register_audit_trail(DocumentType)
