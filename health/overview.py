"""The overview page's section "Stores in red and yellow" (``accounts.extensions.OverviewSection``, order 10): the
stores the person sees whose last evaluation is red, then yellow, each with its worst metric and the reason, linking
to the store's page; a capped list, and a link to the portfolio dashboard filtered by colour for the rest.

It reads the evaluated ``StoreHealth`` (two queries whatever the number of stores), never evaluates on a page view.
"""

from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import caller_of

from . import metrics, selectors
from .thresholds import TONES, Colour, Evaluation

#: How many stores the section lists; the rest are behind the "more" link.
LISTED = 10
TITLE = _("Stores in red and yellow")
#: The query parameter of the portfolio dashboard's colour filter (``health.admin.dashboard.ColourFilter``).
COLOUR_PARAMETER = "colour"


def dashboard_url(colour=None):
    """The portfolio dashboard (the StoreHealth changelist), filtered by ``colour``; the store list if the
    dashboard is not installed."""
    try:
        url = reverse("admin:health_storehealth_changelist")
    except NoReverseMatch:
        return reverse("admin:accounts_store_changelist")
    return f"{url}?{urlencode({COLOUR_PARAMETER: colour})}" if colour else url


def _row(health):
    evaluation = health.evaluations.get(health.worst_metric) if isinstance(health.evaluations, dict) else None
    found = metrics.metric(health.worst_metric)
    return {
        "store": health.store,
        "url": reverse("admin:accounts_store_change", args=[health.store_id]),
        "colour": Colour(health.colour),
        "tone": TONES[Colour(health.colour)],
        "metric": found.label if found else "",
        "reason": Evaluation.from_dict(evaluation).reason if evaluation else "",
        "date": health.date,
    }


def render_stores_needing_attention(*, request, agency):
    """The section's safe HTML for the request's caller, or "" when none of their stores is red or yellow."""
    caller = caller_of(request)
    found = selectors.stores_needing_attention(agency=agency, caller=caller, limit=LISTED)
    if not found.total:
        return ""
    return render_to_string("health/overview_attention.html", {
        "rows": [_row(health) for health in found.listed],
        "red": found.red,
        "yellow": found.yellow,
        "more": found.more,
        # Red stores come first: those left out are red while more are red than listed, else yellow.
        "more_url": dashboard_url(Colour.RED if found.red > len(found.listed) else Colour.YELLOW),
        "red_url": dashboard_url(Colour.RED),
        "yellow_url": dashboard_url(Colour.YELLOW),
    }, request=request)
