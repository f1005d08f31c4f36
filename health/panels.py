"""The store page's "Account health" panel (``accounts.extensions.StorePanel``): the store's latest evaluation
(its colour and the reasons of what is not green) and a trend chart per metric over 30, 90 or 365 days with the
line each is held to.

The store page is scoped already (another agency's store, or an operator's colleague's, is a 404 before any
panel renders); the panel reads only that store's rows, with the agency named explicitly: the evaluation, the
agency's policy and the period's snapshots, one query each.
"""

import datetime
from urllib.parse import urlencode

from django.template.loader import render_to_string

from . import charts, selectors
from .thresholds import SEVERITY, TONES, Colour, Evaluation


def evaluations_of(health):
    """The verdicts stored with a ``StoreHealth`` (``Evaluation.as_dict`` rows, keyed by metric or listed), worst
    first; none for ``None``."""
    if health is None or not health.evaluations:
        return []
    rows = health.evaluations.values() if isinstance(health.evaluations, dict) else health.evaluations
    found = [Evaluation.from_dict(row) for row in rows]
    return sorted(found, key=lambda evaluation: -SEVERITY[evaluation.colour])


def _period_links(request, chosen):
    query = request.GET.copy()
    links = []
    for days in charts.PERIODS:
        query[charts.PERIOD_PARAMETER] = str(days)
        links.append({"days": days, "label": charts.PERIOD_LABELS[days], "active": days == chosen,
                      "url": f"?{urlencode(sorted(query.items()))}#health-panel"})
    return links


def render_health_panel(*, request, store):
    """The panel's safe HTML for ``store`` (the request's ``health_days`` picks the period)."""
    agency = store.agency
    days = charts.period_of(request.GET.get(charts.PERIOD_PARAMETER))
    health = selectors.evaluated_health(agency=agency, store=store)
    thresholds = selectors.health_policy(agency=agency).thresholds()
    since = agency.today() - datetime.timedelta(days=days - 1)
    trend = charts.trend_charts(selectors.store_trend(agency=agency, store=store, since=since),
                                thresholds=thresholds)
    evaluations = evaluations_of(health)
    colour = Colour(health.colour) if health is not None else Colour.NO_DATA
    return render_to_string("health/panel_health.html", {
        "health": health,
        "colour": colour,
        "tone": TONES[colour],
        "concerns": [e for e in evaluations if e.colour in (Colour.RED, Colour.YELLOW)],
        "without_data": sum(1 for e in evaluations if e.colour == Colour.NO_DATA),
        "charts": trend,
        "days": days,
        "periods": _period_links(request, days),
        "chart_data_id": f"health-charts-{store.pk}",
    }, request=request)
