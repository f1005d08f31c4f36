"""Seller Support cases in the admin: the list of the cases of the stores the person sees (an operator: theirs), and a
case's page with its timeline.

* **The list** shows each case's Amazon case id (as Seller Central shows it), subject, store, category, priority,
  status, and whether the follow-up rule flags it now (``cases.moves.needs_follow_up``). Filters: status, priority,
  category, store, needs follow-up. Search by the case id typed with or without dashes, the subject, or an ASIN.
  A page reads the same few queries for ten cases or ten thousand.
* **Actions** move the selected cases' status (``services.case_move``): a move a case's status does not allow is a
  message naming the case and why, never a 500, and the other cases still move. "Resolve, and their alerts" also
  resolves the open alerts the cases answer.
* **A case's page** changes its details; under them the person may move its status (with a note, the Amazon team of
  a transfer, the case id that opens a draft, and "resolve the alert too" when the case answers an open alert) and
  log a message, a reply of Amazon's or a note (our message is refused until its tone warnings are confirmed). The
  timeline shows every entry with its time and author.

Every write goes through ``cases.services.cases``; the form reads the same pure rules first (``case_ids``, ``asins``,
``moves``, ``tone``) so that a problem is an error on its field, not a failed save.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter, DropdownFilter
from unfold.decorators import display
from unfold.widgets import (
    UnfoldAdminSelectWidget,
    UnfoldAdminSplitDateTimeWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanWidget,
)

from accounts.platform.admin_filters import VisibleRowFilter
from accounts.platform.admin_site import TenantAdmin, site
from accounts.tenancy import caller_of

from .. import asins, case_ids, moves, tone
from ..models import CaseEvent, SupportCase
from ..powers import WORK_ON_CASES
from ..selectors import cases as selectors
from ..selectors.templates import case_categories, category_shown, with_category_name
from ..services import cases as services

Status = SupportCase.Status
FLAGGED = "yes"

STATUS_TONES = {Status.DRAFTED: "", Status.OPENED: "info", Status.AWAITING_AMAZON: "warning",
                Status.ANSWERED: "info", Status.NEEDS_ACTION: "danger", Status.TRANSFERRED: "warning",
                Status.RESOLVED: "success", Status.CLOSED: "", Status.REOPENED: "warning"}
PRIORITY_TONES = {"normal": "", "high": "warning", "urgent": "danger"}

#: The fields of the case's page that move its status or log an entry (not fields of the case).
#: A row of the timeline's table: its cells read from the top, the time on one line, the text keeps its lines.
_CELL = "vertical-align:top;text-align:left;padding:0 1rem .5rem 0"
TIMELINE_ROW = (f'<tr><td style="{_CELL};white-space:nowrap">{{}}</td><td style="{_CELL}">{{}}</td>'
                f'<td style="{_CELL}">{{}}</td><td style="{_CELL};white-space:pre-wrap">{{}}</td></tr>')
TIMELINE_HEAD = (f'<table class="cases-timeline"><thead><tr><th style="{_CELL}">{{}}</th><th style="{_CELL}">{{}}</th>'
                 f'<th style="{_CELL}">{{}}</th><th style="{_CELL}">{{}}</th></tr></thead><tbody>{{}}</tbody></table>')
MOVE_FIELDS = ("move_to", "move_note", "move_transferred_to", "move_case_id", "resolve_alert")
ENTRY_FIELDS = ("entry_kind", "entry_text", "entry_at", "confirm_tone")


class NeedsFollowUpFilter(DropdownFilter):
    title = _("needs follow-up")
    parameter_name = "needs_follow_up"

    def lookups(self, request, model_admin):
        return [(FLAGGED, _("Flagged: waiting too long for Amazon, or high or urgent"))]

    def queryset(self, request, queryset):
        if self.value() != FLAGGED:
            return queryset
        hours = selectors.follow_up_hours(agency=caller_of(request).agency)
        return selectors.needing_follow_up(queryset, now=timezone.now(), follow_up_after_hours=hours)


class CategoryFilter(DropdownFilter):
    title = _("category")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        agency = caller_of(request).agency
        if agency is None:
            return []
        return [(code, category.label) for code, category in case_categories(agency=agency).items()]

    def queryset(self, request, queryset):
        return queryset.filter(category=self.value()) if self.value() else queryset


class CaseForm(forms.ModelForm):
    """A case's details, its status move and a timeline entry. ``clean`` reads the pure rules so that every problem
    is an error on its field; the admin's ``save_model`` then writes through the services."""

    asins_text = forms.CharField(label=_("ASINs"), required=False, widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}),
                                 help_text=_("Separated by commas, spaces or new lines."))
    amazon_case_id_typed = forms.CharField(label=_("Amazon case id"), required=False, max_length=40,
                                           widget=UnfoldAdminTextInputWidget,
                                           help_text=_("As Amazon shows it: 1234567890 or 123-456-7890."))
    move_to = forms.ChoiceField(label=_("Move the status to"), required=False, widget=UnfoldAdminSelectWidget)
    move_note = forms.CharField(label=_("Note of the move"), required=False,
                                widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}))
    move_transferred_to = forms.CharField(label=_("Transferred to (Amazon team)"), required=False, max_length=120,
                                          widget=UnfoldAdminTextInputWidget)
    move_case_id = forms.CharField(label=_("Amazon case id (to open a draft)"), required=False, max_length=40,
                                   widget=UnfoldAdminTextInputWidget)
    resolve_alert = forms.BooleanField(label=_("Resolve the alert too"), required=False, widget=UnfoldBooleanWidget,
                                       help_text=_(
        "When resolving a case that answers an open alert."))
    entry_kind = forms.ChoiceField(label=_("Log"), required=False, widget=UnfoldAdminSelectWidget, choices=[
        ("", "—"), *[(kind.value, kind.label) for kind in services.WRITTEN_KINDS]])
    entry_text = forms.CharField(label=_("Text"), required=False, widget=UnfoldAdminTextareaWidget(attrs={"rows": 4}))
    entry_at = forms.SplitDateTimeField(label=_("Sent or received at"), required=False,
                                        widget=UnfoldAdminSplitDateTimeWidget, help_text=_("Default: now."))
    confirm_tone = forms.BooleanField(label=_("Log it despite the tone warnings"), required=False,
                                      widget=UnfoldBooleanWidget)

    # No ``Meta``: the admin builds the model form inside the request (its fieldsets name the fields), when the
    # agency's scope is active for the choices of the store, the alert and the assignee.

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        if agency is not None:
            self.fields["category"] = forms.ChoiceField(label=_("category"), widget=UnfoldAdminSelectWidget, choices=[
                (code, category.label) for code, category in case_categories(agency=agency).items()])
        case = self.instance if self.instance.pk else None
        if case is not None:
            self.fields.pop("store", None)
            self.fields["asins_text"].initial = ", ".join(case.asins or [])
            self.fields["amazon_case_id_typed"].initial = case.display_case_id
            self.fields["move_to"].choices = [("", "—"), *[(status.value, status.label)
                                                           for status in moves.allowed_moves(case.status)]]
        else:
            for name in (*MOVE_FIELDS, *ENTRY_FIELDS):
                self.fields.pop(name, None)

    def clean_asins_text(self):
        try:
            return asins.normalise_asins(self.cleaned_data["asins_text"])
        except ValidationError as error:
            raise ValidationError(error.messages) from error

    def clean_amazon_case_id_typed(self):
        typed = self.cleaned_data["amazon_case_id_typed"]
        if not typed.strip():
            return ""
        digits = case_ids.normalise_case_id(typed)
        same = SupportCase.objects.filter(agency=self.agency, amazon_case_id=digits)
        if self.instance.pk:
            same = same.exclude(pk=self.instance.pk)
        if same.exists():
            raise ValidationError(gettext("Case %(case_id)s is already recorded in the agency.")
                                  % {"case_id": case_ids.display_case_id(digits)})
        return digits

    def clean(self):
        cleaned = super().clean()
        case = self.instance if self.instance.pk else None
        store = case.store if case is not None else cleaned.get("store")
        alert = cleaned.get("alert")
        if alert is not None and store is not None and alert.store_id != store.pk:
            self.add_error("alert", gettext("No such alert of %(store)s: %(alert)s.")
                           % {"store": store.name, "alert": alert.pk})
        if case is None:
            return cleaned
        to = cleaned.get("move_to")
        if to:
            try:
                moves.check_move(case.status, to)
                moves.check_move_details(to, amazon_case_id=cleaned.get("move_case_id") or case.amazon_case_id,
                                         transferred_to=cleaned.get("move_transferred_to"))
            except ValidationError as error:
                field_of = {"status": "move_to", "amazon_case_id": "move_case_id",
                            "transferred_to": "move_transferred_to"}
                for field, problems in error.message_dict.items():
                    self.add_error(field_of.get(field, "move_to"), problems)
        kind = cleaned.get("entry_kind")
        if kind and not (cleaned.get("entry_text") or "").strip():
            self.add_error("entry_text", gettext("Write the message."))
        if kind == CaseEvent.Kind.OUR_MESSAGE and not cleaned.get("confirm_tone"):
            warnings = tone.tone_warnings(cleaned.get("entry_text"))
            if warnings:
                self.add_error("entry_text", services.tone_refusal(warnings).message_dict["text"])
        return cleaned


@admin.register(SupportCase, site=site)
class SupportCaseAdmin(TenantAdmin):
    write_power = WORK_ON_CASES
    form = CaseForm
    list_display = ("case_label", "store_label", "category_label", "priority_label", "status_label",
                    "follow_up_label", "waiting_label")
    list_display_links = ("case_label",)
    list_filter = (("status", ChoicesDropdownFilter), ("priority", ChoicesDropdownFilter), CategoryFilter,
                   ("store", VisibleRowFilter), NeedsFollowUpFilter)
    list_filter_submit = True
    search_fields = ("subject",)
    search_help_text = _("Searches by Amazon case id (with or without dashes), subject or ASIN.")
    autocomplete_fields = ("store",)
    list_per_page = 50
    actions = ("to_awaiting_amazon", "to_answered", "to_needs_action", "to_resolved", "to_resolved_with_alerts",
               "to_closed", "to_reopened")
    readonly_fields = ("status_shown", "transferred_to", "times", "timeline")

    def has_delete_permission(self, request, obj=None):
        return False  # a case is closed, never deleted: its timeline is the agency's record

    # -- the list ----------------------------------------------------------------------------------------------------
    def get_queryset(self, request):
        rows = super().get_queryset(request).select_related("store", "store__client", "assignee")
        agency = caller_of(request).agency
        if agency is None:
            return rows
        # What each row shows is read with it (nothing kept on this admin, which serves every request).
        rows = selectors.with_follow_up(rows, agency=agency, now=timezone.now())
        return with_category_name(rows, agency=agency)

    def get_search_results(self, request, queryset, search_term):
        """The subject as Django searches it; also the case id typed with or without dashes (its digits) and an
        ASIN (any case of the ASIN)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return found, may_have_duplicates
        extra = Q()
        try:
            extra |= Q(amazon_case_id=case_ids.normalise_case_id(term))
        except ValidationError:
            pass
        try:
            extra |= Q(asins__contains=[asins.normalise_asin(term)])
        except ValidationError:
            pass
        if extra:
            found = found | queryset.filter(extra)
        return found, may_have_duplicates

    @display(description=_("case"), ordering="amazon_case_id", header=True)
    def case_label(self, obj):
        return obj.display_case_id or gettext("Draft"), obj.subject

    @display(description=_("store"), ordering="store__name", header=True)
    def store_label(self, obj):
        return obj.store.name, f"{obj.store.client.name} · {obj.store.marketplace}"

    @admin.display(description=_("category"), ordering="category")
    def category_label(self, obj):
        return category_shown(obj)

    @display(description=_("priority"), ordering="priority", label=PRIORITY_TONES)
    def priority_label(self, obj):
        return obj.priority, obj.get_priority_display()

    @display(description=_("status"), ordering="status", label=STATUS_TONES)
    def status_label(self, obj):
        return obj.status, obj.get_status_display()

    @display(description=_("follow-up"), label={"yes": "danger"})
    def follow_up_label(self, obj):
        if not getattr(obj, "flagged", False):
            return "", ""
        return "yes", gettext("Follow up")

    @admin.display(description=_("waiting for Amazon since"), ordering="waiting_since")
    def waiting_label(self, obj):
        return timezone.localtime(obj.waiting_since).strftime("%Y-%m-%d %H:%M") if obj.waiting_since else "—"

    # -- actions -----------------------------------------------------------------------------------------------------
    def _move_selected(self, request, queryset, to_status, *, resolve_alert=False):
        caller = caller_of(request)
        moved, alerts_open = 0, 0
        for case in queryset.order_by("pk"):
            try:
                result = services.case_move(agency=caller.agency, caller=caller, case=case, to_status=to_status,
                                            resolve_alert=resolve_alert)
            except ValidationError as error:
                messages.error(request, gettext("%(case)s: %(reason)s") % {"case": case,
                                                                           "reason": " ".join(error.messages)})
                continue
            moved += 1
            alerts_open += result.alert_open
        if moved:
            messages.success(request, ngettext("%(count)d case moved to %(status)s.",
                                               "%(count)d cases moved to %(status)s.", moved)
                             % {"count": moved, "status": Status(to_status).label})
        if alerts_open:
            messages.warning(request, ngettext(
                "%(count)d resolved case answers an alert that is still open.",
                "%(count)d resolved cases answer alerts that are still open.", alerts_open) % {"count": alerts_open})

    @admin.action(description=_("Move to Awaiting Amazon"), permissions=["change"])
    def to_awaiting_amazon(self, request, queryset):
        self._move_selected(request, queryset, Status.AWAITING_AMAZON)

    @admin.action(description=_("Move to Answered"), permissions=["change"])
    def to_answered(self, request, queryset):
        self._move_selected(request, queryset, Status.ANSWERED)

    @admin.action(description=_("Move to Needs our action"), permissions=["change"])
    def to_needs_action(self, request, queryset):
        self._move_selected(request, queryset, Status.NEEDS_ACTION)

    @admin.action(description=_("Resolve"), permissions=["change"])
    def to_resolved(self, request, queryset):
        self._move_selected(request, queryset, Status.RESOLVED)

    @admin.action(description=_("Resolve, and the alerts they answer"), permissions=["change"])
    def to_resolved_with_alerts(self, request, queryset):
        self._move_selected(request, queryset, Status.RESOLVED, resolve_alert=True)

    @admin.action(description=_("Close"), permissions=["change"])
    def to_closed(self, request, queryset):
        self._move_selected(request, queryset, Status.CLOSED)

    @admin.action(description=_("Reopen"), permissions=["change"])
    def to_reopened(self, request, queryset):
        self._move_selected(request, queryset, Status.REOPENED)

    # -- a case's page -----------------------------------------------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        agency = caller_of(request).agency

        class FormOfAgency(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, agency=agency, **inner)

        return FormOfAgency

    def get_fieldsets(self, request, obj=None):
        details = ("subject", "category", "amazon_case_id_typed", "asins_text", "priority", "expected_result",
                   "alert", "assignee")
        if obj is None:
            return ((None, {"fields": ("store", *details)}),)
        return (
            (None, {"fields": ("status_shown", "transferred_to", *details)}),
            (_("Move the status"), {"fields": MOVE_FIELDS}),
            (_("Log a message, a reply or a note"), {"fields": ENTRY_FIELDS}),
            (_("Timeline"), {"fields": ("times", "timeline")}),
        )

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    @admin.display(description=_("status"))
    def status_shown(self, obj):
        return obj.get_status_display()

    @admin.display(description=_("times"))
    def times(self, obj):
        def shown(moment):
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"

        return format_html(
            "{}: {} · {}: {} · {}: {} · {}: {}", gettext("opened"), shown(obj.opened_at),
            gettext("waiting for Amazon since"), shown(obj.waiting_since), gettext("resolved"),
            shown(obj.resolved_at), gettext("closed"), shown(obj.closed_at))

    @admin.display(description=_("timeline"))
    def timeline(self, obj):
        rows = []
        for event in selectors.case_events(agency=obj.agency_id, case=obj):
            what = event.get_kind_display()
            if event.kind == CaseEvent.Kind.STATUS:
                what = f"{what}: {Status(event.from_status).label if event.from_status else '—'} → " \
                       f"{Status(event.to_status).label}"
            if event.document is not None:
                what = f"{what}: {event.document.title}"
            by = event.author.email if event.author else (event.api_key.name if event.api_key else "—")
            rows.append((timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"), what, by, event.text))
        if not rows:
            return "—"
        return format_html(
            TIMELINE_HEAD, gettext("at"), gettext("what"), gettext("by"), gettext("text"),
            format_html_join("", TIMELINE_ROW, rows))

    def save_model(self, request, obj, form, change):
        """Details, then the move, then the entry, each through its service, all or nothing. What a service still
        refuses (a move someone else made meanwhile, an entry dated in the future) undoes the others and is a
        message on the case's page."""
        caller = caller_of(request)
        data = form.cleaned_data
        details = {"subject": data["subject"], "category": data["category"], "asins": data["asins_text"],
                   "priority": data["priority"], "expected_result": data["expected_result"],
                   "amazon_case_id": data["amazon_case_id_typed"], "alert": data.get("alert"),
                   "assignee": data.get("assignee")}
        if not change:
            created = services.case_create(agency=caller.agency, caller=caller, store=data["store"], **details)
            obj.pk = created.pk
            return
        try:
            with transaction.atomic():
                notices = self._save_change(caller, obj, data, details)
        except ValidationError as error:
            obj.refusal = error  # read by ``response_change``, on this request's row only
            messages.error(request, gettext("%(case)s: nothing was saved. %(reason)s")
                           % {"case": obj, "reason": " ".join(error.messages)})
            return
        for level, text in notices:
            messages.add_message(request, level, text)

    def _save_change(self, caller, obj, data, details):
        """The services of a case's page, in order; returns the messages to show once all of them were saved."""
        notices = []
        services.case_update(agency=caller.agency, caller=caller, case=obj, **details)
        if data.get("move_to"):
            result = services.case_move(
                agency=caller.agency, caller=caller, case=obj, to_status=data["move_to"],
                note=data.get("move_note", ""), transferred_to=data.get("move_transferred_to", ""),
                amazon_case_id=data.get("move_case_id", ""), resolve_alert=data.get("resolve_alert", False))
            if result.alert_open:
                notices.append((messages.WARNING, gettext(
                    "The case is resolved; the alert it answers is still open. Tick “Resolve the alert too” and "
                    "save to resolve it, or resolve it in the alert inbox.")))
        elif data.get("resolve_alert"):
            if services.case_alert_resolve(agency=caller.agency, caller=caller, case=obj,
                                           note=data.get("move_note", "")):
                notices.append((messages.SUCCESS, gettext("The alert the case answers is resolved.")))
        if data.get("entry_kind"):
            services.case_message_add(agency=caller.agency, caller=caller, case=obj, kind=data["entry_kind"],
                                      text=data["entry_text"], at=data.get("entry_at"),
                                      confirm_tone=data.get("confirm_tone", False))
        return notices

    def response_change(self, request, obj):
        if getattr(obj, "refusal", None) is not None:
            # Nothing was saved: the case's page again with the refusal, not "changed successfully".
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)
