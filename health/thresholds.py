"""The health rules: each metric of a day is green, yellow, red or "no data", with a reason a person can read, and
a store is the worst of its metrics. Pure functions over values: no database, the numbers come as arguments
(``Thresholds``, built from the agency's ``HealthPolicy`` by ``HealthPolicy.thresholds()``).

The rules (DOMAIN.md's red warnings):

1. A missing metric is "no data": never green, never red.
2. A rate is compared with its target: the report's own ``targetValue``/``targetCondition`` for that day when the
   report gave one, else the agency's target. Boundaries are exact: a value **equal** to a LESS_THAN or a
   GREATER_THAN target is red (the target is not met), a value different from an EQUALS target is red.
   Yellow is "close to the target": within ``yellow_margin`` of the room between the target and the perfect value
   (0 for a LESS_THAN target, 100 % for a GREATER_THAN one). With the default 20 %, a Late Shipment Rate target
   of 4 % turns yellow from 3.2 %, a Valid Tracking Rate target of 95 % is yellow up to 96 %.
3. The Account Health Rating is red below ``ahr_critical_below`` (100: the critical band), yellow below
   ``ahr_at_risk_below`` (200: at risk), green from there to 1000.
4. The AHR status: GREAT (and GOOD) is green, CRITICAL red, anything else Amazon sends (WARNED, ...) yellow.
5. The account status: NORMAL is green, anything else (AT_RISK, DEACTIVATED, SUSPENDED, ...) red.
6. Warnings: any warning whose status is BAD is red; none BAD is green.
7. A policy count (IP complaints, ...) above its target (0) is red when it rose since the previous snapshot that
   has the count, **or when there is no earlier count to compare with** (a complaint we see for the first time
   is news); above the target but not risen, it is yellow (known, being handled); at or below it, green.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import metrics
from .metrics import Condition, Kind


class Colour(models.TextChoices):
    RED = "red", _("Red")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")
    NO_DATA = "no_data", _("No data")


#: Worse colours sort higher; a store is the worst of its metrics (no data only when nothing has data).
SEVERITY = {Colour.NO_DATA: 0, Colour.GREEN: 1, Colour.YELLOW: 2, Colour.RED: 3}
#: Red first: the order of lists that put the stores needing someone on top.
WORST_FIRST = (Colour.RED, Colour.YELLOW, Colour.GREEN, Colour.NO_DATA)
#: The admin's label tones of each colour (unfold's label classes).
TONES = {Colour.RED: "danger", Colour.YELLOW: "warning", Colour.GREEN: "success", Colour.NO_DATA: ""}

AHR_GOOD_STATUSES = ("GREAT", "GOOD")
AHR_CRITICAL_STATUSES = ("CRITICAL",)


class Rule(models.TextChoices):
    """Which rule gave a metric its colour (alerts name the rule they open for)."""

    NO_DATA = "no_data", _("No data")
    TARGET = "target", _("Target")
    AHR_BAND = "ahr_band", _("AHR band")
    AHR_STATUS = "ahr_status", _("AHR status")
    ACCOUNT_STATUS = "account_status", _("Account status")
    WARNING_STATE = "warning_state", _("Warning state")
    POLICY_COUNT = "policy_count", _("Policy count")


@dataclass(frozen=True)
class Target:
    """A target a value is compared with: its value, its condition, and whether Amazon's report gave it."""

    value: float
    condition: str
    from_report: bool = False


@dataclass(frozen=True)
class Thresholds:
    """The agency's numbers: ``targets`` by metric key (rates), the yellow margin (a fraction 0–1) and the AHR
    bands."""

    targets: dict = field(default_factory=lambda: {m.key: m.target for m in metrics.all_metrics()
                                                   if m.kind == Kind.RATE})
    yellow_margin: float = 0.2
    ahr_critical_below: int = 100
    ahr_at_risk_below: int = 200

    def target_of(self, key, report_target=None):
        """The target that applies to ``key``: the report's (``{"target": v, "condition": c}``) when it has one,
        else the agency's, else the vocabulary's default; ``None`` for a metric without targets."""
        if report_target and report_target.get("target") is not None and report_target.get("condition") in (
                Condition.values):
            return Target(float(report_target["target"]), report_target["condition"], from_report=True)
        found = metrics.metric(key)
        if found is None or found.condition is None:
            return None
        value = self.targets.get(key, found.target)
        return Target(float(value), found.condition)


@dataclass(frozen=True)
class Evaluation:
    """One metric's verdict for a day: colour, the rule that gave it, the value, the target it was held to, and
    what the rule compared (the previous count, the BAD warnings). ``reason`` says it in the reader's
    language, built when read."""

    key: str
    colour: str
    rule: str
    value: object = None
    target: Target | None = None
    previous: object = None
    detail: tuple = ()
    bands: tuple = ()

    @property
    def severity(self):
        return SEVERITY[self.colour]

    @property
    def reason(self):
        return describe(self)

    def as_dict(self):
        """A JSON-ready form (what is stored with a store's evaluated health; an empty ``detail`` or ``bands`` is left
        out); ``from_dict`` reads it back."""
        found = {
            "key": self.key, "colour": self.colour, "rule": self.rule, "value": self.value,
            "target": None if self.target is None else {"value": self.target.value, "condition": self.target.condition,
                                                        "from_report": self.target.from_report},
            "previous": self.previous,
        }
        if self.detail:
            found["detail"] = list(self.detail)
        if self.bands:
            found["bands"] = list(self.bands)
        return found

    @classmethod
    def from_dict(cls, data):
        target = data.get("target")
        return cls(key=data["key"], colour=data["colour"], rule=data["rule"], value=data.get("value"),
                   target=None if target is None else Target(target["value"], target["condition"],
                                                             target.get("from_report", False)),
                   previous=data.get("previous"), detail=tuple(data.get("detail") or ()),
                   bands=tuple(data.get("bands") or ()))


def evaluate_metric(key, value, *, thresholds, report_target=None, previous=None):
    """The verdict on one metric's ``value`` (``None``: no data). ``previous`` is the count of the previous snapshot
    that has it (policy counts only; ``None`` when there is none)."""
    found = metrics.metric(key)
    if found is None:
        raise KeyError(key)
    if value is None:
        return Evaluation(key, Colour.NO_DATA, Rule.NO_DATA)
    if found.kind == Kind.SCORE:
        return _ahr_score(key, value, thresholds)
    if key == "ahr_status":
        colour = (Colour.GREEN if value in AHR_GOOD_STATUSES else
                  Colour.RED if value in AHR_CRITICAL_STATUSES else Colour.YELLOW)
        return Evaluation(key, colour, Rule.AHR_STATUS, value)
    if key == "account_status":
        colour = Colour.GREEN if value == metrics.ACCOUNT_STATUS_NORMAL else Colour.RED
        return Evaluation(key, colour, Rule.ACCOUNT_STATUS, value)
    if found.kind == Kind.WARNINGS:
        bad = tuple(str(state.get("type", "")) for state in value if state.get("status") == "BAD")
        return Evaluation(key, Colour.RED if bad else Colour.GREEN, Rule.WARNING_STATE, value, detail=bad)
    target = thresholds.target_of(key, report_target)
    if found.kind == Kind.COUNT:
        return _policy_count(key, value, target, previous)
    return _against_target(key, value, target, thresholds.yellow_margin)


def _ahr_score(key, value, thresholds):
    bands = (thresholds.ahr_critical_below, thresholds.ahr_at_risk_below)
    if value < thresholds.ahr_critical_below:
        colour = Colour.RED
    elif value < thresholds.ahr_at_risk_below:
        colour = Colour.YELLOW
    else:
        colour = Colour.GREEN
    return Evaluation(key, colour, Rule.AHR_BAND, value, bands=bands)


def _policy_count(key, value, target, previous):
    if value <= target.value:
        colour = Colour.GREEN
    elif previous is None or value > previous:
        colour = Colour.RED
    else:
        colour = Colour.YELLOW
    return Evaluation(key, colour, Rule.POLICY_COUNT, value, target, previous)


def is_met(value, target):
    """Whether ``value`` meets ``target``; equal to a LESS_THAN or GREATER_THAN target is not met."""
    if target.condition == Condition.LESS_THAN:
        return value < target.value
    if target.condition == Condition.GREATER_THAN:
        return value > target.value
    return value == target.value


def is_close(value, target, margin):
    """Whether a ``value`` that meets ``target`` is within ``margin`` of the room between the target and the
    perfect value (0 below, 1 above); a value on the edge of that band is close.

    Computed in decimals of the numbers as written: in binary floats 0.025 × (1 − 0.2) is not 0.02, and a Cancel
    Rate of exactly 2.0% would miss the yellow band that starts there."""
    value, limit, margin = _decimal(value), _decimal(target.value), _decimal(margin)
    if target.condition == Condition.LESS_THAN:
        return value >= limit * (1 - margin)
    if target.condition == Condition.GREATER_THAN:
        return value <= limit + (1 - limit) * margin
    return False


def _decimal(number):
    return Decimal(repr(float(number)))


def _against_target(key, value, target, margin):
    if not is_met(value, target):
        colour = Colour.RED
    elif is_close(value, target, margin):
        colour = Colour.YELLOW
    else:
        colour = Colour.GREEN
    return Evaluation(key, colour, Rule.TARGET, value, target)


def evaluate_day(values, *, thresholds, report_targets=None, previous_counts=None):
    """Every metric of the vocabulary for one snapshot: ``{key: Evaluation}``. ``values`` maps keys to values
    (absent or ``None``: no data); ``report_targets`` the report's targets of that day by key;
    ``previous_counts`` the previous counts by key."""
    report_targets = report_targets or {}
    previous_counts = previous_counts or {}
    return {
        key: evaluate_metric(key, values.get(key), thresholds=thresholds, report_target=report_targets.get(key),
                             previous=previous_counts.get(key))
        for key in metrics.KEYS
    }


def worst(evaluations):
    """The worst verdict among ``evaluations`` (red before yellow before green; ``None`` when there are none).
    Among equals, the first in the vocabulary's order wins, so the answer does not depend on dict order."""
    ranked = sorted(evaluations, key=lambda e: (-e.severity, metrics.KEYS.index(e.key)))
    return ranked[0] if ranked else None


def store_colour(evaluations):
    """A store's colour: the worst of its metrics; "no data" only when no metric has data."""
    found = worst(evaluations)
    return Colour.NO_DATA if found is None else found.colour


# -- reasons -----------------------------------------------------------------------------------------------
def _value(key, value):
    return metrics.display_value(key, value)


def _target_text(key, target):
    return _value(key, target.value) if metrics.metric(key).kind == Kind.RATE else str(
        int(target.value) if float(target.value).is_integer() else target.value)


def describe(evaluation):
    """The reason for a verdict, in the active language, e.g. "Late Shipment Rate 4.6% ≥ target 4%"."""
    e = evaluation
    label = metrics.metric(e.key).label
    if e.colour == Colour.NO_DATA:
        return gettext("%(metric)s: no data") % {"metric": label}
    values = {"metric": label, "value": _value(e.key, e.value)}
    if e.rule == Rule.AHR_BAND:
        critical, at_risk = e.bands
        values.update(critical=critical, at_risk=at_risk)
        if e.colour == Colour.RED:
            return gettext("%(metric)s %(value)s is in the critical band (below %(critical)s)") % values
        if e.colour == Colour.YELLOW:
            return gettext("%(metric)s %(value)s is at risk (below %(at_risk)s)") % values
        return gettext("%(metric)s %(value)s is healthy (%(at_risk)s or more)") % values
    if e.rule in (Rule.AHR_STATUS, Rule.ACCOUNT_STATUS):
        if e.colour == Colour.GREEN:
            return gettext("%(metric)s is %(value)s") % values
        return gettext("%(metric)s is %(value)s, not %(normal)s") % {
            **values, "normal": "NORMAL" if e.rule == Rule.ACCOUNT_STATUS else "GREAT"}
    if e.rule == Rule.WARNING_STATE:
        if e.detail:
            return gettext("Warning: %(types)s is BAD") % {"types": ", ".join(e.detail)}
        return gettext("No warning is BAD")
    values["target"] = _target_text(e.key, e.target)
    if e.rule == Rule.POLICY_COUNT:
        values["previous"] = e.previous
        if e.colour == Colour.GREEN:
            return gettext("%(metric)s %(value)s (target %(target)s)") % values
        if e.colour == Colour.YELLOW:
            return gettext("%(metric)s %(value)s, not risen since %(previous)s (target %(target)s)") % values
        if e.previous is None:
            return gettext("%(metric)s %(value)s, no earlier count (target %(target)s)") % values
        return gettext("%(metric)s %(value)s, up from %(previous)s (target %(target)s)") % values
    return _target_reason(e, values)


def _target_reason(e, values):
    condition = e.target.condition
    if e.colour == Colour.RED:
        if condition == Condition.LESS_THAN:
            return gettext("%(metric)s %(value)s ≥ target %(target)s") % values
        if condition == Condition.GREATER_THAN:
            return gettext("%(metric)s %(value)s ≤ target %(target)s") % values
        return gettext("%(metric)s %(value)s ≠ target %(target)s") % values
    if e.colour == Colour.YELLOW:
        if condition == Condition.LESS_THAN:
            return gettext("%(metric)s %(value)s is close to the target: below %(target)s") % values
        return gettext("%(metric)s %(value)s is close to the target: above %(target)s") % values
    if condition == Condition.LESS_THAN:
        return gettext("%(metric)s %(value)s < target %(target)s") % values
    if condition == Condition.GREATER_THAN:
        return gettext("%(metric)s %(value)s > target %(target)s") % values
    return gettext("%(metric)s %(value)s = target %(target)s") % values

