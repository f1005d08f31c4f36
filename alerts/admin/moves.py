"""Acknowledging and resolving alerts in the admin: the inbox's actions on the selected alerts, and an alert's own
pages (``<id>/acknowledge/``, ``<id>/resolve/``), each a form with a note (required to resolve) that a POST submits.

Every move goes through ``services.alert_acknowledge`` / ``services.alert_resolve``, which check it against
``services.MOVES``: a refusal (an alert resolved meanwhile) is a message naming the alert and why, never a half-done
batch for the others. People who work on stores move the alerts of the stores they see (``WORK_ON_ALERTS``); a
viewer is offered neither the actions nor the pages (403), and an alert the person does not see is a 404 before any
check of their role.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextareaWidget

from accounts.tenancy import caller_of

from .. import labels, services
from ..models import Alert, AlertTransition
from ..powers import WORK_ON_ALERTS

NOTE_MAX_LENGTH = AlertTransition._meta.get_field("reason").max_length


@dataclass(frozen=True)
class Move:
    """A move a person makes: the status it leads to, its service, and its words."""

    name: str
    to_status: str
    service: object
    title: str
    button: str
    done: str
    done_many: object  # count -> the message of that many moves made, in the reader's language
    note_help: str
    refused: str
    #: Whether the inbox's action asks for a note on a page before it moves the selected alerts.
    asks_note: bool

    def make(self, *, agency, caller, alert, note):
        return self.service(agency=agency, caller=caller, alert=alert, note=note)


ACKNOWLEDGE = Move(
    name="acknowledge", to_status=Alert.Status.ACKNOWLEDGED, service=services.alert_acknowledge,
    title=_("Acknowledge the alert"), button=_("Acknowledge"),
    done=_("“%(alert)s” is acknowledged: someone is on it."),
    done_many=lambda count: ngettext("%(count)d alert acknowledged.", "%(count)d alerts acknowledged.", count),
    note_help=_("Optional: what you are doing about it."),
    refused=_("This alert is %(status)s: it can no longer be acknowledged."), asks_note=False)
RESOLVE = Move(
    name="resolve", to_status=Alert.Status.RESOLVED, service=services.alert_resolve,
    title=_("Resolve the alert"), button=_("Resolve"),
    done=_("“%(alert)s” is resolved."),
    done_many=lambda count: ngettext("%(count)d alert resolved.", "%(count)d alerts resolved.", count),
    note_help=_("Required: why the alert is resolved (what was done, or why nothing needs doing)."),
    refused=_("This alert is %(status)s: it can no longer be resolved."), asks_note=True)
MOVES = {move.name: move for move in (ACKNOWLEDGE, RESOLVE)}


def allows(alert, move):
    """Whether ``alert``'s status allows ``move`` (``services.MOVES``)."""
    return move.to_status in services.MOVES[Alert.Status(alert.status)]


class NoteForm(forms.Form):
    """The note of a move; the service says whether one is required (to resolve), on this field."""

    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH,
                           widget=UnfoldAdminTextareaWidget(attrs={"rows": 4}))

    def __init__(self, *args, move, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].help_text = move.note_help


def _refusal(alert, error):
    return gettext("%(alert)s: %(reason)s") % {"alert": alert, "reason": " ".join(error.messages)}


def move_selected(model_admin, request, queryset, move):
    """Make ``move`` on each selected alert (those the person sees: ``queryset``); a move that ``asks_note`` first
    shows a page between the selection and the moves, whose note every move records. Returns that page, or ``None``
    (back to the list) once done."""
    caller = caller_of(request)
    alerts = list(queryset.select_related("store"))
    if not alerts:
        messages.warning(request, gettext("None of the selected alerts is one you can see."))
        return None
    confirmed = "post" in request.POST or not move.asks_note
    form = NoteForm(request.POST if confirmed else None, move=move)
    if confirmed and form.is_valid():
        try:
            done, refused = services.alerts_move(agency=caller.agency, caller=caller, alerts=alerts,
                                                 to_status=move.to_status, note=form.cleaned_data["note"])
        except ValidationError as error:
            # The same note for every alert: refused for one, refused for all, and nothing was moved.
            form.add_error("note", error.message_dict["note"])
        else:
            for alert, error in refused:
                messages.error(request, _refusal(alert, error))
            if done:
                messages.success(request, move.done_many(len(done)) % {"count": len(done)})
            return None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts, "title": move.title, "move": move, "form": form,
        "summaries": [labels.summary(alert) for alert in alerts],
        "action_name": f"{move.name}_selected", "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "has_view_permission": True, "media": model_admin.media + form.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "alerts/move_selected.html", context)


def move_page(model_admin, request, object_id, move):
    """An alert's page of ``move``: its form (GET), or the move (POST) that comes back to the alert's page."""
    alert = model_admin.get_object(request, unquote(object_id))
    if alert is None:
        raise Http404
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    caller = caller_of(request)
    if not caller.can(WORK_ON_ALERTS):
        raise PermissionDenied
    change_url = reverse("admin:alerts_alert_change", args=[alert.pk])
    form = NoteForm(request.POST if request.method == "POST" else None, move=move)
    if request.method == "POST" and form.is_valid():
        try:
            move.make(agency=caller.agency, caller=caller, alert=alert, note=form.cleaned_data["note"])
        except ValidationError as error:
            if "note" not in getattr(error, "message_dict", {}):
                messages.error(request, _refusal(alert, error))
                return HttpResponseRedirect(change_url)
            form.add_error("note", error.message_dict["note"])
        else:
            messages.success(request, move.done % {"alert": alert})
            return HttpResponseRedirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts, "title": move.title, "move": move, "form": form, "alert": alert,
        "original": alert, "summary": labels.summary(alert), "allowed": allows(alert, move),
        "refused": move.refused % {"status": alert.get_status_display()}, "change_url": change_url,
        "has_view_permission": True,
        "media": model_admin.media + form.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "alerts/move_page.html", context, status=400 if form.errors else 200)


def move_links(alert, request):
    """The moves the person may make on ``alert`` now, as links to their pages (an alert's page shows them)."""
    if not caller_of(request).can(WORK_ON_ALERTS):
        return []
    return [{"move": move, "url": reverse(f"admin:alerts_alert_{move.name}", args=[alert.pk])}
            for move in MOVES.values() if allows(alert, move)]
