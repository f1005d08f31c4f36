"""The store page's trend charts as data: each numeric metric's daily values over a period, with the line it is held
to, in the shape the page's script hands to Chart.js (embedded with ``json_script``, drawn by our server's copy
of Chart.js, the one the admin theme ships).

1. A chart per metric of the vocabulary that is a number (the AHR, the rates, the policy counts) and has at least
   one value in the period; statuses and warnings are no lines (the panel's evaluation names them).
2. Rates are shown as percentages (0.046 → 4.6), as everywhere in the UI.
3. The target line of a rate or a count is, day by day, the report's own target when that day's snapshot carries
   one, else the agency's (``Thresholds.target_of``: the one rule that says which target applies). The AHR has
   its two bands instead: at risk below, critical below.
4. A day without a value is a gap (``None``), never zero.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import metrics
from .metrics import Kind

#: The periods a person can pick, in days, and the one shown first.
PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 90
#: The query parameter of the store page that picks the period.
PERIOD_PARAMETER = "health_days"

CHARTED_KINDS = (Kind.SCORE, Kind.RATE, Kind.COUNT)

PERIOD_LABELS = {30: _("30 days"), 90: _("90 days"), 365: _("365 days")}


def period_of(raw):
    """The period asked for by the query parameter's ``raw`` value; the default for anything else."""
    try:
        days = int(raw)
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def _shown(key, value):
    """A value as the chart plots it: rates in percent (rounded so that the float noise of *100 stays out)."""
    if value is None:
        return None
    if metrics.BY_KEY[key].kind == Kind.RATE:
        return round(value * 100, 4)
    return value


def trend_charts(snapshots, *, thresholds):
    """The charts of ``snapshots`` (one store's, oldest first): a list of ``{"key", "label", "unit", "dates",
    "series": [{"label", "role": "value"|"target", "values"}]}``, one per charted metric with data, in the
    vocabulary's order."""
    snapshots = list(snapshots)
    dates = [snapshot.date.isoformat() for snapshot in snapshots]
    charts = []
    for metric in metrics.all_metrics():
        if metric.kind not in CHARTED_KINDS:
            continue
        values = [_shown(metric.key, getattr(snapshot, metric.key)) for snapshot in snapshots]
        if all(value is None for value in values):
            continue
        series = [{"label": str(metric.label), "role": "value", "values": values}]
        if metric.kind == Kind.SCORE:
            series += [
                {"label": gettext("At risk below %(score)s") % {"score": thresholds.ahr_at_risk_below},
                 "role": "target", "values": [thresholds.ahr_at_risk_below] * len(snapshots)},
                {"label": gettext("Critical below %(score)s") % {"score": thresholds.ahr_critical_below},
                 "role": "critical", "values": [thresholds.ahr_critical_below] * len(snapshots)},
            ]
        else:
            targets = [thresholds.target_of(metric.key, (snapshot.report_targets or {}).get(metric.key))
                       for snapshot in snapshots]
            series.append({"label": gettext("Target"), "role": "target",
                           "values": [None if target is None else _shown(metric.key, target.value)
                                      for target in targets]})
        charts.append({"key": metric.key, "label": str(metric.label),
                       "unit": "%" if metric.kind == Kind.RATE else "", "dates": dates, "series": series})
    return charts
