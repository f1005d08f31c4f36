"""The demo's monthly review: ``loaddemo`` opens last month's cycle with every demo store reviewed and the reviews in
every state (pending, in progress, submitted with and without issues, approved, returned with the manager's comment),
each move recorded; loading the reviews' demo again adds nothing."""

import io

import pytest
from django.core.management import call_command
from django_scopes import scope

from accounts.models import Agency, Membership, Store
from accounts.roles import Role
from reviews import demo, services
from reviews.models import ReviewCycle, ReviewEvent, StoreReview

Status = StoreReview.Status


def loaddemo():
    call_command("loaddemo", "--password", "demo-test-pass", stdout=io.StringIO(), stderr=io.StringIO())


def state_of(agency):
    return (list(ReviewCycle.objects.filter(agency=agency).values_list("pk", "month")),
            sorted(StoreReview.objects.filter(agency=agency).values_list("pk", "status", "issues_found")),
            ReviewEvent.objects.filter(agency=agency).count())


@pytest.mark.django_db(transaction=True)
def test_loaddemo_opens_last_month_with_reviews_in_every_state_once():
    loaddemo()

    agency = Agency.objects.get(slug="demo")
    with scope(agency=agency):
        cycle = ReviewCycle.objects.get(agency=agency)
        reviews = list(StoreReview.objects.filter(agency=agency, cycle=cycle))
        stores = Store.objects.filter(agency=agency).count()
        returned = ReviewEvent.objects.filter(agency=agency, to_status=Status.RETURNED).first()
        before = state_of(agency)

        assert cycle.month == services.month_before(agency.today())
        assert len(reviews) == stores
        assert {review.status for review in reviews} == set(Status.values)
        submitted = [review for review in reviews if review.status == Status.SUBMITTED]
        assert {review.issues_found for review in submitted} == {True, False}
        assert returned is not None and returned.comment == demo.RETURN_COMMENT
        assert any(review.reviewer_id is None for review in reviews)  # the managers' queue
        assert ReviewEvent.objects.filter(agency=agency, to_status=Status.APPROVED).count() == sum(
            review.status == Status.APPROVED for review in reviews)

        people = {}
        for membership in Membership.objects.filter(agency=agency).select_related("user"):
            people.setdefault(Role(membership.role), []).append(membership.user)
        demo.load(agency=agency, people=people)
        assert state_of(agency) == before
