"""How an alert reads on every page that shows one (the inbox, an alert's page, the store page's panel, the overview):
the tone of its severity and status labels, its values as the metric's own units, and whether it is overdue (the
rule is ``alerts.rules.is_overdue``'s, never re-done here)."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from health import metrics

from . import rules
from .models import Alert
from .rules import AlertKind

#: The theme's label tone of each severity and status (``unfold/helpers/label.html``'s ``type``).
SEVERITY_TONES = {Alert.Severity.RED.value: "danger", Alert.Severity.YELLOW.value: "warning"}
STATUS_TONES = {Alert.Status.OPEN.value: "danger", Alert.Status.ACKNOWLEDGED.value: "info",
                Alert.Status.RESOLVED.value: "success"}


def is_overdue(alert, *, now=None):
    """Whether ``alert`` is overdue: open, nobody acknowledged it, and past its due time or escalated."""
    return alert.status == Alert.Status.OPEN and rules.is_overdue(
        due=alert.due_at, acknowledged=alert.acknowledged_at is not None, now=now or timezone.now(),
        escalated=alert.escalated_at is not None)


def value_shown(alert, value):
    """One of ``alert``'s values as its metric reads (a rate as a percentage, warnings by their BAD types); "—" for
    none."""
    return metrics.display_value(alert.rule, value) or "—"


def target_shown(alert, target):
    """The target ``alert``'s metric was held to, as its metric reads (a count's as a whole number); "" for none."""
    if target is None:
        return ""
    if isinstance(target, float) and target.is_integer() and alert.kind == AlertKind.POLICY_COUNT:
        target = int(target)
    return gettext("target %(target)s") % {"target": metrics.display_value(alert.rule, target)}


def values_shown(alert):
    """The value when the alert opened and its latest one, ``"4.6% → 7.0%"`` (once, when they are the same)."""
    opened, latest = value_shown(alert, alert.opened_value), value_shown(alert, alert.latest_value)
    return opened if opened == latest else f"{opened} → {latest}"


def when(moment, *, short=False):
    """A moment in the reader's time zone, to the minute, as digits that read alike in every language
    (``2026-07-12 08:44``); ``short`` leaves out the year of a moment of this year (``07-12 08:44``); "—" for none."""
    if not moment:
        return "—"
    local = timezone.localtime(moment)
    same_year = local.year == timezone.localtime().year
    return date_format(local, "m-d H:i" if short and same_year else "Y-m-d H:i")


def rule_label(alert):
    """The metric the alert is about, by its label."""
    found = metrics.metric(alert.rule)
    return found.label if found is not None else alert.rule


def kind_note(alert):
    """The alert's kind where it says more than its metric's label ("Metric past its target" under the Late
    Shipment Rate; nothing under the account status, whose kind has the same name); "" otherwise."""
    kind = str(alert.get_kind_display())
    return "" if kind == str(rule_label(alert)) else kind


def summary(alert):
    """What a line about ``alert`` shows: its store, metric, severity and status (each with its tone), values, when
    it opened and whether it is overdue."""
    return {
        "alert": alert,
        "store": alert.store,
        "metric": rule_label(alert),
        "severity": alert.get_severity_display(),
        "severity_tone": SEVERITY_TONES.get(alert.severity, ""),
        "status": alert.get_status_display(),
        "status_tone": STATUS_TONES.get(alert.status, ""),
        "values": values_shown(alert),
        "opened": when(alert.first_seen_at),
        "overdue": is_overdue(alert),
    }
