"""Reads of the monthly review, each with the agency as an explicit keyword argument. Reviews hang off a store:
an operator reads only the reviews of their stores (``accounts.selectors.visible_rows``)."""

from django.db.models import Count, Prefetch, Q

from accounts.selectors import visible_rows, visible_stores

from . import checklist, workflow
from .models import ChecklistVersion, ReviewCycle, ReviewEvent, ReviewPolicy, StoreReview


def review_policy(*, agency):
    """The agency's review numbers: its row, or an unsaved row with the defaults when it never changed them."""
    return ReviewPolicy.objects.filter(agency=agency).first() or ReviewPolicy(agency=agency)


def current_checklist(*, agency):
    """The agency's latest checklist version; before its first cycle, an unsaved version 1 of
    ``checklist.DEFAULT_ITEMS`` (``services.checklist_ensure`` writes it)."""
    latest = ChecklistVersion.objects.filter(agency=agency).order_by("-number").first()
    return latest or ChecklistVersion(agency=agency, number=1, items=checklist.default_items())


def checklist_versions(*, agency):
    """The agency's checklist versions, latest first."""
    return ChecklistVersion.objects.filter(agency=agency).select_related("created_by").order_by("-number")


def cycle_of(*, agency, month):
    """The agency's cycle of ``month`` (its first day), or ``None``."""
    return ReviewCycle.objects.filter(agency=agency, month=month).first()


def cycle_list(*, agency, caller=None):
    """The agency's cycles, latest month first, each with its number of reviews (``review_total``) and of reviews
    in each status (``<status>_total``), counting the reviews ``caller`` sees (an operator: their stores'; ``None``:
    all), as the board and the admin's cycle list do: one query."""
    seen = Q() if caller is None or caller.sees_all_stores else Q(
        reviews__store__in=visible_stores(agency=agency, caller=caller).values("pk"))
    counts = {f"{status}_total": Count("reviews", filter=seen & Q(reviews__status=status))
              for status in StoreReview.Status.values}
    return (ReviewCycle.objects.filter(agency=agency).select_related("checklist", "opened_by")
            .annotate(review_total=Count("reviews", filter=seen), **counts).order_by("-month"))


def review_list(*, agency, caller):
    """The reviews of the stores ``caller`` sees, with their cycle, checklist version, store, client, reviewer and
    who approved them."""
    reviews = StoreReview.objects.filter(agency=agency).select_related(
        "cycle", "cycle__checklist", "store", "store__client", "reviewer", "approved_by")
    return visible_rows(reviews, caller=caller)


def reviews_with_events(*, agency, caller):
    """``review_list`` with each review's events (and who made them) prefetched, oldest first."""
    events = ReviewEvent.objects.filter(agency=agency).select_related("actor", "api_key").order_by("at", "pk")
    return review_list(agency=agency, caller=caller).prefetch_related(Prefetch("events", queryset=events))


def review_events(*, agency, review):
    """``review``'s trail, oldest first, with who made each entry."""
    return ReviewEvent.objects.filter(agency=agency, review=review).select_related("actor", "api_key")


def overdue_reviews(*, agency, caller, today):
    """The reviews ``caller`` sees that are overdue on ``today`` (``workflow.is_overdue``: the cycle's due day is
    over and the reviewer still owes them), the oldest cycle first."""
    return (review_list(agency=agency, caller=caller)
            .filter(cycle__due_on__lt=today, status__in=list(workflow.OWED))
            .order_by("cycle__month", "store__name", "pk"))


def board_counts(*, agency, caller, cycle):
    """The manager's board of ``cycle`` among the reviews ``caller`` sees, in three queries whatever their number:

    * ``by_status``: ``{status: n}`` with every status (0 where none);
    * ``by_reviewer``: ``[{"reviewer_id", "reviewer", "total", "issues_found", <status>: n}]``, the managers'
      queue (no reviewer) as ``reviewer_id`` ``None``, most reviews first;
    * ``by_client``: ``[{"client_id", "client", "total", "issues_found", <status>: n}]``, most reviews first.
    """
    reviews = review_list(agency=agency, caller=caller).filter(cycle=cycle).order_by()
    per_status = {status: Count("id", filter=Q(status=status)) for status in StoreReview.Status.values}
    counted = dict(reviews.values_list("status").annotate(n=Count("id")))
    by_reviewer = (reviews.values("reviewer_id", "reviewer__full_name", "reviewer__email")
                   .annotate(total=Count("id"), issues_found=Count("id", filter=Q(issues_found=True)), **per_status)
                   .order_by("-total", "reviewer__email"))
    by_client = (reviews.values("store__client_id", "store__client__name")
                 .annotate(total=Count("id"), issues_found=Count("id", filter=Q(issues_found=True)), **per_status)
                 .order_by("-total", "store__client__name"))
    return {
        "by_status": {status: counted.get(status, 0) for status in StoreReview.Status.values},
        "by_reviewer": [_reviewer_row(row) for row in by_reviewer],
        "by_client": [
            {"client_id": row.pop("store__client_id"), "client": row.pop("store__client__name"), **row}
            for row in by_client],
    }


def _reviewer_row(row):
    name, email = row.pop("reviewer__full_name"), row.pop("reviewer__email")
    return {"reviewer_id": row.pop("reviewer_id"), "reviewer": name or email or "", **row}
