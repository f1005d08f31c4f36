"""Which alerts a store's evaluation opens, keeps and resolves: pure rules over values, no database.

A store's evaluation (``health.evaluation``) gives each metric of the vocabulary a verdict: a colour and the health
rule that gave it. An alert is one store's trouble with one metric (its ``rule`` is the metric's key: the Late
Shipment Rate, the account status, the warnings, the AHR, a policy count), of a kind that sets how soon someone must
act on it (``AlertKind``). For each metric of a store, given the verdict and the alert open for it (if any):

1. A red verdict is a breach; a yellow one only when the agency asks for yellow alerts (``alert_on_yellow``).
2. A breach with no open alert opens one, a new episode (``OPEN``); with an open alert it updates it: its latest
   value and target, its severity, and its count of green evaluations back to 0 (``UPDATE``).
3. A green verdict counts towards recovery: the ``resolve_after_green``-th green evaluation in a row resolves the
   alert (``RESOLVE``); before that it is counted (``COUNT_GREEN``). A later breach opens a new alert. A green DAY
   counts once: evaluating the same snapshot again (the daily sweep, a policy change) is not another green day.
4. A verdict that is neither a breach nor green (yellow when yellow raises no alerts) keeps an open alert open and
   starts its count of green evaluations again (``RESET_GREEN``): recovery is that many greens in a row.
5. No data changes nothing: a metric nobody reported is neither a breach nor a recovery.

An alert is due (someone must act) ``due_hours`` after it opened, by its kind: the agency's hours for an account
status or a policy warning (24 by default), for a metric (72). It is overdue once past that time, or once escalated,
as long as nobody acknowledged it.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from health.thresholds import Colour, Rule


class AlertKind(models.TextChoices):
    """What an alert is about, by the health rule that judged its metric."""

    METRIC = "metric", _("Metric past its target")
    ACCOUNT_STATUS = "account_status", _("Account status")
    WARNING = "warning", _("Warning state")
    AHR = "ahr", _("Account Health Rating")
    POLICY_COUNT = "policy_count", _("Policy complaints")


#: The health rule of a verdict (``health.thresholds.Rule``) → the kind of alert it raises.
KIND_OF_HEALTH_RULE = {
    Rule.TARGET: AlertKind.METRIC,
    Rule.ACCOUNT_STATUS: AlertKind.ACCOUNT_STATUS,
    Rule.WARNING_STATE: AlertKind.WARNING,
    Rule.AHR_BAND: AlertKind.AHR,
    Rule.AHR_STATUS: AlertKind.AHR,
    Rule.POLICY_COUNT: AlertKind.POLICY_COUNT,
}

#: The kinds an agency treats as warnings of the account (due sooner) rather than as a metric to bring back.
WARNING_KINDS = frozenset({AlertKind.ACCOUNT_STATUS, AlertKind.WARNING, AlertKind.POLICY_COUNT, AlertKind.AHR})


class Action:
    """What a ``Step`` does to a metric's alert (the services carry it out)."""

    OPEN = "open"
    UPDATE = "update"
    COUNT_GREEN = "count_green"
    RESET_GREEN = "reset_green"
    RESOLVE = "resolve"


@dataclass(frozen=True)
class Verdict:
    """One metric's verdict, as the alert rules read it: the metric's key (the alert's rule), its colour, the
    health rule that gave it, its value and the target it was held to (``None``: none)."""

    rule: str
    colour: str
    health_rule: str
    value: object = None
    target: float | None = None

    @property
    def kind(self):
        return KIND_OF_HEALTH_RULE.get(self.health_rule, AlertKind.METRIC)


@dataclass(frozen=True)
class Step:
    """What to do with one metric's alert: ``action`` (``Action``), the verdict that calls for it, and the count of
    green evaluations in a row the alert has after it."""

    action: str
    verdict: Verdict
    green_streak: int = 0


def verdicts_of(evaluations):
    """The ``Verdict`` of every metric of a store's stored evaluations (``StoreHealth.evaluations``: ``{key:
    Evaluation.as_dict()}``)."""
    found = {}
    for key, evaluation in (evaluations or {}).items():
        target = evaluation.get("target")
        found[key] = Verdict(rule=key, colour=evaluation.get("colour", Colour.NO_DATA),
                             health_rule=evaluation.get("rule", ""), value=evaluation.get("value"),
                             target=None if target is None else target.get("value"))
    return found


def is_breach(verdict, *, alert_on_yellow):
    return verdict.colour == Colour.RED or (alert_on_yellow and verdict.colour == Colour.YELLOW)


def plan(*, verdicts, open_alerts, alert_on_yellow=False, resolve_after_green=1, day=None, green_days=None):
    """The ``Step`` of each metric of one store whose alert must change: ``verdicts`` by rule (of the snapshot of
    ``day``), ``open_alerts`` the count of green evaluations in a row of each rule's open alert (``{rule:
    green_streak}``), ``green_days`` the day of the last green one counted (``{rule: date}``). Metrics with nothing
    to do have no step."""
    green_days = green_days or {}
    steps = []
    for rule, verdict in verdicts.items():
        streak = open_alerts.get(rule)
        if is_breach(verdict, alert_on_yellow=alert_on_yellow):
            steps.append(Step(Action.OPEN if streak is None else Action.UPDATE, verdict, 0))
        elif streak is None or verdict.colour == Colour.NO_DATA:
            continue
        elif verdict.colour == Colour.GREEN and not is_new_green_day(day, green_days.get(rule)):
            continue
        elif verdict.colour == Colour.GREEN:
            streak += 1
            steps.append(Step(Action.RESOLVE if streak >= resolve_after_green else Action.COUNT_GREEN, verdict,
                              streak))
        elif streak:
            steps.append(Step(Action.RESET_GREEN, verdict, 0))
    return steps


def is_new_green_day(day, last_counted):
    """Whether a green verdict on the snapshot of ``day`` counts towards recovery, the last green day counted being
    ``last_counted``: a later day does, the same day again does not (unknown days always count)."""
    return day is None or last_counted is None or day > last_counted


def due_at(opened_at, kind, *, warning_hours=24, metric_hours=72):
    """When an alert of ``kind`` opened at ``opened_at`` is due: someone must have acted on it by then."""
    hours = warning_hours if kind in WARNING_KINDS else metric_hours
    return opened_at + datetime.timedelta(hours=hours)


def mute_is_active(until, today):
    """Whether a mute that lasts ``until`` (that day included) holds on ``today``."""
    return until >= today


def escalation_cutoff(now, hours):
    """An open alert nobody acknowledged is escalated once it opened at or before this moment (``hours``: the agency's
    escalation delay)."""
    return now - datetime.timedelta(hours=hours)


def is_overdue(*, due, acknowledged, now, escalated=False):
    """Whether an alert is overdue: nobody acknowledged it, and it is past its due time or was escalated (nobody
    acknowledged it within the agency's escalation delay)."""
    return not acknowledged and (now > due or escalated)
