"""Writes of the HR chat channel: logging a chat (refused when the chat rules forbid it), its outcome, transcript and
documents; what the agency records of a store's channel (a bulk deletion of listings, Amazon opening it anyway);
a manager lifting a freeze.

**A chat that breaks the rules cannot be logged.** ``chat_log`` asks ``selectors.chats.chat_eligibility`` at the
chat's ``requested_at`` (the store's health, alerts and channel as recorded now; its chats and lifts up to then)
and refuses with every reason, on the ``store`` field, each message carrying its reason's code
(``ValidationError.code``): a 4th request of the agency's day names the quota and suggests a case; a frozen channel
names the freeze's end. Logging takes the store's chat turn (``take_chat_turn``) first, so two logs of one store
at once cannot both take its last request of the day.

Every service checks the whole change before it writes and raises ``ValidationError({field: [message]})`` naming
the field and the value; nothing is half-written. A store, case, template or document the caller does not see is
"No such …" on its field, like one of another agency. Recording that Amazon opened the channel anyway and lifting a
freeze need ``MANAGE_CASES`` (``PermissionDenied`` otherwise); the other writes are for those who work on the
store (the views check ``WORK_ON_CASES``).
"""

import datetime
import zoneinfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import visible_rows, visible_stores
from documents import selectors as document_selectors
from documents.services import document_link

from .. import tone, transcripts
from ..models import ChatFreezeLift, ChatMessage, ChatSession, StoreChatChannel, SupportCase
from ..powers import MANAGE_CASES
from ..selectors import chats as selectors
from ..selectors.templates import case_categories

#: The first key of the advisory lock that makes the chat writes of one store take turns (the second is the
#: store's id).
CHAT_LOCK = 81_011

#: How far ahead of now a request may be dated: a clock a little fast is not a chat from the future.
CLOCK_SLACK = datetime.timedelta(minutes=5)

#: The fields ``chat_update`` changes.
UPDATABLE = ("outcome", "agent", "notes", "case", "connected")

Outcome = ChatSession.Outcome


def take_chat_turn(*, store):
    """Wait for the other chat writes of ``store`` to commit, then hold its turn until this transaction ends: the
    quota and the freeze are then read as the previous write left them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CHAT_LOCK, store.pk])


def _who(caller):
    return caller.user if caller.is_person else None


def _visible_store(*, agency, caller, store, field="store"):
    """``store`` when ``caller`` sees it in ``agency``, else a ``ValidationError`` on ``field``."""
    if store is None or getattr(store, "agency_id", None) != agency.pk or not visible_stores(
            agency=agency, caller=caller).filter(pk=store.pk).exists():
        raise ValidationError({field: [_("No such store: %(store)s.") % {"store": getattr(store, "pk", store)}]})
    return store


def _require_manager(caller):
    if not caller.can(MANAGE_CASES):
        raise PermissionDenied(_("Only a manager may do this."))


def _outcome_errors(*, agency, caller, store, outcome, connected, case, errors):
    """Check an outcome, the connected flag and the linked case together; returns the case to link (``None``)."""
    if outcome not in ("", *Outcome.values):
        errors["outcome"] = [_("“%(outcome)s” is not an outcome of a chat: choose one of %(outcomes)s.")
                             % {"outcome": outcome, "outcomes": ", ".join(Outcome.values)}]
        return None
    if not connected and outcome not in ("", Outcome.NOT_CONNECTED):
        errors["outcome"] = [_("A chat that did not connect cannot end as “%(outcome)s”.")
                             % {"outcome": Outcome(outcome).label}]
    if outcome != Outcome.TRANSFERRED:
        if case is not None:
            errors["case"] = [_("Only a chat transferred to a case links one: set the outcome to “%(outcome)s”.")
                              % {"outcome": Outcome.TRANSFERRED.label}]
        return None
    if case is None:
        errors["case"] = [_("A chat transferred to a case names the case.")]
        return None
    if not visible_rows(SupportCase.objects.filter(agency=agency), caller=caller).filter(pk=case.pk).exists():
        errors["case"] = [_("No such case: %(case)s.") % {"case": case.pk}]
        return None
    if case.store_id != store.pk:
        errors["case"] = [_("The case “%(case)s” is of another store than the chat's.") % {"case": case}]
        return None
    return case


def _tone_errors(message, *, store, confirm_tone, errors):
    """Refuse ``message`` on ``message`` when the tone check warns and the caller did not confirm it."""
    if confirm_tone:
        return
    warnings = tone.tone_warnings(message, allowed_words=str(store.name).split())
    if warnings:
        errors["message"] = [
            ValidationError(_("%(warning)s (%(snippets)s)")
                            % {"warning": warning.message, "snippets": ", ".join(f"“{s}”" for s in warning.snippets)},
                            code=f"tone_{warning.code}")
            for warning in warnings
        ] + [ValidationError(_("Rewrite the message, or confirm its tone to log it as it is."), code="tone")]


def _transcript_messages(*, agency, chat_store, requested_at, text, errors):
    """The unsaved ``ChatMessage`` rows of the transcript ``text`` (none for a blank text), its times placed on the
    agency's day of the request; an error on ``transcript`` when it is oversize or unparseable."""
    if not str(text or "").strip():
        return []
    try:
        parsed = transcripts.parse_transcript(text, seller_names=(chat_store.name,))
    except ValidationError as error:
        errors["transcript"] = error.messages
        return []
    zone = zoneinfo.ZoneInfo(agency.time_zone)
    day = requested_at.astimezone(zone).date()
    rows, previous = [], None
    for position, message in enumerate(parsed, start=1):
        sent_at = message.sent_at
        if isinstance(sent_at, datetime.datetime):
            sent_at = sent_at.replace(tzinfo=zone)
        elif isinstance(sent_at, datetime.time):
            sent_at = datetime.datetime.combine(day, sent_at, tzinfo=zone)
            # A chat that runs past midnight: a time earlier than the message before it is on the next day.
            if previous is not None and sent_at < previous:
                day += datetime.timedelta(days=1)
                sent_at += datetime.timedelta(days=1)
        previous = sent_at or previous
        rows.append(ChatMessage(agency=agency, position=position, sender=message.sender[:120], role=message.role,
                                sent_at=sent_at, text=message.text))
    return rows


def _documents(*, agency, caller, store, documents, errors):
    """The documents of ``documents`` (rows or ids) the caller sees, out of the trash, papers of ``store``'s client
    (as a case's are); else an error on ``document``."""
    found = []
    seen = document_selectors.visible_documents(agency=agency, caller=caller, trash=False)
    for document in documents:
        document_id = getattr(document, "pk", document)
        row = seen.filter(pk=document_id).first() if isinstance(document_id, int) else None
        if row is None:
            errors["document"] = [_("No such document: %(document)s.") % {"document": document_id}]
            return []
        if row.client_id != store.client_id:
            errors["document"] = [_("“%(title)s” is a paper of another client, not of %(store)s's.")
                                  % {"title": row.title, "store": store.name}]
            return []
        found.append(row)
    return found


def _refusal(answer):
    """The ``store`` errors of a store that may not chat: every reason, each with its code."""
    return [ValidationError(str(reason.message), code=reason.code) for reason in answer.reasons]


@transaction.atomic
def chat_log(*, agency, caller, store, requested_at, connected=True, agent="", category, message="", outcome="",
             case=None, transcript="", template_version=None, confirm_tone=False, documents=(), notes=""):
    """Log a chat of ``store`` requested at ``requested_at`` (aware): refused (nothing written) when the store may
    not chat then (every reason on ``store``), when the tone check warns about ``message`` and ``confirm_tone`` is
    not set (on ``message``), or when a field is wrong. ``outcome`` "not_connected" means ``connected`` is false;
    "transferred" needs the ``case`` (of the same store) it went to. ``transcript`` is parsed
    (``cases.transcripts``); ``documents`` are attached. Returns the chat."""
    errors = {}
    _visible_store(agency=agency, caller=caller, store=store)
    take_chat_turn(store=store)
    now = timezone.now()
    if not isinstance(requested_at, datetime.datetime) or timezone.is_naive(requested_at):
        raise ValidationError({"requested_at": [_("Give the time the chat was requested, with its time zone.")]})
    if requested_at > now + CLOCK_SLACK:
        errors["requested_at"] = [_("The chat was requested at %(at)s, in the future.")
                                  % {"at": requested_at.isoformat(timespec="minutes")}]
    if outcome == Outcome.NOT_CONNECTED:
        connected = False
    if category not in case_categories(agency=agency):
        errors["category"] = [_("“%(category)s” is not a category of the agency.") % {"category": category}]
    linked_case = _outcome_errors(agency=agency, caller=caller, store=store, outcome=outcome, connected=connected,
                                  case=case, errors=errors)
    if template_version is not None and template_version.agency_id != agency.pk:
        errors["template_version"] = [_("No such template: %(template)s.") % {"template": template_version.pk}]
    _tone_errors(message, store=store, confirm_tone=confirm_tone, errors=errors)
    messages = _transcript_messages(agency=agency, chat_store=store, requested_at=requested_at, text=transcript,
                                    errors=errors)
    attached = _documents(agency=agency, caller=caller, store=store, documents=documents, errors=errors)
    if "requested_at" not in errors:
        answer = selectors.chat_eligibility(agency=agency, store=store, now=requested_at)
        if not answer.may_chat:
            errors["store"] = _refusal(answer)
    if errors:
        raise ValidationError(errors)
    chat = ChatSession(agency=agency, store=store, requested_at=requested_at, connected=connected,
                       agent=agent or "", category=category, message=message or "", template_version=template_version,
                       outcome=outcome, case=linked_case, notes=notes or "", logged_by=_who(caller))
    chat.full_clean(exclude=["agency", "store", "case", "template_version", "logged_by"])
    chat.save()
    for row in messages:
        row.session = chat
    ChatMessage.objects.bulk_create(messages)
    for document in attached:
        document_link(agency=agency, caller=caller, document=document, target=chat)
    return chat


@transaction.atomic
def chat_update(*, agency, caller, chat, **changes):
    """Change ``chat``'s ``UPDATABLE`` fields. Its outcome may be decided or corrected later: nothing is judged
    again for the past (the chat stays logged), but an "invalid" outcome counts towards the store's freeze from its
    request on. Returns the chat."""
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise ValidationError({unknown[0]: [_("“%(field)s” cannot be changed on a chat.") % {"field": unknown[0]}]})
    take_chat_turn(store=chat.store)
    chat = ChatSession.objects.select_for_update(of=("self",)).select_related("store").get(agency=agency, pk=chat.pk)
    errors = {}
    outcome = changes.get("outcome", chat.outcome) or ""
    connected = changes.get("connected", chat.connected)
    if outcome == Outcome.NOT_CONNECTED:
        connected = False
    case = changes["case"] if "case" in changes else chat.case
    if outcome != Outcome.TRANSFERRED and "case" not in changes:
        case = None  # a chat no longer transferred lets go of its case
    linked_case = _outcome_errors(agency=agency, caller=caller, store=chat.store, outcome=outcome,
                                  connected=connected, case=case, errors=errors)
    if errors:
        raise ValidationError(errors)
    chat.outcome, chat.connected, chat.case = outcome, connected, linked_case
    for name in ("agent", "notes"):
        if name in changes:
            setattr(chat, name, changes[name] or "")
    chat.full_clean(exclude=["agency", "store", "case", "template_version", "logged_by"])
    chat.save()
    return chat


@transaction.atomic
def chat_transcript_set(*, agency, caller, chat, text):
    """Replace ``chat``'s transcript with the one parsed from ``text`` (a blank text clears it). An oversize or
    unparseable text is refused on ``transcript``, the transcript as it was. Returns the messages written."""
    chat = ChatSession.objects.select_for_update(of=("self",)).select_related("store").get(agency=agency, pk=chat.pk)
    errors = {}
    messages = _transcript_messages(agency=agency, chat_store=chat.store, requested_at=chat.requested_at, text=text,
                                    errors=errors)
    if errors:
        raise ValidationError(errors)
    ChatMessage.objects.filter(agency=agency, session=chat).delete()
    for row in messages:
        row.session = chat
    return ChatMessage.objects.bulk_create(messages)


@transaction.atomic
def chat_document_attach(*, agency, caller, chat, document):
    """Attach ``document`` (a row or an id) of the library to ``chat``; a document the caller does not see (another
    agency's, one of stores beyond an operator, one in the trash) or a paper of another client than the chat's
    store's is refused on ``document``. Returns the link."""
    chat = ChatSession.objects.select_related("store").get(agency=agency, pk=chat.pk)
    errors = {}
    found = _documents(agency=agency, caller=caller, store=chat.store, documents=[document], errors=errors)
    if errors:
        raise ValidationError(errors)
    return document_link(agency=agency, caller=caller, document=found[0], target=chat)


def _channel(*, agency, store):
    """The store's ``StoreChatChannel`` row, locked, created when the agency never recorded anything of it."""
    StoreChatChannel.objects.get_or_create(agency=agency, store=store)
    return StoreChatChannel.objects.select_for_update().get(agency=agency, store=store)


@transaction.atomic
def store_chat_channel_set(*, agency, caller, store, bulk_deletion_on):
    """Record the day ``store``'s listings were bulk-deleted (``None`` clears it): it blocks the chat for the
    policy's ``bulk_deletion_days``. A day after today is refused on ``bulk_deletion_on``. Returns the channel."""
    _visible_store(agency=agency, caller=caller, store=store)
    if bulk_deletion_on is not None:
        if not isinstance(bulk_deletion_on, datetime.date) or isinstance(bulk_deletion_on, datetime.datetime):
            raise ValidationError({"bulk_deletion_on": [_("Give the day as YYYY-MM-DD.")]})
        if bulk_deletion_on > agency.today():
            raise ValidationError({"bulk_deletion_on": [_("%(day)s is after today.")
                                                        % {"day": bulk_deletion_on.isoformat()}]})
    channel = _channel(agency=agency, store=store)
    channel.bulk_deletion_on = bulk_deletion_on
    channel.save()
    return channel


@transaction.atomic
def chat_channel_open_anyway(*, agency, caller, store, reason):
    """Record that Amazon opened ``store``'s chat channel although it is not eligible (brand-registered stores get
    it early), with the ``reason`` (required): the eligibility rules are skipped from now on, never the quota nor a
    freeze. Managers only. Returns the channel."""
    _require_manager(caller)
    _visible_store(agency=agency, caller=caller, store=store)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say how you know Amazon opened the channel.")]})
    channel = _channel(agency=agency, store=store)
    channel.opened_anyway, channel.opened_anyway_reason = True, reason
    channel.opened_anyway_by, channel.opened_anyway_at = _who(caller), timezone.now()
    channel.full_clean(exclude=["agency", "store", "opened_anyway_by"])
    channel.save()
    return channel


@transaction.atomic
def chat_channel_open_anyway_withdraw(*, agency, caller, store):
    """Withdraw the record that Amazon opened ``store``'s channel anyway: the eligibility rules apply again (the
    history keeps the record). Managers only; nothing changes when no such record stands. Returns the channel."""
    _require_manager(caller)
    _visible_store(agency=agency, caller=caller, store=store)
    channel = _channel(agency=agency, store=store)
    if not channel.opened_anyway:
        return channel
    channel.opened_anyway, channel.opened_anyway_reason = False, ""
    channel.opened_anyway_by, channel.opened_anyway_at = _who(caller), timezone.now()
    channel.save()
    return channel


@transaction.atomic
def chat_freeze_lift(*, agency, caller, store, reason, now=None):
    """Lift ``store``'s running freeze now, with the ``reason`` (required), recorded (``ChatFreezeLift``): the
    chain of invalid inquiries starts again from zero. Managers only; a store that is not frozen is refused on
    ``store``. Returns the lift."""
    _require_manager(caller)
    _visible_store(agency=agency, caller=caller, store=store)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the freeze is lifted early.")]})
    take_chat_turn(store=store)
    now = now or timezone.now()
    until = selectors.chat_eligibility(agency=agency, store=store, now=now).frozen_until
    if until is None:
        raise ValidationError({"store": [_("The chat channel of %(store)s is not frozen.") % {"store": store}]})
    lift = ChatFreezeLift(agency=agency, store=store, lifted_at=now, frozen_until=until, reason=reason,
                          lifted_by=_who(caller))
    lift.full_clean(exclude=["agency", "store", "lifted_by"])
    lift.save()
    return lift

