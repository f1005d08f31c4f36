"""Factories of the monthly review app: checklist versions, cycles and store reviews. Rows take the agency of their
parent (or the ``agency`` given) and are created without an active scope, like ``tests.factories``."""

import datetime

import factory
from django.utils import timezone

from reviews.models import ChecklistVersion, ReviewCycle, StoreReview
from tests.factories import AgencyFactory, ScopedFactory, StoreFactory

# A short checklist: one required item and one optional (tests that need the real default items pass them).
CHECKLIST_ITEMS = [
    {"code": "ahr_on_target", "en": "AHR at or above target", "zh-hans": "账户健康评级达标", "required": True},
    {"code": "cases_followed_up", "en": "Open cases followed up", "zh-hans": "未结案例已跟进", "required": False},
]


class ChecklistVersionFactory(ScopedFactory):
    """Version 1 of an agency's checklist with ``CHECKLIST_ITEMS``."""

    class Meta:
        model = ChecklistVersion

    agency = factory.SubFactory(AgencyFactory)
    number = 1
    items = factory.LazyFunction(lambda: [dict(item) for item in CHECKLIST_ITEMS])


class ReviewCycleFactory(ScopedFactory):
    """The cycle of October 2026, due on 5 November, with a checklist version of the same agency."""

    class Meta:
        model = ReviewCycle

    agency = factory.SubFactory(AgencyFactory)
    month = datetime.date(2026, 10, 1)
    due_on = factory.LazyAttribute(
        lambda cycle: (cycle.month.replace(day=28) + datetime.timedelta(days=4)).replace(day=5))
    checklist = factory.SubFactory(ChecklistVersionFactory, agency=factory.SelfAttribute("..agency"))


class StoreReviewFactory(ScopedFactory):
    """A pending review of a store in a cycle of the store's agency, with an empty summary computed now."""

    class Meta:
        model = StoreReview

    store = factory.SubFactory(StoreFactory)
    agency = factory.SelfAttribute("store.agency")
    cycle = factory.SubFactory(ReviewCycleFactory, agency=factory.SelfAttribute("..agency"))
    status = StoreReview.Status.PENDING
    summary = factory.LazyFunction(dict)
    summary_at = factory.LazyFunction(timezone.now)
    answers = factory.LazyFunction(dict)


__all__ = ["CHECKLIST_ITEMS", "ChecklistVersionFactory", "ReviewCycleFactory", "StoreReviewFactory"]
