"""The monthly review's rows for the isolation suite (see ``tests/isolation/rows.py``): a store's reviews and their
trail belong to the store (operators see only those of their stores); the cycles, the checklist versions and the
policy are the agency's. Agencies A and B get different months and checklist numbers, so that a name on B's page
cannot read as a leak of A's."""

import datetime

from django.utils import timezone
from django_scopes import scopes_disabled

from reviews import checklist
from reviews.models import ChecklistVersion, ReviewCycle, ReviewEvent, ReviewPolicy, StoreReview
from tests.isolation.rows import TenantRows


def _letter(persona):
    """0 for agency A, 1 for B: the agencies' rows must not share their names ("2026-10", "Checklist v1"), or a
    name on B's page would read as a leak of A's."""
    return ord(persona.agency.slug[-1]) - ord("a")


def _checklist(persona):
    """Version 1 of agency A's checklist, version 2 of B's."""
    with scopes_disabled():
        return ChecklistVersion.objects.get_or_create(agency=persona.agency, number=1 + _letter(persona),
                                                      defaults={"items": checklist.default_items()})[0]


def _cycle(persona):
    """Agency A's cycle of October 2026, due in November; B's of August, due in September (no date of B's may read
    like A's month)."""
    with scopes_disabled():
        month = datetime.date(2026, 10 - 2 * _letter(persona), 1)
        return ReviewCycle.objects.get_or_create(
            agency=persona.agency, month=month,
            defaults={"due_on": month.replace(month=month.month + 1, day=5), "checklist": _checklist(persona)})[0]


def _review(persona, store):
    """The store's submitted review of October (submitted: every move's route has something to answer), with its
    trail."""
    with scopes_disabled():
        found = StoreReview.objects.filter(store=store, cycle=_cycle(persona)).first()
        if found is None:
            now = timezone.now()
            found = StoreReview.objects.create(
                agency=persona.agency, cycle=_cycle(persona), store=store, status="submitted", summary_at=now,
                summary={}, answers={"ahr_on_target": {"answer": "done", "note": ""}},
                comment=f"Checked {store.name}", submitted_at=now)
            ReviewEvent.objects.create(agency=persona.agency, review=found, from_status="in_progress",
                                       to_status="submitted", at=now, comment=f"Submitted {store.name}")
    return found


def _event(persona, store):
    with scopes_disabled():
        return ReviewEvent.objects.filter(review=_review(persona, store)).order_by("pk").first()


def _policy(persona):
    with scopes_disabled():
        return ReviewPolicy.objects.get_or_create(agency=persona.agency)[0]


REVIEW_EVENTS_SERVED_THROUGH = ("a review's events are its trail: listed in GET /api/v1/reviews/{id}/ (and the answer "
                                "of every move) and on the review's admin page, never served by their own id")

TENANT_ROWS = {
    StoreReview: TenantRows(row=lambda persona: _review(persona, persona.assigned_store),
                            beyond_operator=lambda persona: _review(persona, persona.other_store)),
    ReviewEvent: TenantRows(row=lambda persona: _event(persona, persona.assigned_store),
                            beyond_operator=lambda persona: _event(persona, persona.other_store),
                            served_through=REVIEW_EVENTS_SERVED_THROUGH),
    ReviewCycle: TenantRows(row=_cycle),
    ChecklistVersion: TenantRows(row=_checklist),
    ReviewPolicy: TenantRows(row=_policy),
}

MODELLESS_API_ROUTES = {
    "api:review-policy": "the agency's one review policy, read and changed as a whole, not a list of rows",
    "api:review-checklist": "the agency's current checklist version, read and replaced by a new version as a whole",
}
