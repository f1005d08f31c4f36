"""The monthly review over the API.

* ``GET /api/v1/reviews/?month=YYYY-MM&status=&store=&operator=&client=&issues_found=&overdue=``
* ``GET|PATCH /api/v1/reviews/{id}/``: one review with its month, checklist, answers and trail; its answers and
  comment (``{"answers": {...}, "comment": "..."}``; work on a pending or returned review starts it).
* ``GET|POST /api/v1/reviews/{id}/start/ | submit/ | approve/ | return/`` (``{"comment"}``, required to return):
  whether the move is possible now; making it.
* ``GET|POST /api/v1/reviews/{id}/refresh/``: whether the summary can be computed again now; doing it.
* ``GET|POST /api/v1/review-cycles/``: the agency's cycles; opening a past month's (``{"month": "YYYY-MM"}``).
* ``GET|PATCH /api/v1/review-policy/``: the agency's review numbers.
* ``GET|POST /api/v1/review-checklist/``: the current checklist version; writing a new version.

Reviews are those of the stores the caller sees (an operator: theirs; another is a 404). Operators work on and
submit, never approve or return (403); managers, owners and read-write keys do all; viewers and read-only keys
read (403 on a write). A move the review's status does not allow is a 409 whose body names the current status and
the moves it allows.
"""

from django.core.exceptions import ValidationError
from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.platform.api.mixins import TenantViewMixin
from accounts.tenancy import caller_of

from .. import selectors, services, workflow
from ..filters import ReviewFilter
from ..models import ReviewCycle, StoreReview
from ..powers import WORK_ON_REVIEWS
from .access import ManagesReviews, ReviewViewMixin, SignsOffReviews
from .serializers import (
    ChecklistSerializer,
    ChecklistWriteSerializer,
    CycleOpenSerializer,
    CycleSerializer,
    ReviewChangeSerializer,
    ReviewDetailSerializer,
    ReviewMoveRefusedSerializer,
    ReviewMoveSerializer,
    ReviewMoveStateSerializer,
    ReviewPolicySerializer,
    ReviewSerializer,
    allowed_moves,
)

REFUSED = OpenApiResponse(ReviewMoveRefusedSerializer, _(
    "The review's status does not allow it: the body names the current status and the moves it allows."))


def _conflict(view, review, error):
    """The 409 of a move or a change refused on ``status``: the message, and the review's status as the refusing
    service found it under its lock."""
    current = view.get_rows().get(pk=review.pk)
    return Response({"status": error.message_dict["status"], "current_status": current.status,
                     "allowed_moves": allowed_moves(current)}, status=status.HTTP_409_CONFLICT)


class ReviewListView(ReviewViewMixin, generics.ListAPIView):
    """The reviews of the stores the caller sees (an operator: their stores), latest month first, then by store,
    each with its store, client, reviewer, status, whether it found issues or is overdue, and the moves its status
    allows.

    Filters: ``month`` (YYYY-MM), ``status`` (repeatable), ``store`` (the id of a store the caller sees),
    ``operator`` (the reviewer's id), ``client`` (the client's id), ``issues_found`` and ``overdue`` (true or false).
    A value the list does not take is a 400 naming the parameter."""

    queryset = StoreReview.objects.none()
    serializer_class = ReviewSerializer
    filter_backends = api_settings.DEFAULT_FILTER_BACKENDS
    filterset_class = ReviewFilter
    search_fields = ["store__name", "store__seller_id"]
    ordering_fields = ["cycle__month", "store__name", "status", "updated_at"]
    ordering = ["-cycle__month", "store__name", "pk"]

    @extend_schema(summary=_("List monthly reviews"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ReviewDetailView(ReviewViewMixin, generics.GenericAPIView):
    """One review: its month frozen at opening, its checklist (in the caller's language) with the answers, the
    reviewer's comment and its trail."""

    queryset = StoreReview.objects.none()
    serializer_class = ReviewDetailSerializer
    http_method_names = ["get", "patch", "options"]

    def detail(self, review):
        return Response(self.get_serializer(self.review_with_events(review)).data)

    @extend_schema(summary=_("Read a monthly review"))
    def get(self, request, *args, **kwargs):
        return self.detail(self.find_review())

    @extend_schema(summary=_("Answer a monthly review's checklist"), request=ReviewChangeSerializer,
                   responses={200: ReviewDetailSerializer, 409: REFUSED})
    def patch(self, request, *args, **kwargs):
        """Answer items of the checklist (laid over the answers given before; null clears one) and/or set the
        reviewer's comment. Work on a pending or returned review starts it (in progress). A submitted or approved
        review no longer changes (409)."""
        review = self.find_review()
        change = ReviewChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        try:
            services.review_answers_set(agency=self.agency, caller=self.caller, review=review,
                                        answers=change.validated_data.get("answers"),
                                        comment=change.validated_data.get("comment"))
        except ValidationError as error:
            if "status" not in getattr(error, "message_dict", {}):
                raise
            return _conflict(self, review, error)
        return self.detail(review)


class ReviewMoveView(ReviewViewMixin, generics.GenericAPIView):
    """A move of one review (``to_status``, made by ``service``)."""

    queryset = StoreReview.objects.none()
    serializer_class = ReviewMoveSerializer
    http_method_names = ["get", "post", "options"]
    to_status = None
    service = None

    def state(self, review):
        moves = allowed_moves(review)
        return ReviewMoveStateSerializer({"id": review.pk, "status": review.status, "allowed_moves": moves,
                                    "allowed": workflow.may_move(self.caller, self.to_status)
                                    and str(self.to_status) in moves}).data

    def read(self, request):
        return Response(self.state(self.find_review()))

    def call_service(self, review, comment):
        return self.service(agency=self.agency, caller=self.caller, review=review, comment=comment)

    def move(self, request):
        review = self.find_review()
        serializer = ReviewMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            self.call_service(review, serializer.validated_data["comment"])
        except ValidationError as error:
            if "status" not in getattr(error, "message_dict", {}):
                raise
            return _conflict(self, review, error)
        return Response(ReviewDetailSerializer(self.review_with_events(review),
                                               context=self.get_serializer_context()).data)


class StartView(ReviewMoveView):
    """Whether the review can be started now; starting it."""

    to_status = StoreReview.Status.IN_PROGRESS
    service = staticmethod(services.review_start)

    @extend_schema(summary=_("Read whether a monthly review can be started"), responses=ReviewMoveStateSerializer)
    def get(self, request, *args, **kwargs):
        return self.read(request)

    @extend_schema(summary=_("Start a monthly review"), responses={200: ReviewDetailSerializer, 409: REFUSED})
    def post(self, request, *args, **kwargs):
        """Start a pending or returned review (in progress); answering its checklist starts it too."""
        return self.move(request)


class SubmitView(ReviewMoveView):
    """Whether the review can be submitted now; submitting it."""

    to_status = StoreReview.Status.SUBMITTED
    service = staticmethod(services.review_submit)

    @extend_schema(summary=_("Read whether a monthly review can be submitted"), responses=ReviewMoveStateSerializer)
    def get(self, request, *args, **kwargs):
        return self.read(request)

    @extend_schema(summary=_("Submit a monthly review"), responses={200: ReviewDetailSerializer, 409: REFUSED})
    def post(self, request, *args, **kwargs):
        """Submit a review in progress for the manager's sign-off, with an optional ``comment``. Every required
        item of the checklist must be answered (400 on ``answers`` naming those that are not)."""
        return self.move(request)


class ApproveView(ReviewMoveView):
    """Whether the review can be approved now; approving it (managers)."""

    permission_classes = [SignsOffReviews]
    to_status = StoreReview.Status.APPROVED
    service = staticmethod(services.review_approve)

    @extend_schema(summary=_("Read whether a monthly review can be approved"), responses=ReviewMoveStateSerializer)
    def get(self, request, *args, **kwargs):
        return self.read(request)

    @extend_schema(summary=_("Approve a monthly review"), responses={200: ReviewDetailSerializer, 409: REFUSED})
    def post(self, request, *args, **kwargs):
        """Approve a submitted review, with an optional ``comment``: it is signed and never changes again. Managers,
        owners and read-write keys; operators never approve (403)."""
        return self.move(request)


class ReturnView(ReviewMoveView):
    """Whether the review can be returned now; returning it to its reviewer (managers)."""

    permission_classes = [SignsOffReviews]
    to_status = StoreReview.Status.RETURNED
    service = staticmethod(services.review_return)

    @extend_schema(summary=_("Read whether a monthly review can be returned"), responses=ReviewMoveStateSerializer)
    def get(self, request, *args, **kwargs):
        return self.read(request)

    @extend_schema(summary=_("Return a monthly review"), responses={200: ReviewDetailSerializer, 409: REFUSED})
    def post(self, request, *args, **kwargs):
        """Return a submitted review to its reviewer, saying what to do in ``comment`` (required: 400 on
        ``comment`` without one). Managers, owners and read-write keys; operators never return (403)."""
        return self.move(request)


class RefreshView(ReviewMoveView):
    """Whether the review's month can be computed again now; doing it."""

    to_status = StoreReview.Status.IN_PROGRESS  # the power of work on a review

    def state(self, review):
        allowed = self.caller.can(WORK_ON_REVIEWS) and review.status in workflow.WORKING
        return ReviewMoveStateSerializer({"id": review.pk, "status": review.status,
                                          "allowed_moves": allowed_moves(review), "allowed": allowed}).data

    def call_service(self, review, comment):
        return services.review_refresh(agency=self.agency, caller=self.caller, review=review)

    @extend_schema(summary=_("Read whether a monthly review's summary can be refreshed"),
                   responses=ReviewMoveStateSerializer)
    def get(self, request, *args, **kwargs):
        return self.read(request)

    @extend_schema(summary=_("Refresh a monthly review's summary"), request=None,
                   responses={200: ReviewDetailSerializer, 409: REFUSED})
    def post(self, request, *args, **kwargs):
        """Compute the store's month again from the data, before submission (recorded in the trail); a submitted
        or approved review's summary never changes (409)."""
        return self.move(request)


class CycleListView(TenantViewMixin, generics.ListAPIView):
    """The agency's review cycles, latest month first, with how many of the reviews the caller sees (an operator:
    their stores') are in each status; opening one of a past month by hand (managers)."""

    queryset = ReviewCycle.objects.none()
    serializer_class = CycleSerializer
    permission_classes = [ManagesReviews]
    filter_backends = []  # latest month first, always: no ordering to choose
    http_method_names = ["get", "post", "options"]

    def get_rows(self):
        return selectors.cycle_list(agency=self.agency, caller=self.caller)

    @extend_schema(summary=_("List review cycles"))
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(summary=_("Open a review cycle"), request=CycleOpenSerializer, responses={201: CycleSerializer})
    def post(self, request, *args, **kwargs):
        """Open the review of a past month (``YYYY-MM``): a review of every store active in that month, each with
        its month computed now. Opening a month already open adds only the reviews still missing (200). The current
        month or a later one is refused (400 on ``month``)."""
        serializer = CycleOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        month = serializer.validated_data["month"]
        existed = selectors.cycle_of(agency=self.agency, month=month) is not None
        cycle = services.cycle_open(agency=self.agency, month=month, caller=self.caller)
        return Response(self.get_serializer(self.get_rows().get(pk=cycle.pk)).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class ReviewPolicyView(APIView):
    """The agency's review numbers: the day of the month after on which a cycle's reviews are due (the 5th until a
    manager changes it)."""

    permission_classes = [ManagesReviews]

    @extend_schema(summary=_("Read the review policy"), responses=ReviewPolicySerializer)
    def get(self, request):
        policy = selectors.review_policy(agency=caller_of(request).agency)
        return Response(ReviewPolicySerializer(policy).data)

    @extend_schema(summary=_("Change the review policy"), request=ReviewPolicySerializer,
                   responses=ReviewPolicySerializer)
    def patch(self, request):
        """Change any of the policy's numbers (managers and read-write keys; a number not sent stays). A value that
        is refused is a 400 naming the field and the value, and nothing is changed. Cycles already open keep their
        due day."""
        serializer = ReviewPolicySerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        caller = caller_of(request)
        policy = services.review_policy_set(agency=caller.agency, caller=caller, **serializer.validated_data)
        return Response(ReviewPolicySerializer(policy).data)


class ChecklistView(generics.GenericAPIView):
    """The agency's current checklist (before its first cycle: the product's default items); writing a new
    version (managers). Cycles already open keep the version they opened with."""

    permission_classes = [ManagesReviews]
    serializer_class = ChecklistWriteSerializer

    @extend_schema(summary=_("Read the review checklist"), responses=ChecklistSerializer)
    def get(self, request):
        version = selectors.current_checklist(agency=caller_of(request).agency)
        return Response(ChecklistSerializer(version).data)

    @extend_schema(summary=_("Write a new version of the review checklist"), request=ChecklistWriteSerializer,
                   responses={201: ChecklistSerializer})
    def post(self, request):
        """The whole list of items of the new version, each with its code, English and Chinese texts and whether
        it is required; a list refused is a 400 on ``items`` naming each problem."""
        serializer = ChecklistWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        caller = caller_of(request)
        version = services.checklist_revise(agency=caller.agency, caller=caller,
                                            items=serializer.validated_data["items"])
        return Response(ChecklistSerializer(version).data, status=status.HTTP_201_CREATED)


# Any word in the id's place, as the other routes of the API take: what is not an id is the same 404.
urlpatterns = [
    path("reviews/", ReviewListView.as_view(), name="review-list"),
    re_path(r"^reviews/(?P<pk>[^/.]+)/$", ReviewDetailView.as_view(), name="review-detail"),
    re_path(r"^reviews/(?P<pk>[^/.]+)/start/$", StartView.as_view(), name="review-start"),
    re_path(r"^reviews/(?P<pk>[^/.]+)/submit/$", SubmitView.as_view(), name="review-submit"),
    re_path(r"^reviews/(?P<pk>[^/.]+)/approve/$", ApproveView.as_view(), name="review-approve"),
    re_path(r"^reviews/(?P<pk>[^/.]+)/return/$", ReturnView.as_view(), name="review-return"),
    re_path(r"^reviews/(?P<pk>[^/.]+)/refresh/$", RefreshView.as_view(), name="review-refresh"),
    path("review-cycles/", CycleListView.as_view(), name="review-cycle-list"),
    path("review-policy/", ReviewPolicyView.as_view(), name="review-policy"),
    path("review-checklist/", ChecklistView.as_view(), name="review-checklist"),
]
