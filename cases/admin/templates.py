"""The template library and the agency's case categories in the admin.

* **Message templates**: the list shows each template's category, language, current version, uses and whether it is
  in use (filters: category, language, in use). A template's page edits its name, category, language and four
  parts; saving parts that differ from the current version writes the next version (``services.template_revise``),
  the earlier ones are listed read only under the form with their own uses. A preview fills the template in for one
  of the recent cases of its category the person sees (a link per case: nothing is saved or counted).
  Everyone of the agency reads the library; owners and managers write it (``MANAGE_CASES``). A template is retired
  (the "in use" box, or the list's actions), never deleted: timelines point at its versions.
* **Case categories**: the agency's own, added by owners and managers (``services.case_category_create``); read only
  once added, since cases, chats and templates refer to a category by its code.

Every write goes through ``cases.services.templates``: validating the form submits it, its errors become the form's
field errors, and nothing is written then.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter, DropdownFilter
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextareaWidget

from accounts.platform.admin_site import TenantAdmin, register_audit_trail, site
from accounts.platform.ids import object_id_or_none
from accounts.selectors import visible_rows
from accounts.tenancy import caller_of

from .. import templating
from ..models import CaseCategory, MessageTemplate, SupportCase
from ..powers import MANAGE_CASES
from ..selectors import templates as selectors
from ..services import templates as services

#: The query parameter of a template's page that names the case to preview it with.
PREVIEW_CASE = "preview_case"
#: How many recent cases of the template's category the preview offers.
PREVIEW_CHOICES = 8


class TemplateCategoryFilter(DropdownFilter):
    title = _("category")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        agency = caller_of(request).agency
        if agency is None:
            return []
        return [(code, category.label) for code, category in selectors.case_categories(agency=agency).items()]

    def queryset(self, request, queryset):
        return queryset.filter(category=self.value()) if self.value() else queryset


PLACEHOLDERS_HELP = _("Placeholders: {store}, {marketplace}, {seller_id}, {case_id}, {asin}, {asins}, {category}, "
                      "{expected_result}, {operator}, {today}.")


def _part_field(part):
    return forms.CharField(label=templating.PART_LABELS[part], help_text=PLACEHOLDERS_HELP,
                           widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}))


class MessageTemplateForm(forms.ModelForm):
    """A template's details and its current version's four parts, submitted to ``services.template_create`` (a new
    template) or ``services.template_revise`` when the form is validated. ``caller`` is set by the admin."""

    caller = None

    issue_type = _part_field("issue_type")
    reference = _part_field("reference")
    evidence = _part_field("evidence")
    expected_result = _part_field("expected_result")

    class Meta:
        model = MessageTemplate
        fields = ("name", "category", "language", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agency = self.caller.agency if self.caller is not None else None
        if agency is not None and "category" in self.fields:
            self.fields["category"] = forms.ChoiceField(
                label=_("category"), widget=UnfoldAdminSelectWidget,
                choices=[(code, category.label) for code, category in selectors.case_categories(agency=agency).items()])
        current = selectors.current_version(self.instance) if self.instance.pk else None
        if current is not None:
            for part in templating.PARTS:
                if part in self.fields:  # a reader's page shows the parts read only
                    self.fields[part].initial = getattr(current, part)

    def _post_clean(self):
        if self.errors:
            return
        data = self.cleaned_data
        agency = self.instance.agency
        details = {name: data[name] for name in ("name", "category", "language")}
        parts = {part: data[part] for part in templating.PARTS}
        try:
            if self.instance.pk is None:
                template = services.template_create(agency=agency, caller=self.caller, **details, **parts)
            else:
                template = services.template_revise(agency=agency, caller=self.caller, template=self.instance,
                                                    **details, **parts)
            if data.get("is_active", True) != template.is_active:
                change = services.template_restore if data.get("is_active", True) else services.template_retire
                template = change(agency=agency, caller=self.caller, template=template)
            self.instance = template
        except ValidationError as error:
            for name, messages_ in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages_)


@admin.register(MessageTemplate, site=site)
class MessageTemplateAdmin(TenantAdmin):
    form = MessageTemplateForm
    write_power = MANAGE_CASES
    list_display = ("name", "category_label", "language", "version_number", "use_count", "is_active")
    list_filter = (TemplateCategoryFilter, ("language", ChoicesDropdownFilter), "is_active")
    list_filter_submit = True
    search_fields = ("name",)
    list_per_page = 50
    actions = ("retire", "restore")
    readonly_fields = ("use_count", "updated_at", "versions_table", "preview")

    def has_delete_permission(self, request, obj=None):
        return False  # retired, never deleted: the timelines that used its versions point at them

    # -- the list ----------------------------------------------------------------------------------------------------
    def get_queryset(self, request):
        rows = selectors.with_current_version(super().get_queryset(request))
        agency = caller_of(request).agency
        return selectors.with_category_name(rows, agency=agency) if agency is not None else rows

    @admin.display(description=_("category"), ordering="category")
    def category_label(self, obj):
        return selectors.category_shown(obj)

    @admin.display(description=_("version"))
    def version_number(self, obj):
        current = selectors.current_version(obj)
        return current.number if current is not None else "—"

    def _set_selected(self, request, queryset, service):
        caller = caller_of(request)
        for template in queryset:
            service(agency=caller.agency, caller=caller, template=template)
        return queryset.count()

    @admin.action(description=_("Retire the selected templates"), permissions=["change"])
    def retire(self, request, queryset):
        count = self._set_selected(request, queryset, services.template_retire)
        messages.success(request, ngettext("%(count)s template retired.", "%(count)s templates retired.", count)
                         % {"count": count})

    @admin.action(description=_("Put the selected templates back in use"), permissions=["change"])
    def restore(self, request, queryset):
        count = self._set_selected(request, queryset, services.template_restore)
        messages.success(request, ngettext("%(count)s template back in use.", "%(count)s templates back in use.",
                                           count) % {"count": count})

    # -- a template's page -------------------------------------------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"caller": caller_of(request)})

    def get_fieldsets(self, request, obj=None):
        details = (None, {"fields": ("name", "category", "language", "is_active")})
        parts = (_("The four parts"), {"fields": templating.PARTS, "description": _(
            "Issue type, ASIN / Case ID, evidence, expected result: the structure Seller Support asks for. Calm and "
            "factual: no exclamation marks, capitals or chasing words. Saving changed parts writes a new version.")})
        if obj is None:
            return (details, parts)
        return (details, parts, (_("Preview"), {"fields": ("preview",)}),
                (_("Versions"), {"fields": ("use_count", "updated_at", "versions_table")}))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self._can_write(request):
            return (*self.readonly_fields, "name", "category", "language", "is_active", *templating.PARTS)
        return self.readonly_fields

    def get_object(self, request, object_id, from_field=None):
        # The preview is the reader's: their cases and the one they chose ride on this request's row, never on the
        # admin, which every request shares.
        template = super().get_object(request, object_id, from_field)
        if template is not None:
            template.shown_to = caller_of(request)
            template.preview_case_id = object_id_or_none(request.GET.get(PREVIEW_CASE))
        return template

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.pop(PREVIEW_CASE, None)
        return initial

    @admin.display(description=templating.PART_LABELS["issue_type"])
    def issue_type(self, obj):
        return self._part(obj, "issue_type")

    @admin.display(description=templating.PART_LABELS["reference"])
    def reference(self, obj):
        return self._part(obj, "reference")

    @admin.display(description=templating.PART_LABELS["evidence"])
    def evidence(self, obj):
        return self._part(obj, "evidence")

    @admin.display(description=templating.PART_LABELS["expected_result"])
    def expected_result(self, obj):
        return self._part(obj, "expected_result")

    def _part(self, obj, part):
        """A part of the current version, as the read-only page shows it (line breaks kept)."""
        current = selectors.current_version(obj) if obj is not None and obj.pk else None
        return format_html('<div style="white-space:pre-wrap">{}</div>', getattr(current, part)) if current else "—"

    @admin.display(description=_("versions"))
    def versions_table(self, obj):
        rows = [(version.number, version.use_count, version.created_by.email if version.created_by else "—",
                 timezone.localtime(version.created_at).strftime("%Y-%m-%d %H:%M"),
                 templating.PARAGRAPH_BREAK.join(version.parts()[part] for part in templating.PARTS))
                for version in selectors.template_versions(agency=obj.agency_id, template=obj)]
        if not rows:
            return "—"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>", gettext("version"), gettext("times used"), gettext("written by"),
            gettext("written at"), gettext("text"),
            format_html_join("", '<tr><td>v{}</td><td>{}</td><td>{}</td><td>{}</td>'
                                 '<td style="white-space:pre-wrap">{}</td></tr>', rows))

    @admin.display(description=_("preview"))
    def preview(self, obj):
        """Links to fill the template in for one of the person's recent cases of its category, and the message for
        the case chosen (or why it cannot be filled in)."""
        caller = getattr(obj, "shown_to", None)
        if caller is None or caller.agency is None:
            return "—"
        cases = list(visible_rows(SupportCase.objects.filter(agency=caller.agency, category=obj.category),
                                  caller=caller).select_related("store").order_by("-created_at", "-pk")
                     [:PREVIEW_CHOICES])
        links = format_html_join(" · ", '<a href="?{}">{}</a>', [
            (urlencode({PREVIEW_CASE: case.pk}), str(case)) for case in cases])
        if not cases:
            links = gettext("No case of this category to fill it in with.")
        chosen_id = getattr(obj, "preview_case_id", None)
        chosen = next((case for case in cases if case.pk == chosen_id), None)
        if chosen is None and chosen_id is not None:
            chosen = visible_rows(SupportCase.objects.filter(agency=caller.agency), caller=caller).filter(
                pk=chosen_id).first()
        if chosen is None:
            return format_html("<p>{}</p><p>{}</p>", gettext("Fill it in for:"), links)
        try:
            rendered = services.template_render(agency=caller.agency, caller=caller, template=obj, case=chosen)
        except ValidationError as error:
            return format_html("<p>{}</p><p>{}</p><p><strong>{}</strong> {}</p>", gettext("Fill it in for:"), links,
                               str(chosen), " ".join(error.messages))
        warnings = format_html_join("", "<li>{} ({})</li>", [
            (warning.message, ", ".join(warning.snippets)) for warning in rendered.warnings])
        return format_html('<p>{}</p><p>{}</p><p><strong>{}</strong></p><div style="white-space:pre-wrap">{}</div>'
                           "<ul>{}</ul>", gettext("Fill it in for:"), links, str(chosen), rendered.text, warnings)

    def save_model(self, request, obj, form, change):
        """Nothing left to save: validating the form wrote through the services (``MessageTemplateForm``)."""


class CaseCategoryForm(forms.ModelForm):
    """A new category of the agency, submitted to ``services.case_category_create`` when the form is validated."""

    caller = None

    class Meta:
        model = CaseCategory
        fields = ("code", "name")

    def _post_clean(self):
        if self.errors:
            return
        try:
            self.instance = services.case_category_create(
                agency=self.instance.agency, caller=self.caller, code=self.cleaned_data["code"],
                name=self.cleaned_data["name"])
        except ValidationError as error:
            for name, messages_ in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages_)


@admin.register(CaseCategory, site=site)
class CaseCategoryAdmin(TenantAdmin):
    form = CaseCategoryForm
    write_power = MANAGE_CASES
    list_display = ("name", "code", "created_at")
    search_fields = ("name", "code")
    readonly_fields = ("created_at",)
    actions = None

    def get_fields(self, request, obj=None):
        return ("code", "name") if obj is None else ("code", "name", "created_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"caller": caller_of(request)})

    def has_change_permission(self, request, obj=None):
        return False  # cases, chats and templates refer to a category by its code: it stays as it was added

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Nothing left to save: validating the form added the category (``CaseCategoryForm``)."""


register_audit_trail(CaseCategory)
