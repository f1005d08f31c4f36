"""The agency's checklist in the admin: its versions, each read on its own page with its items in the reader's
language; managers write a new version ("Add"), filled in with the current one's items. A version never changes: a
cycle keeps the version it opened with, and the next cycle takes the latest.

The new version's items are typed one a line, ``code | English | 中文 | required`` (``optional`` for an item that
need not be answered before submission); the form reads the lines, ``checklist.check_items`` judges them (each
problem named on the field), and ``services.checklist_revise`` writes the version.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextareaWidget

from accounts.platform.admin_site import TenantAdmin, site
from accounts.tenancy import caller_of

from .. import checklist, selectors, services
from ..models import ChecklistVersion
from ..powers import MANAGE_REVIEWS

REQUIRED, OPTIONAL = "required", "optional"
SEPARATOR = "|"


def items_as_lines(items):
    """``items`` as the form shows them, one a line."""
    return "\n".join(f" {SEPARATOR} ".join([item["code"], item.get("en", ""), item.get("zh-hans", ""),
                                            REQUIRED if item.get("required") else OPTIONAL]) for item in items)


def items_of_lines(text):
    """The items typed in the form, one a non-empty line of four parts; a line of another shape is an error naming
    its number."""
    items, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(SEPARATOR)]
        if len(parts) != 4 or parts[3].lower() not in (REQUIRED, OPTIONAL):
            errors.append(gettext("Line %(number)s: write “code | English | 中文 | required” (or optional), not "
                                  "“%(line)s”.") % {"number": number, "line": line.strip()})
            continue
        items.append({"code": parts[0], "en": parts[1], "zh-hans": parts[2],
                      "required": parts[3].lower() == REQUIRED})
    if errors:
        raise ValidationError(errors)
    return items


class ChecklistVersionForm(forms.ModelForm):
    items_text = forms.CharField(
        label=_("Items"), widget=UnfoldAdminTextareaWidget(attrs={"rows": 14}),
        help_text=_("One item a line: code | English | 中文 | required (or optional). The codes of the items kept "
                    "stay the same, so that last month's answers still match."))

    class Meta:
        model = ChecklistVersion
        fields = ()

    def clean_items_text(self):
        items = items_of_lines(self.cleaned_data["items_text"])
        try:
            return checklist.check_items(items)
        except ValidationError as error:
            raise ValidationError(error.message_dict.get("items", error.messages)) from error


@admin.register(ChecklistVersion, site=site)
class ChecklistVersionAdmin(TenantAdmin):
    write_power = MANAGE_REVIEWS
    form = ChecklistVersionForm
    list_display = ("number_label", "item_count", "created_by")
    list_select_related = ("created_by",)
    readonly_fields = ("number_label", "created_by", "items_table")
    actions = None

    def has_change_permission(self, request, obj=None):
        return False  # a version never changes: a new one is written

    def has_delete_permission(self, request, obj=None):
        return False  # cycles keep the version they opened with

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ("items_text",)}),)
        return ((None, {"fields": ("number_label", "created_by", "items_table")}),)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_changeform_initial_data(self, request):
        agency = caller_of(request).agency
        current = selectors.current_checklist(agency=agency) if agency is not None else None
        return {"items_text": items_as_lines(current.items if current is not None else checklist.default_items())}

    @admin.display(description=_("version"), ordering="number")
    def number_label(self, obj):
        return str(obj)

    @admin.display(description=_("items"))
    def item_count(self, obj):
        return len(obj.items or [])

    @admin.display(description=_("items"))
    def items_table(self, obj):
        language = get_language()
        rows = format_html_join("", '<tr data-item="{}"><td style="padding-right:1rem">{}</td><td>{}</td>'
                                    '<td style="padding-left:1rem">{}</td></tr>',
                                ((item["code"], item["code"], checklist.item_text(item, language),
                                  gettext("required") if item.get("required") else gettext("optional"))
                                 for item in obj.items or []))
        return format_html('<table id="checklist-items"><tbody>{}</tbody></table>', rows)

    def save_model(self, request, obj, form, change):
        """A new version, through ``services.checklist_revise``."""
        caller = caller_of(request)
        created = services.checklist_revise(agency=caller.agency, caller=caller,
                                            items=form.cleaned_data["items_text"])
        obj.pk, obj.number, obj.items = created.pk, created.number, created.items

    # -- the current version (the sidebar's link) --------------------------------------------------------------------
    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [path("current/", self.admin_route(self.current_view), name=f"{prefix}_current"),
                *super().get_urls()]

    def current_view(self, request):
        """The agency's latest version's page; the list while it has none (its first cycle writes version 1)."""
        agency = caller_of(request).agency
        current = selectors.current_checklist(agency=agency) if agency is not None else None
        if current is None or current.pk is None:
            return HttpResponseRedirect(reverse("admin:reviews_checklistversion_changelist"))
        return HttpResponseRedirect(reverse("admin:reviews_checklistversion_change", args=[current.pk]))
