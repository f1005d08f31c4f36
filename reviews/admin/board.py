"""The manager's board (``/admin/reviews/storereview/board/?cycle=<id>``): one cycle's reviews at a glance.

A picker of the agency's cycles (the latest by default); how many reviews there are, how many are overdue (the
cycle's due day is over and the reviewer still owes them: ``workflow.is_overdue``), found issues, and are submitted
without issues (what a manager may approve in bulk); the counts by status, by reviewer (the reviews nobody is
assigned form the managers' queue) and by client, each a link to the review list filtered so; then the reviews that
found issues.

An operator's board counts their own stores' reviews only (``selectors.board_counts`` and ``selectors.review_list``
read what the caller sees); a viewer reads it like a manager and has no button. The page reads the same few queries
whatever the number of reviews: the cycles, the counts (``board_counts``), one aggregate and a capped list. A cycle
id that is not one of the agency's is a 404.
"""

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.platform.ids import object_id_or_none
from accounts.tenancy import caller_of

from .. import selectors
from ..models import ReviewCycle, StoreReview
from .filters import CYCLE, NO, QUEUE, YES, board_url, overdue_condition, review_list_url

Status = StoreReview.Status
#: How many reviews that found issues the board lists; the rest are behind the link to the list filtered so.
ISSUES_LISTED = 20


def chosen_cycle(request, cycles):
    """The cycle of ``?cycle=`` among ``cycles`` (the agency's, latest first), else the latest; ``None`` when the
    agency has none. An id that is not one of them is a 404, as any other row of another agency."""
    raw = request.GET.get(CYCLE)
    if not raw:
        return cycles[0] if cycles else None
    cycle_id = object_id_or_none(raw)
    found = next((cycle for cycle in cycles if cycle.pk == cycle_id), None)
    if found is None:
        raise Http404
    return found


def _rows(entries, *, parameter, cycle):
    """``[(value, label, count)]`` as the template's rows, each with its link to the review list."""
    return [{"value": value, "label": label, "count": count,
             "url": review_list_url(**{CYCLE: cycle.pk, parameter: value})} for value, label, count in entries]


def _status_rows(counts, cycle):
    return _rows([(status.value, status.label, counts.get(status.value, 0)) for status in Status],
                 parameter="status", cycle=cycle)


def _reviewer_rows(by_reviewer, cycle):
    entries = []
    for row in by_reviewer:
        if row["reviewer_id"] is None:
            entries.append((QUEUE, gettext("Managers' queue"), row["total"]))
        else:
            entries.append((str(row["reviewer_id"]), row["reviewer"], row["total"]))
    return _rows(entries, parameter="reviewer", cycle=cycle)


def _client_rows(by_client, cycle):
    rows = _rows([(str(row["client_id"]), row["client"], row["total"]) for row in by_client],
                 parameter="client", cycle=cycle)
    month = cycle.month.strftime("%Y-%m")
    for row, counted in zip(rows, by_client, strict=True):
        # The client's report of the month: the printable page (its PDF is a link on it).
        report = reverse("api:review-client-report", args=[counted["client_id"]])
        row["report_url"] = f"{report}?{urlencode({'month': month, 'format': 'html'})}"
    return rows


def _totals(reviews, *, today):
    """How many reviews, overdue, with issues, and submitted without issues: one aggregate."""
    return reviews.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_condition(today=today)),
        issues=Count("pk", filter=Q(issues_found=True)),
        ready=Count("pk", filter=Q(status=Status.SUBMITTED, issues_found=False)),
    )


def board_page(model_admin, request):
    """The page (GET only: it writes nothing; bulk approval is the review list's action)."""
    caller = caller_of(request)
    agency = caller.agency
    cycles = list(ReviewCycle.objects.filter(agency=agency).order_by("-month")) if agency is not None else []
    cycle = chosen_cycle(request, cycles)
    context = {"cycles": cycles, "cycle": cycle, "cycle_parameter": CYCLE}
    if cycle is not None:
        today = agency.today()
        counts = selectors.board_counts(agency=agency, caller=caller, cycle=cycle)
        reviews = selectors.review_list(agency=agency, caller=caller).filter(cycle=cycle)
        with_issues = list(reviews.filter(issues_found=True).select_related("store", "store__client", "reviewer")
                           .order_by("status", "store__name", "pk")[:ISSUES_LISTED])
        totals = _totals(reviews, today=today)
        context.update(
            totals=totals,
            overdue=cycle.due_on < today,
            by_status=_status_rows(counts["by_status"], cycle),
            by_reviewer=_reviewer_rows(counts["by_reviewer"], cycle),
            by_client=_client_rows(counts["by_client"], cycle),
            with_issues=[{"review": review, "url": _change_url(review)} for review in with_issues],
            more_issues=max(totals["issues"] - len(with_issues), 0),
            all_url=review_list_url(**{CYCLE: cycle.pk}),
            overdue_url=review_list_url(**{CYCLE: cycle.pk, "overdue": YES}),
            issues_url=review_list_url(**{CYCLE: cycle.pk, "issues": YES}),
            ready_url=review_list_url(**{CYCLE: cycle.pk, "status": Status.SUBMITTED, "issues": NO}),
            may_approve=model_admin.has_approve_permission(request),
            export_url=reverse("api:review-cycle-export", args=[cycle.pk]),
        )
    context = model_admin.context(request, title=_("Monthly review board"), board_url=board_url(), **context)
    return TemplateResponse(request, "reviews/board.html", context)


def _change_url(review):
    return reverse("admin:reviews_storereview_change", args=[review.pk])
