"""Who may reach which review over the API, and what they may do with it.

Reading needs a place in the agency (a member or a key). Working on a review (answers, comment, refresh, start,
submit) needs ``WORK_ON_REVIEWS`` (owners, managers, operators, read-write keys); approving and returning it needs
``SIGN_OFF_REVIEWS`` (owners, managers, read-write keys: never operators); opening a cycle, the policy and the
checklist need ``MANAGE_REVIEWS``. A review is looked up among those the caller sees (``selectors.review_list``)
before any power is asked: another agency's id, a review of a store beyond an operator, or a word in the id's place
is a 404 for everyone, never a 403 that would confirm it exists; then a caller without the power gets a 403.
"""

from django.http import Http404

from accounts.platform.api.mixins import TenantViewMixin
from accounts.platform.api.permissions import IsAgencyMember
from accounts.platform.ids import object_id_or_none

from .. import selectors
from ..powers import MANAGE_REVIEWS, SIGN_OFF_REVIEWS, WORK_ON_REVIEWS


class WorksOnReviews(IsAgencyMember):
    """Members and keys read; work on a review needs ``WORK_ON_REVIEWS`` (on one review: once it was found)."""

    power = WORK_ON_REVIEWS


class SignsOffReviews(IsAgencyMember):
    """Members and keys read; approving and returning need ``SIGN_OFF_REVIEWS`` (once the review was found)."""

    power = SIGN_OFF_REVIEWS


class ManagesReviews(IsAgencyMember):
    """Members and keys read; opening a cycle, the policy and the checklist need ``MANAGE_REVIEWS``."""

    power = MANAGE_REVIEWS


class ReviewViewMixin(TenantViewMixin):
    """A view of the caller's reviews; views that serve one review name it ``pk`` in their route."""

    permission_classes = [WorksOnReviews]
    filter_backends = []
    lookup_field = "pk"  # tells the permissions that writes wait until the review was found

    def get_rows(self):
        return selectors.review_list(agency=self.agency, caller=self.caller)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.agency is not None:
            context["today"] = self.agency.today()
        return context

    def review_with_events(self, review):
        """``review`` read again with its trail (``ReviewDetailSerializer``)."""
        return selectors.reviews_with_events(agency=self.agency, caller=self.caller).get(pk=review.pk)

    def find_review(self):
        """The review of the route among those the caller sees (``get_rows``), with the caller's object permissions
        checked for a write; else a 404."""
        review_id = object_id_or_none(self.kwargs.get("pk"))
        if review_id is None or self.agency is None:
            raise Http404
        review = self.get_rows().filter(pk=review_id).first()
        if review is None:
            raise Http404
        self.check_object_permissions(self.request, review)
        return review
