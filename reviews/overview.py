"""The overview page's section "Reviews due" (``accounts.extensions.OverviewSection``, order 50): of the current
cycle (the latest month opened for review), how many of the reviews the person sees (an operator: their stores') are
not approved yet and how many of those are overdue (``workflow.is_overdue``), each a link to the review list
filtered so, and a link to the board. Left out when there is no cycle or every review the person sees is approved.

It reads the latest cycle and one aggregate: two queries whatever the number of reviews.
"""

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import caller_of

from . import selectors
from .admin.filters import CYCLE, OVERDUE, YES, board_url, overdue_condition, review_list_url
from .models import ReviewCycle, StoreReview

TITLE = _("Reviews due")
Status = StoreReview.Status


def reviews_due(*, agency, caller, today):
    """``(cycle, {"open": n, "overdue": n})`` of the latest cycle among the reviews ``caller`` sees; ``(None, None)``
    when the agency has no cycle."""
    # The latest cycle alone (``cycle_list`` counts every cycle's reviews, which this section does not show).
    cycle = ReviewCycle.objects.filter(agency=agency).order_by("-month").first()
    if cycle is None:
        return None, None
    counts = selectors.review_list(agency=agency, caller=caller).filter(cycle=cycle).aggregate(
        open=Count("pk", filter=~Q(status=Status.APPROVED)),
        overdue=Count("pk", filter=overdue_condition(today=today)))
    return cycle, counts


def render_reviews_due(*, request, agency):
    """The section's safe HTML for the request's caller, or "" when nothing of the current cycle is due."""
    caller = caller_of(request)
    cycle, counts = reviews_due(agency=agency, caller=caller, today=agency.today())
    if cycle is None or not counts["open"]:
        return ""
    return render_to_string("reviews/overview_reviews_due.html", {
        "cycle": cycle, "open": counts["open"], "overdue": counts["overdue"], "board_url": board_url(cycle),
        "list_url": review_list_url(**{CYCLE: cycle.pk}),
        "overdue_url": review_list_url(**{CYCLE: cycle.pk, OVERDUE: YES}),
    }, request=request)
