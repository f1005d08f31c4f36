"""Writes of Seller Support cases: recording a case, changing its details, moving its status, and its timeline
(our messages, Amazon's replies, internal notes, documents attached). Each takes the agency explicitly and the caller
(``accounts.tenancy.Caller``), whom the timeline records.

The rules are the pure modules' (``cases.moves``, ``cases.case_ids``, ``cases.asins``, ``cases.tone``); a move the
case's status does not allow is refused on ``status`` the same way here, in the API (409) and in the admin. Bad input
changes nothing: every write runs in one transaction, and every error names its field.

Decisions where the issue is silent:

* A case recorded with Amazon's case id is **opened** at once (it exists at Amazon, and the follow-up timer starts);
  without one it is **drafted**. Either way the timeline starts with a status event (from nothing).
* An **Amazon reply** logged on a case waiting for Amazon (``moves.WAITING_FOR_AMAZON``) moves it to **answered**
  (recorded as a status event at the reply's time): Amazon's answer is what stops the follow-up timer, and nobody
  should have to make that move by hand. On a case in any other status the reply is only logged.
* A document attached to a case must be a paper of the case's store's client (an operator sending one client's
  licence for another's store is the mistake this guards against).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import visible_stores
from alerts import selectors as alert_selectors
from alerts import services as alert_services
from alerts.models import Alert
from documents import selectors as document_selectors
from documents import services as document_services

from .. import asins, case_ids, moves, tone
from ..models import CaseEvent, MessageTemplate, MessageTemplateVersion, Priority, SupportCase
from ..selectors.templates import case_categories

Status = SupportCase.Status

#: The kinds of timeline entry a person writes (status moves and documents are recorded by their own services).
WRITTEN_KINDS = (CaseEvent.Kind.OUR_MESSAGE, CaseEvent.Kind.AMAZON_REPLY, CaseEvent.Kind.NOTE)

#: The details ``case_update`` changes.
UPDATABLE = ("subject", "category", "asins", "priority", "expected_result", "amazon_case_id", "alert", "assignee")


@dataclass(frozen=True)
class CaseMoved:
    """What ``case_move`` did: the case as moved, and, when the move resolved a case that answers an alert, whether
    that alert is still open (``alert_open``: offer to resolve it) or was resolved with it (``alert_resolved``)."""

    case: SupportCase
    alert_open: bool = False
    alert_resolved: bool = False


@dataclass(frozen=True)
class MessageLogged:
    """What ``case_message_add`` did: the timeline entry, the tone warnings the message raised (``tone.ToneWarning``,
    only for our messages; logged because the caller confirmed them), and the status move the entry made (an Amazon
    reply answering a waiting case), if any."""

    event: CaseEvent
    warnings: tuple = ()
    moved_to: str = ""


def _event(case, kind, *, caller, at, **fields):
    return CaseEvent(agency_id=case.agency_id, case=case, kind=kind, at=at,
                     author=caller.user if caller.is_person else None, api_key=caller.api_key, **fields)


def _locked(agency, case):
    """``case`` of ``agency``, locked until the transaction ends: two moves of one case take turns."""
    return SupportCase.objects.select_for_update(of=("self",)).select_related("store").get(agency=agency, pk=case.pk)


# -- the details of a case ----------------------------------------------------------------------------------------
def _clean_case_id(agency, typed, *, case=None):
    """The digits of the case id ``typed`` (``""`` for none), refused on ``amazon_case_id`` when malformed or when
    another case of the agency already has it."""
    if typed is None or not str(typed).strip():
        return ""
    try:
        digits = case_ids.normalise_case_id(typed)
    except ValidationError as error:
        raise ValidationError({"amazon_case_id": error.messages}) from error
    same = SupportCase.objects.filter(agency=agency, amazon_case_id=digits)
    if case is not None:
        same = same.exclude(pk=case.pk)
    if same.exists():
        raise ValidationError({"amazon_case_id": [
            _("Case %(case_id)s is already recorded in the agency.") % {"case_id": case_ids.display_case_id(digits)}]})
    return digits


def _check_details(*, agency, caller, store, values, errors, case=None):
    """Normalise and check the details in ``values`` (a dict of the keys of ``UPDATABLE`` given), writing what is
    wrong into ``errors`` by field."""
    if "category" in values and values["category"] not in case_categories(agency=agency):
        errors["category"] = [_("“%(category)s” is not a case category of the agency.")
                              % {"category": values["category"]}]
    if "asins" in values:
        try:
            values["asins"] = asins.normalise_asins(values["asins"])
        except ValidationError as error:
            errors["asins"] = error.messages
    if "priority" in values and values["priority"] not in Priority.values:
        errors["priority"] = [_("“%(priority)s” is not a priority: normal, high or urgent.")
                              % {"priority": values["priority"]}]
    if "amazon_case_id" in values:
        try:
            values["amazon_case_id"] = _clean_case_id(agency, values["amazon_case_id"], case=case)
        except ValidationError as error:
            errors.update(error.message_dict)
        else:
            if case is not None and not values["amazon_case_id"] and case.status != Status.DRAFTED:
                errors["amazon_case_id"] = [_("An opened case keeps Amazon's case id: correct it, do not remove it.")]
    alert = values.get("alert")
    if alert is not None and store is not None and (alert.agency_id != agency.pk or alert.store_id != store.pk):
        errors["alert"] = [_("No such alert of %(store)s: %(alert)s.") % {"store": store.name, "alert": alert.pk}]
    assignee = values.get("assignee")
    if assignee is not None and store is not None and not alert_selectors.alert_assignees(
            agency=agency, store=store).filter(pk=assignee.pk).exists():
        errors["assignee"] = [_("%(person)s cannot be given a case of %(store)s: they do not work on that store.")
                              % {"person": assignee, "store": store.name}]


def _full_clean(case, errors):
    """The model's own checks (lengths, required fields), merged into ``errors``; raises them all at once."""
    try:
        case.full_clean(exclude=["agency", "store", "alert", "assignee", "created_by", *errors])
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_create(*, agency, caller, store, subject, category, asins=(), priority=Priority.NORMAL,
                expected_result="", amazon_case_id="", alert=None, assignee=None):
    """Record a Seller Support case of ``store`` (a store of ``agency`` the caller sees).

    Amazon's case id is stored as its digits however it was typed (``123-456-7890``); with one the case is opened
    now and waits for Amazon, without one it is a draft. The ASINs are normalised (each once), the category is a
    built-in one or the agency's own, and ``alert`` must be an alert of the same store. Every problem is reported at
    once, by field. Returns the case."""
    errors = {}
    if getattr(store, "agency_id", None) != agency.pk or not visible_stores(
            agency=agency, caller=caller).filter(pk=store.pk).exists():
        errors["store"] = [_("No such store: %(store)s.") % {"store": getattr(store, "pk", store)}]
        store = None
    values = {"subject": str(subject or "").strip(), "category": category, "asins": asins, "priority": priority,
              "expected_result": str(expected_result or "").strip(), "amazon_case_id": amazon_case_id,
              "alert": alert, "assignee": assignee}
    _check_details(agency=agency, caller=caller, store=store, values=values, errors=errors)
    now = timezone.now()
    opened = bool(values["amazon_case_id"]) and "amazon_case_id" not in errors
    case = SupportCase(agency=agency, store=store, created_by=caller.user if caller.is_person else None,
                       status=Status.OPENED if opened else Status.DRAFTED,
                       opened_at=now if opened else None, waiting_since=now if opened else None,
                       **{name: value for name, value in values.items() if name not in errors})
    _full_clean(case, errors)
    case.save()
    _event(case, CaseEvent.Kind.STATUS, caller=caller, at=now, to_status=case.status).save()
    return case


@transaction.atomic
def case_update(*, agency, caller, case, **changes):
    """Change any of the details of ``case`` named in ``UPDATABLE`` (its status moves through ``case_move``), checked
    as ``case_create`` checks them. An opened case's Amazon case id may be corrected, never removed. Returns the
    case."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"case_update() does not change {', '.join(sorted(unknown))}")
    case = _locked(agency, case)
    errors = {}
    if "subject" in changes:
        changes["subject"] = str(changes["subject"] or "").strip()
    if "expected_result" in changes:
        changes["expected_result"] = str(changes["expected_result"] or "").strip()
    _check_details(agency=agency, caller=caller, store=case.store, values=changes, errors=errors, case=case)
    for name, value in changes.items():
        if name not in errors:
            setattr(case, name, value)
    _full_clean(case, errors)
    case.save()
    return case


# -- status moves -------------------------------------------------------------------------------------------------
def _apply_move(case, to_status, *, now, transferred_to, amazon_case_id):
    """Set ``case``'s status (and the times and timer that go with it) to ``to_status``."""
    case.waiting_since = moves.waiting_since_after(current=case.status, to=to_status,
                                                   waiting_since=case.waiting_since, now=now)
    case.status = to_status
    if to_status == Status.OPENED:
        case.opened_at = now
        case.amazon_case_id = amazon_case_id or case.amazon_case_id
    if to_status == Status.TRANSFERRED:
        case.transferred_to = transferred_to
    if to_status == Status.RESOLVED:
        case.resolved_at = now
    if to_status == Status.CLOSED:
        case.closed_at = now
    if to_status == Status.REOPENED:
        case.resolved_at = case.closed_at = None


@transaction.atomic
def case_move(*, agency, caller, case, to_status, note="", transferred_to="", amazon_case_id="",
              resolve_alert=False):
    """Move ``case`` to ``to_status`` if ``moves.MOVES`` allows it (else refused on ``status``, naming the current
    status and the moves it allows), recording a status event with ``note``.

    Opening a draft needs Amazon's case id (the case's, or ``amazon_case_id`` given now); a transfer names the Amazon
    team (``transferred_to``). The follow-up timer starts, goes on or stops as ``moves.waiting_since_after`` says.
    Resolving a case that answers an open alert resolves the alert too when ``resolve_alert`` is true (through
    ``alerts.services.alert_resolve``, with the note, or a note naming the case); otherwise the answer says the
    alert is still open, so the caller can offer it. Returns a ``CaseMoved``."""
    case = _locked(agency, case)
    moves.check_move(case.status, to_status)
    transferred_to = str(transferred_to or "").strip()
    digits = ""
    if to_status == Status.OPENED and amazon_case_id:
        digits = _clean_case_id(agency, amazon_case_id, case=case)
    moves.check_move_details(to_status, amazon_case_id=digits or case.amazon_case_id, transferred_to=transferred_to)
    note = str(note or "").strip()
    now = timezone.now()
    event = _event(case, CaseEvent.Kind.STATUS, caller=caller, at=now, from_status=case.status, to_status=to_status,
                   text=note)
    try:
        event.clean_fields(exclude=[field.name for field in CaseEvent._meta.fields if field.name != "text"])
    except ValidationError as error:
        raise ValidationError({"note": error.message_dict["text"]}) from error
    _apply_move(case, to_status, now=now, transferred_to=transferred_to, amazon_case_id=digits)
    case.save()
    event.save()
    alert_open = alert_resolved = False
    if to_status == Status.RESOLVED:
        if resolve_alert:
            alert_resolved = _resolve_alert_of(agency=agency, caller=caller, case=case, note=note)
        else:
            alert_open = _open_alert_of(agency, case) is not None
    return CaseMoved(case=case, alert_open=alert_open, alert_resolved=alert_resolved)


def _open_alert_of(agency, case):
    if case.alert_id is None:
        return None
    return Alert.objects.filter(agency=agency, pk=case.alert_id, status__in=Alert.OPEN_STATUSES).first()


def _resolve_alert_of(*, agency, caller, case, note):
    alert = _open_alert_of(agency, case)
    if alert is None:
        return False
    alert_services.alert_resolve(agency=agency, caller=caller, alert=alert, note=note or _(
        "Resolved with Seller Support case %(case)s.") % {"case": case.display_case_id or case.pk})
    return True


@transaction.atomic
def case_alert_resolve(*, agency, caller, case, note=""):
    """Resolve the open alert that ``case`` (resolved) answers, with ``note`` or a note naming the case: the offer
    made when the case was resolved without it. Refused on ``status`` while the case is not resolved. Returns
    whether an alert was resolved (``False``: the case answers no alert, or it is no longer open)."""
    case = _locked(agency, case)
    if case.status != Status.RESOLVED:
        raise ValidationError({"status": [_("Resolve the case first: it is %(status)s.")
                                          % {"status": case.get_status_display()}]})
    return _resolve_alert_of(agency=agency, caller=caller, case=case, note=str(note or "").strip())


# -- the timeline -------------------------------------------------------------------------------------------------
def tone_refusal(warnings):
    """The error on ``text`` for a message whose tone warnings the caller did not confirm: each warning, with the
    words that raised it, then how to log it anyway."""
    lines = [_("%(warning)s (%(words)s)") % {"warning": warning.message, "words": ", ".join(warning.snippets)}
             for warning in warnings]
    lines.append(_("Rewrite the message, or confirm its tone to log it as sent anyway."))
    return ValidationError({"text": lines}, code="tone")


@transaction.atomic
def case_message_add(*, agency, caller, case, kind, text, at=None, template_version=None, confirm_tone=False):
    """Log an entry of ``case``'s timeline written by a person: our message to Amazon, Amazon's reply, or an
    internal note (``kind``), at ``at`` (default now; not in the future), with the template version it was written
    from, if any (its use, and its template's, are counted).

    Our message is first read by the tone checker (``tone.tone_warnings``): with warnings it is refused on ``text``
    (naming each) unless ``confirm_tone`` is true; logged, it keeps the warnings in the answer. An Amazon reply on a
    case waiting for Amazon moves it to answered. Returns a ``MessageLogged``."""
    errors = {}
    if kind not in WRITTEN_KINDS:
        errors["kind"] = [_("“%(kind)s” is not an entry a person writes: our_message, amazon_reply or note.")
                          % {"kind": kind}]
    text = str(text or "").strip()
    if not text:
        errors["text"] = [_("Write the message.")]
    now = timezone.now()
    at = at or now
    if at > now + datetime.timedelta(minutes=5):  # a clock a few minutes fast is not the future
        errors["at"] = [_("%(at)s is in the future.") % {"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")}]
    if template_version is not None and template_version.agency_id != agency.pk:
        errors["template_version"] = [_("No such template: %(template)s.") % {"template": template_version.pk}]
    if errors:
        raise ValidationError(errors)
    warnings = ()
    if kind == CaseEvent.Kind.OUR_MESSAGE:
        warnings = tuple(tone.tone_warnings(text))
        if warnings and not confirm_tone:
            raise tone_refusal(warnings)
    case = _locked(agency, case)
    event = _event(case, kind, caller=caller, at=at, text=text, template_version=template_version)
    try:
        event.full_clean(exclude=["agency", "case", "author", "api_key", "document", "template_version"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error
    event.save()
    if template_version is not None:
        MessageTemplateVersion.objects.filter(agency=agency, pk=template_version.pk).update(
            use_count=F("use_count") + 1)
        MessageTemplate.objects.filter(agency=agency, pk=template_version.template_id).update(
            use_count=F("use_count") + 1)
    moved_to = ""
    if kind == CaseEvent.Kind.AMAZON_REPLY and case.status in moves.WAITING_FOR_AMAZON:
        moved = _event(case, CaseEvent.Kind.STATUS, caller=caller, at=at, from_status=case.status,
                       to_status=Status.ANSWERED, text=_("Amazon replied."))
        _apply_move(case, Status.ANSWERED, now=at, transferred_to="", amazon_case_id="")
        case.save()
        moved.save()
        moved_to = Status.ANSWERED
    return MessageLogged(event=event, warnings=warnings, moved_to=moved_to)


@transaction.atomic
def case_document_attach(*, agency, caller, case, document):
    """Attach ``document`` (of the library, seen by the caller, a paper of the case's store's client, not in the
    trash) to ``case`` through ``documents.services.document_link``, recorded on the timeline once (attaching it
    again changes nothing). Returns the timeline entry of the attachment."""
    visible = document_selectors.visible_documents(agency=agency, caller=caller)
    if getattr(document, "agency_id", None) != agency.pk or not visible.filter(pk=document.pk).exists():
        raise ValidationError({"document": [_("No such document: %(document)s.")
                                            % {"document": getattr(document, "pk", document)}]})
    case = _locked(agency, case)
    if document.client_id != case.store.client_id:
        raise ValidationError({"document": [
            _("“%(title)s” is a paper of another client, not of %(store)s's.")
            % {"title": document.title, "store": case.store.name}]})
    document_services.document_link(agency=agency, caller=caller, document=document, target=case)
    earlier = CaseEvent.objects.filter(agency=agency, case=case, kind=CaseEvent.Kind.DOCUMENT, document=document)
    event = earlier.first()
    if event is None:
        event = _event(case, CaseEvent.Kind.DOCUMENT, caller=caller, at=timezone.now(), document=document,
                       text=document.title[:200])
        event.save()
    return event


__all__ = ["CaseMoved", "MessageLogged", "case_create", "case_update", "case_move", "case_message_add",
           "case_document_attach", "case_alert_resolve", "tone_refusal"]
