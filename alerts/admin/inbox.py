"""The alert inbox: the alerts of the stores the person sees (an operator: theirs), open and acknowledged ones unless
the filter asks for others, newest first; and an alert's page.

* **The list** shows each alert's store and client, its metric and kind, severity, status, when it opened and was
  last seen, its value when it opened and its latest one (``health.metrics.display_value``), its due time with
  "overdue" marked (``labels.is_overdue``: open, unacknowledged, past due) and its assignee. Filters: status,
  severity, rule, kind, store, overdue, assignee ("mine"); search by the store's name or seller id. A page reads the
  same few queries for ten alerts or ten thousand.
* **Actions** "Acknowledge" and "Resolve" (which asks for a note on a page of its own) on the selected alerts
  (``moves``); an alert's page links to the same moves for that alert.
* **An alert's page** shows its details read only; its assignee (a person who works on the store) and notes are
  what people change (``services.alert_assign``, ``services.alert_note``), under it every move of its status: from,
  to, who, when and why.

Nobody adds or deletes alerts: the evaluation opens them and people resolve them.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter
from unfold.decorators import display

from accounts.platform.admin_filters import VisibleRowFilter
from accounts.platform.admin_site import TenantAdmin, site
from accounts.tenancy import caller_of

from .. import labels, selectors, services
from ..models import Alert
from ..powers import MANAGE_ALERTS, WORK_ON_ALERTS
from . import moves
from .filters import AssigneeFilter, OverdueFilter, StatusFilter
from .mutes import mute_url

READ_ONLY_DETAILS = ("store_link", "rule_shown", "kind", "severity_shown", "status_shown", "muted", "opened_shown",
                     "latest_shown", "first_seen", "last_seen", "due_shown", "acknowledged", "escalated", "resolved")
#: The times an alert's page shows, by the field that keeps each.
TIMES = {"first_seen": "first_seen_at", "last_seen": "last_seen_at", "acknowledged": "acknowledged_at",
         "escalated": "escalated_at", "resolved": "resolved_at"}


@admin.register(Alert, site=site)
class AlertAdmin(TenantAdmin):
    write_power = WORK_ON_ALERTS
    # Fits 1280 px in both languages: the client goes under the store, the kind under the metric, the last time
    # seen under the opening, the target under the values.
    list_display = ("store_label", "rule_label", "severity_label", "status_label", "seen", "values", "due",
                    "assignee_name")
    list_display_links = ("store_label",)
    list_filter = (StatusFilter, ("severity", ChoicesDropdownFilter), ("rule", ChoicesDropdownFilter),
                   ("kind", ChoicesDropdownFilter), ("store", VisibleRowFilter), OverdueFilter,
                   AssigneeFilter)
    list_filter_submit = True
    search_fields = ("store__name", "store__seller_id")
    search_help_text = _("Searches stores by name and seller id.")
    # The store filter finds stores by typing (the autocomplete answers with the stores the person sees).
    autocomplete_fields = ("store",)
    list_per_page = 50
    actions = ("acknowledge_selected", "resolve_selected")
    change_form_outer_before_template = "alerts/alert_moves.html"
    change_form_after_template = "alerts/alert_transitions.html"
    fieldsets = (
        (None, {"fields": ("store_link", "rule_shown", "kind", "severity_shown", "status_shown", "muted")}),
        (_("Values"), {"fields": ("opened_shown", "latest_shown")}),
        (_("Times"), {"fields": ("first_seen", "last_seen", "due_shown", "acknowledged", "escalated", "resolved")}),
        (_("Work"), {"fields": ("assignee", "notes")}),
    )
    readonly_fields = READ_ONLY_DETAILS

    class Media:
        css = {"all": ("alerts/alerts.css",)}

    # -- nobody adds or deletes alerts ----------------------------------------------------------------------------
    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # -- the list ----------------------------------------------------------------------------------------------------
    def get_queryset(self, request):
        return super().get_queryset(request).select_related("store", "store__client", "assignee")

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": _("Alert inbox"), **(extra_context or {})})

    @display(description=_("store"), ordering="store__name", header=True)
    def store_label(self, obj):
        return obj.store.name, f"{obj.store.client.name} · {obj.store.marketplace}"

    @display(description=_("metric"), ordering="rule", header=True)
    def rule_label(self, obj):
        return labels.rule_label(obj), labels.kind_note(obj)

    @display(description=_("severity"), ordering="severity", label=labels.SEVERITY_TONES)
    def severity_label(self, obj):
        return obj.severity, obj.get_severity_display()

    @display(description=_("status"), ordering="status", label=labels.STATUS_TONES)
    def status_label(self, obj):
        return obj.status, obj.get_status_display()

    @display(description=_("opened"), ordering="first_seen_at", header=True)
    def seen(self, obj):
        return labels.when(obj.first_seen_at, short=True), gettext("last seen %(time)s") % {
            "time": labels.when(obj.last_seen_at, short=True)}

    @display(description=_("value"), header=True)
    def values(self, obj):
        return labels.values_shown(obj), labels.target_shown(obj, obj.latest_target)

    @admin.display(description=_("due"), ordering="due_at")
    def due(self, obj):
        if not obj.is_open:
            return "—"
        due = labels.when(obj.due_at, short=True)
        if labels.is_overdue(obj):
            return format_html('<span class="alerts-due alerts-overdue">{}</span>{}', due, render_to_string(
                "unfold/helpers/label.html", {"type": "danger", "text": gettext("Overdue")}))
        return format_html('<span class="alerts-due">{}</span>', due)

    @admin.display(description=_("assignee"), ordering="assignee__email")
    def assignee_name(self, obj):
        return str(obj.assignee) if obj.assignee is not None else "—"

    # -- actions -----------------------------------------------------------------------------------------------------
    @admin.action(description=_("Acknowledge the selected alerts"), permissions=["change"])
    def acknowledge_selected(self, request, queryset):
        return moves.move_selected(self, request, queryset, moves.ACKNOWLEDGE)

    @admin.action(description=_("Resolve the selected alerts…"), permissions=["change"])
    def resolve_selected(self, request, queryset):
        return moves.move_selected(self, request, queryset, moves.RESOLVE)

    # -- an alert's page ---------------------------------------------------------------------------------------------
    def get_readonly_fields(self, request, obj=None):
        return READ_ONLY_DETAILS

    @admin.display(description=_("store"))
    def store_link(self, obj):
        return format_html('<a class="alerts-link" href="{}">{}</a> <span class="alerts-subtle">{} · {}</span>',
                           reverse("admin:accounts_store_change", args=[obj.store_id]), obj.store.name,
                           obj.store.client.name, obj.store.seller_id)

    @admin.display(description=_("metric"))
    def rule_shown(self, obj):
        return labels.rule_label(obj)

    @admin.display(description=_("severity"))
    def severity_shown(self, obj):
        return render_to_string("unfold/helpers/label.html", {"type": labels.SEVERITY_TONES.get(obj.severity, ""),
                                                              "text": obj.get_severity_display()})

    @admin.display(description=_("status"))
    def status_shown(self, obj):
        return render_to_string("unfold/helpers/label.html", {"type": labels.STATUS_TONES.get(obj.status, ""),
                                                              "text": obj.get_status_display()})

    @admin.display(description=_("value when opened"))
    def opened_shown(self, obj):
        return self._value_and_target(obj, obj.opened_value, obj.opened_target)

    @admin.display(description=_("latest value"))
    def latest_shown(self, obj):
        return self._value_and_target(obj, obj.latest_value, obj.latest_target)

    @staticmethod
    def _value_and_target(obj, value, target):
        shown = labels.value_shown(obj, value)
        target = labels.target_shown(obj, target)
        return format_html('{} <span class="alerts-subtle">{}</span>', shown, target) if target else shown

    @admin.display(description=_("due"))
    def due_shown(self, obj):
        if labels.is_overdue(obj):
            return format_html('{} {}', labels.when(obj.due_at), render_to_string(
                "unfold/helpers/label.html", {"type": "danger", "text": gettext("Overdue")}))
        return labels.when(obj.due_at)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        caller = caller_of(request)
        if obj is not None and caller.agency is not None and "assignee" in form.base_fields:
            field = form.base_fields["assignee"]
            field.queryset = selectors.alert_assignees(agency=caller.agency, store=obj.store).order_by("email")
            field.help_text = gettext("Someone who works on %(store)s.") % {"store": obj.store.name}
        return form

    def save_model(self, request, obj, form, change):
        """The assignee and the notes, each through its service (nothing else of an alert is changed here)."""
        caller = caller_of(request)
        if "assignee" in form.changed_data:
            services.alert_assign(agency=caller.agency, caller=caller, alert=obj,
                                  assignee=form.cleaned_data["assignee"])
        if "notes" in form.changed_data:
            services.alert_note(agency=caller.agency, caller=caller, alert=obj, notes=form.cleaned_data["notes"])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = dict(extra_context or {})
        caller = caller_of(request)
        alert = self.get_object(request, unquote(object_id)) if object_id else None
        if alert is not None and caller.agency is not None:
            context.update(alert_transitions=list(selectors.alert_transitions(agency=caller.agency, alert=alert)),
                           alert_moves=moves.move_links(alert, request),
                           alert_mute_url=mute_url(alert) if caller.can(MANAGE_ALERTS) else "")
        return super().change_view(request, object_id, form_url, context)

    # -- routes ------------------------------------------------------------------------------------------------------
    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [path(f"<path:object_id>/{move.name}/", self.admin_route(self._move_view(move)),
                    name=f"{prefix}_{move.name}") for move in moves.MOVES.values()]
        return own + super().get_urls()

    def _move_view(self, move):
        def view(request, object_id):
            return moves.move_page(self, request, object_id, move)

        view.__name__ = f"{move.name}_view"
        return view


def _time_shown(field_name):
    @admin.display(description=Alert._meta.get_field(field_name).verbose_name)
    def shown(self, obj):
        return labels.when(getattr(obj, field_name))

    return shown


for _name, _field in TIMES.items():
    setattr(AlertAdmin, _name, _time_shown(_field))
