"""Writes of the alerts app. Each takes the agency explicitly; the ones a person or a key makes take the caller
(``accounts.tenancy.Caller``), whom the alert's transitions record.

``alerts_sync`` is what the product itself does after every evaluation (``accounts.extensions.health_evaluated``):
it carries out ``alerts.rules.plan`` for the evaluated stores in a fixed number of statements, however many stores.
A move of an alert's status that is not allowed (``MOVES``) is refused the same way wherever it is asked for, on
the ``status`` field, naming the current status and the moves it allows.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership

from . import rules, selectors, subscriptions
from .models import Alert, AlertMute, AlertPolicy, AlertTransition, NotificationPreference

#: The first key of the advisory lock that makes one agency's syncs take turns (the second is the agency's id):
#: each reads the open alerts the previous one committed, so two evaluations of one store never open two alerts
#: (the database's constraint would refuse the second anyway).
SYNC_LOCK = 81_002

#: The moves of an alert's status a person may make, by status.
MOVES = {
    Alert.Status.OPEN: (Alert.Status.ACKNOWLEDGED, Alert.Status.RESOLVED),
    Alert.Status.ACKNOWLEDGED: (Alert.Status.RESOLVED,),
    Alert.Status.RESOLVED: (),
}


@dataclass
class SyncResult:
    """What ``alerts_sync`` did: the alerts it opened, updated and resolved."""

    opened: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    resolved: list = field(default_factory=list)
    #: Whether this sync left the first alerts waiting for their email (``Alert.notice_due``) where none waited
    #: before: then, and only then, the caller queues the run that sends them (one message per burst of syncs).
    notices_first_due: bool = False


def take_sync_turn(*, agency):
    """Wait for the agency's other syncs (and email runs) to commit, then hold the turn until this transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SYNC_LOCK, agency.pk])


@transaction.atomic
def alerts_sync(*, agency, evaluated, now=None):
    """Open, update and resolve the alerts of the stores whose health was just evaluated (``evaluated``: their
    ``StoreHealth`` rows), by ``alerts.rules.plan`` and the agency's ``AlertPolicy``. Safe to run twice with the
    same rows: a second run finds the alerts the first opened and only updates them. Returns a ``SyncResult``."""
    with translation.override(agency.default_language):  # the reasons it records are read by the agency's staff
        return _sync(agency=agency, evaluated=evaluated, now=now or timezone.now())


def _sync(*, agency, evaluated, now):
    policy = selectors.alert_policy(agency=agency)
    store_ids = [row.store_id for row in evaluated]
    take_sync_turn(agency=agency)
    notices_were_due = selectors.notices_due(agency=agency).exists()
    open_alerts = selectors.open_alerts_of(agency=agency, store_ids=store_ids)
    muted = selectors.muted_rules(agency=agency, store_ids=store_ids, today=agency.today())
    result = SyncResult()
    transitions = []
    # The updated alerts: those of which only ``last_seen_at`` moves (a repeat of the same breach, the usual case)
    # are written by one plain UPDATE, the others by one bulk update.
    changed, seen_again = [], []
    # The open alerts' green counts and last green days, by store then rule: one pass, not one per store.
    streaks_by_store, green_days_by_store = {}, {}
    for (store_id, rule), alert in open_alerts.items():
        streaks_by_store.setdefault(store_id, {})[rule] = alert.green_streak
        green_days_by_store.setdefault(store_id, {})[rule] = alert.green_day
    for row in evaluated:
        for step in rules.plan(verdicts=rules.verdicts_of(row.evaluations),
                               open_alerts=streaks_by_store.get(row.store_id, {}),
                               green_days=green_days_by_store.get(row.store_id, {}), day=row.date,
                               alert_on_yellow=policy.alert_on_yellow,
                               resolve_after_green=policy.resolve_after_green):
            verdict = step.verdict
            alert = open_alerts.get((row.store_id, verdict.rule))
            if step.action == rules.Action.OPEN:
                result.opened.append(Alert(
                    agency=agency, store_id=row.store_id, rule=verdict.rule, kind=verdict.kind,
                    severity=verdict.colour, first_seen_at=now, last_seen_at=now, opened_value=verdict.value,
                    opened_target=verdict.target, latest_value=verdict.value, latest_target=verdict.target,
                    due_at=rules.due_at(now, verdict.kind, warning_hours=policy.warning_due_hours,
                                        metric_hours=policy.metric_due_hours),
                    muted=(row.store_id, verdict.rule) in muted))
                opened = result.opened[-1]
                if opened.severity == Alert.Severity.RED and not opened.muted:
                    opened.notice_due = Alert.Notice.NEW
            elif step.action == rules.Action.RESOLVE:
                transitions.append(_transition(
                    alert, Alert.Status.RESOLVED, at=now,
                    reason=_("Recovered: %(count)s green evaluation(s) in a row.") % {"count": step.green_streak}))
                alert.status, alert.resolved_at, alert.green_streak = Alert.Status.RESOLVED, now, step.green_streak
                alert.green_day = row.date
                alert.muted = (row.store_id, verdict.rule) in muted
                # A new-alert email not sent yet is dropped: the alert is over before anyone was told.
                alert.notice_due = Alert.Notice.RESOLVED if policy.resolved_notices and not alert.muted else ""
                result.resolved.append(alert)
            else:
                state = ("severity", "latest_value", "latest_target", "green_streak", "green_day", "muted",
                         "notice_due")
                before = tuple(getattr(alert, name) for name in state)
                if step.action == rules.Action.UPDATE:
                    alert.severity, alert.last_seen_at = verdict.colour, now
                    alert.latest_value, alert.latest_target = verdict.value, verdict.target
                alert.green_streak = step.green_streak
                alert.green_day = row.date if step.action == rules.Action.COUNT_GREEN else None
                # A mute is read at every evaluation: one set on an open alert, or one that ended, counts from now.
                alert.muted = (row.store_id, verdict.rule) in muted
                if (step.action == rules.Action.UPDATE and before[0] != Alert.Severity.RED
                        and alert.severity == Alert.Severity.RED and not alert.muted):
                    alert.notice_due = Alert.Notice.NEW  # a yellow alert turned red: news, like a new red one
                result.updated.append(alert)
                if tuple(getattr(alert, name) for name in state) != before:
                    changed.append(alert)
                elif step.action == rules.Action.UPDATE:
                    seen_again.append(alert.pk)
    Alert.objects.bulk_create(result.opened)
    days = {row.store_id: row.date.isoformat() if row.date is not None else "—" for row in evaluated}
    transitions += [_transition(alert, Alert.Status.OPEN, at=now, from_status="",
                                reason=_("Opened by the evaluation of %(date)s.") % {"date": days[alert.store_id]})
                    for alert in result.opened]
    Alert.objects.bulk_update(changed, ["severity", "last_seen_at", "latest_value", "latest_target", "green_streak",
                                        "green_day", "muted", "notice_due"])
    if seen_again:
        Alert.objects.filter(agency=agency, pk__in=seen_again).update(last_seen_at=now)
    Alert.objects.bulk_update(result.resolved, ["status", "resolved_at", "green_streak", "green_day", "muted",
                                                "notice_due"])
    AlertTransition.objects.bulk_create(transitions)
    result.notices_first_due = not notices_were_due and any(
        alert.notice_due for alert in (*result.opened, *changed, *result.resolved))
    return result


def _transition(alert, to_status, *, at, reason, caller=None, from_status=None):
    return AlertTransition(
        agency_id=alert.agency_id, alert=alert, from_status=alert.status if from_status is None else from_status,
        to_status=to_status, at=at, reason=reason[:AlertTransition._meta.get_field("reason").max_length],
        actor=caller.user if caller is not None and caller.is_person else None,
        api_key=caller.api_key if caller is not None else None)


def _check_move(alert, to_status):
    """Refuse, on the ``status`` field, a move of ``alert`` that ``MOVES`` does not allow."""
    allowed = MOVES[Alert.Status(alert.status)]
    if to_status in allowed:
        return
    if not allowed:
        raise ValidationError({"status": [_("This alert is %(status)s: it can no longer change.")
                                          % {"status": alert.get_status_display()}]})
    moves = ", ".join(str(Alert.Status(status).label) for status in allowed)
    raise ValidationError({"status": [
        _("This alert is %(status)s: it can move to %(moves)s, not to %(to)s.")
        % {"status": alert.get_status_display(), "moves": moves, "to": Alert.Status(to_status).label}]})


def _move(*, alert, to_status, caller, reason, now):
    """Move ``alert`` (locked) to ``to_status`` if ``MOVES`` allows it, recording who and why."""
    _check_move(alert, to_status)
    transition = _apply_move(alert, to_status, caller=caller, reason=reason, now=now)
    alert.save(update_fields=MOVED_FIELDS)
    transition.save()
    return alert


#: The fields a move changes.
MOVED_FIELDS = ["status", "acknowledged_at", "resolved_at"]


def _apply_move(alert, to_status, *, caller, reason, now):
    """Set ``alert``'s status (and the time of that status) to ``to_status``; returns the unsaved transition."""
    transition = _transition(alert, to_status, at=now, reason=reason, caller=caller)
    alert.status = to_status
    if to_status == Alert.Status.ACKNOWLEDGED:
        alert.acknowledged_at = now
    if to_status == Alert.Status.RESOLVED:
        alert.resolved_at = now
    return transition


@transaction.atomic
def alerts_move(*, agency, caller, alerts, to_status, note=""):
    """Move each of ``alerts`` (of ``agency``) that ``MOVES`` allows to ``to_status``, each recording the same
    ``note`` (required to resolve: a missing note refuses them all, on ``note``), in a few statements whatever their
    number. Returns ``(the alerts moved, [(alert, ValidationError)] of those refused)``."""
    note = str(note or "").strip()
    if to_status == Alert.Status.RESOLVED and not note:
        raise ValidationError({"note": [_("Say why the alert is resolved.")]})
    take_sync_turn(agency=agency)
    locked = (Alert.objects.select_for_update(of=("self",)).filter(agency=agency, pk__in=[a.pk for a in alerts])
              .select_related("store").order_by("pk"))
    now, moved, refused, transitions = timezone.now(), [], [], []
    for alert in locked:
        try:
            _check_move(alert, to_status)
        except ValidationError as error:
            refused.append((alert, error))
            continue
        transitions.append(_apply_move(alert, to_status, caller=caller, reason=note, now=now))
        moved.append(alert)
    Alert.objects.bulk_update(moved, MOVED_FIELDS)
    AlertTransition.objects.bulk_create(transitions)
    return moved, refused


def _locked(agency, alert):
    """``alert``, locked, once the agency's syncs are done: a sync that read it before this move cannot write over
    it afterwards (a resolve over an acknowledgement, say)."""
    take_sync_turn(agency=agency)
    return Alert.objects.select_for_update().get(agency=agency, pk=alert.pk)


@transaction.atomic
def alert_acknowledge(*, agency, caller, alert, note=""):
    """Acknowledge ``alert``: someone is on it (stops its escalation). Returns the alert."""
    return _move(alert=_locked(agency, alert), to_status=Alert.Status.ACKNOWLEDGED, caller=caller,
                 reason=str(note or "").strip(), now=timezone.now())


@transaction.atomic
def alert_resolve(*, agency, caller, alert, note):
    """Resolve ``alert`` by hand, saying why (a note is required). Returns the alert."""
    alert = _locked(agency, alert)
    _check_move(alert, Alert.Status.RESOLVED)  # an alert already resolved is a conflict, whatever the note
    note = str(note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say why the alert is resolved.")]})
    return _move(alert=alert, to_status=Alert.Status.RESOLVED, caller=caller, reason=note, now=timezone.now())


@transaction.atomic
def alert_mute(*, agency, caller, store, rule, until, reason):
    """Mute ``rule`` of ``store`` until ``until`` (that day included): its alerts are still recorded, nobody is
    emailed. A later mute of the same rule replaces the earlier one. Returns the mute."""
    errors = {}
    if rule not in {choice for choice, _label in AlertMute._meta.get_field("rule").choices}:
        errors["rule"] = [_("“%(rule)s” is not a metric an alert is raised for.") % {"rule": rule}]
    today = agency.today()
    if until is None or until < today:
        errors["until"] = [_("Mute until today or a later day, not %(date)s.")
                           % {"date": until.isoformat() if until else "—"}]
    reason = str(reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why the rule is muted.")]
    if getattr(store, "agency_id", None) != agency.pk:
        errors["store"] = [_("No such store.")]
    if errors:
        raise ValidationError(errors)
    take_sync_turn(agency=agency)
    mute, _created = AlertMute.objects.update_or_create(
        agency=agency, store=store, rule=rule,
        defaults={"until": until, "reason": reason, "created_by": caller.user if caller.is_person else None})
    # The rule's open alert is muted from now on: no escalation, no digest line, no email still waiting.
    Alert.objects.filter(agency=agency, store=store, rule=rule, status__in=Alert.OPEN_STATUSES).update(
        muted=True, notice_due="")
    return mute


# -- people's work on an alert (the inbox and the API) ------------------------------------------------------------
@transaction.atomic
def alert_assign(*, agency, caller, alert, assignee):
    """Make ``assignee`` responsible for ``alert``, or nobody (``None``). The assignee must be someone the alert may
    be given to (``selectors.alert_assignees``: a member who works on stores and sees the alert's store). Returns the
    alert."""
    alert = _locked(agency, alert)
    if assignee is not None and not selectors.alert_assignees(agency=agency, store=alert.store).filter(
            pk=assignee.pk).exists():
        raise ValidationError({"assignee": [
            _("%(person)s cannot be given an alert of %(store)s: they do not work on that store.")
            % {"person": assignee, "store": alert.store.name}]})
    alert.assignee = assignee
    alert.save(update_fields=["assignee"])
    return alert


@transaction.atomic
def alert_note(*, agency, caller, alert, notes):
    """Replace ``alert``'s notes (free text, bounded like every note). Returns the alert."""
    alert = _locked(agency, alert)
    alert.notes = str(notes or "").strip()
    try:
        alert.clean_fields(exclude=[field.name for field in Alert._meta.fields if field.name != "notes"])
    except ValidationError as error:
        raise ValidationError({"notes": error.message_dict["notes"]}) from error
    alert.save(update_fields=["notes"])
    return alert


@transaction.atomic
def alert_unmute(*, agency, caller, mute):
    """End a mute before its day: the rule's alerts are emailed again (its audit trail keeps it)."""
    take_sync_turn(agency=agency)
    found = AlertMute.objects.filter(agency=agency, pk=mute.pk).first()
    if found is not None:
        found.delete()
        Alert.objects.filter(agency=agency, store_id=found.store_id, rule=found.rule,
                             status__in=Alert.OPEN_STATUSES).update(muted=False)


# -- the agency's alert policy ------------------------------------------------------------------------------------
#: The settings of ``AlertPolicy`` a manager changes.
POLICY_SETTINGS = ("alert_on_yellow", "resolve_after_green", "warning_due_hours", "metric_due_hours",
                   "escalate_after_hours", "digest_hour", "resolved_notices")


def alert_policy_ensure(*, agency):
    """The agency's ``AlertPolicy`` row, created with the defaults if it has none yet."""
    policy, _created = AlertPolicy.objects.get_or_create(agency=agency)
    return policy


@transaction.atomic
def alert_policy_update(*, agency, **settings):
    """Set the agency's alert settings (``POLICY_SETTINGS``); the others keep their values. Errors name the field and
    its bounds, and nothing is written then. Returns the policy."""
    alert_policy_ensure(agency=agency)
    policy = AlertPolicy.objects.select_for_update().get(agency=agency)
    unknown = [name for name in settings if name not in POLICY_SETTINGS]
    if unknown:
        raise ValidationError({name: [_("“%(field)s” is not a setting of the alert policy.") % {"field": name}]
                               for name in unknown})
    for name, value in settings.items():
        setattr(policy, name, value)
    policy.full_clean(exclude=["agency"])
    policy.save()
    return policy


# -- a person's alert emails ----------------------------------------------------------------------------------------
#: What a person chooses of their alert emails.
PREFERENCE_FIELDS = ("immediate", "digest", "scope", "resolved")


@transaction.atomic
def notification_preference_set(*, agency, user, immediate, digest, scope, resolved):
    """Save ``user``'s alert emails in ``agency`` (one row per person: a second call changes the first). Refused, on
    the field, for a scope that does not exist and for someone who is no active member of the agency."""
    errors = {}
    if scope not in subscriptions.StoreScope.values:
        errors["scope"] = [_("“%(scope)s” is not one of: %(choices)s.") % {
            "scope": scope, "choices": ", ".join(subscriptions.StoreScope.values)}]
    if not Membership.objects.filter(agency=agency, user=user, is_active=True).exists():
        errors["user"] = [_("%(person)s is no active member of %(agency)s.") % {"person": user, "agency": agency}]
    if errors:
        raise ValidationError(errors)
    row, _created = NotificationPreference.objects.update_or_create(
        agency=agency, user=user, defaults={"immediate": bool(immediate), "digest": bool(digest), "scope": scope,
                                            "resolved": bool(resolved)})
    return row
