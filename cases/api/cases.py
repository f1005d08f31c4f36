"""Seller Support cases over the API.

* ``GET|POST /api/v1/cases/?status=&store=&priority=&category=&needs_follow_up=&alert=``
* ``GET|PATCH /api/v1/cases/{id}/``
* ``GET|POST /api/v1/cases/{id}/move/``: the moves the case allows now; moving it
  (``{to_status, note, transferred_to, amazon_case_id, resolve_alert}``)
* ``GET|POST /api/v1/cases/{id}/events/``: the timeline; logging our message, Amazon's reply or a note
* ``GET|POST /api/v1/cases/{id}/documents/``: the documents attached; attaching one of the library
  (``{document}``)

Everyone of the agency reads the cases of the stores they see (an operator: theirs; ``selectors.case_list``);
writing needs ``WORK_ON_CASES`` (viewers and read-only keys get a 403). A case is looked up among those the caller
sees before any power is asked: another agency's id, a case of a store beyond an operator, or a word in the id's
place is a 404. A move the case's status does not allow is a 409 naming the current status and the moves it allows,
as the alerts' moves are.
"""

import django_filters
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path, re_path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.models import Store
from accounts.platform.api.filters import IdFilter
from accounts.platform.api.mixins import TenantViewMixin
from accounts.platform.api.permissions import IsAgencyMember
from accounts.platform.ids import object_id_or_none
from accounts.selectors import visible_stores
from accounts.tenancy import caller_of
from documents.selectors import documents_linked_to
from health.filters import StoreFilter

from ..models import CaseEvent, Priority, SupportCase
from ..powers import WORK_ON_CASES
from ..selectors import cases as selectors
from ..selectors.templates import case_categories
from ..services import cases as services
from .case_serializers import (
    AttachedDocumentSerializer,
    CaseDetailSerializer,
    CaseDocumentSerializer,
    CaseEntryLoggedSerializer,
    CaseEntrySerializer,
    CaseEventSerializer,
    CaseMovedSerializer,
    CaseMoveRefusedSerializer,
    CaseMoveSerializer,
    CaseMoveStateSerializer,
    CaseSerializer,
    CaseWriteSerializer,
    allowed_moves,
)

REFUSED = OpenApiResponse(CaseMoveRefusedSerializer, _(
    "The case's status does not allow the move: the body names the current status and the moves it allows."))


class WorksOnCases(IsAgencyMember):
    """Members and keys read; writes need ``WORK_ON_CASES`` (on one case: once it was found)."""

    power = WORK_ON_CASES


def _stores_of_caller(request):
    """The stores the request's caller sees (none while the schema is generated, without a request)."""
    caller = caller_of(request) if request is not None else None
    if caller is None or caller.agency is None:
        return Store.objects.none()
    return visible_stores(agency=caller.agency, caller=caller)


class CategoryFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """Category codes separated by commas."""


class CaseFilter(django_filters.FilterSet):
    """``?status=&store=&priority=&category=&needs_follow_up=&alert=``, read strictly: a value the list does not take
    is a 400 naming the parameter. ``status``, ``priority`` and ``category`` take several values."""

    status = django_filters.MultipleChoiceFilter(choices=SupportCase.Status.choices, label=_("status"))
    store = StoreFilter(queryset=_stores_of_caller, label=_("store"))
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("priority"))
    category = CategoryFilter(field_name="category", label=_("category"))
    needs_follow_up = django_filters.BooleanFilter(method="filter_needs_follow_up", label=_("needs follow-up"))
    alert = IdFilter(field_name="alert_id", label=_("alert"))

    class Meta:
        model = SupportCase
        fields = ["status", "store", "priority", "category", "needs_follow_up", "alert"]

    def filter_needs_follow_up(self, cases, name, flagged):
        """``true``: the cases the follow-up rule flags now (``moves.needs_follow_up``); ``false``: the others."""
        if flagged is None:
            return cases
        caller = caller_of(self.request)
        return selectors.needing_follow_up(cases, now=timezone.now(), flagged=flagged,
                                           follow_up_after_hours=selectors.follow_up_hours(agency=caller.agency))


class CaseViewMixin(TenantViewMixin):
    """A view of the caller's cases; views that serve one case name it ``pk`` in their route."""

    permission_classes = [WorksOnCases]
    filter_backends = []
    lookup_field = "pk"  # tells the permissions that writes wait until the case was found

    def get_rows(self):
        return selectors.case_list(agency=self.agency, caller=self.caller)

    @cached_property
    def now(self):
        return timezone.now()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.agency is not None and not getattr(self, "swagger_fake_view", False):
            context.update(categories=case_categories(agency=self.agency), now=self.now,
                           follow_up_after_hours=selectors.follow_up_hours(agency=self.agency))
        return context

    def find_case(self):
        """The case of the route among those the caller sees, with the caller's object permissions checked for a
        write; else a 404."""
        case_id = object_id_or_none(self.kwargs.get("pk"))
        if case_id is None or self.agency is None:
            raise Http404
        case = self.get_rows().filter(pk=case_id).first()
        if case is None:
            raise Http404
        self.check_object_permissions(self.request, case)
        return case

    def detail(self, case, serializer_class=CaseDetailSerializer, **extra):
        found = selectors.case_detail(agency=self.agency, caller=self.caller, case_id=case.pk)
        for name, value in extra.items():
            setattr(found, name, value)
        return serializer_class(found, context=self.get_serializer_context()).data


class CaseListView(CaseViewMixin, generics.ListCreateAPIView):
    """The cases of the stores the caller sees (an operator: their stores), newest first, each with its store,
    Amazon's case id (digits and as shown), category, ASINs, priority, status, the moves it allows and whether the
    follow-up rule flags it now.

    Filters: ``status``, ``priority`` (each repeatable), ``category`` (codes separated by commas), ``store`` (the id
    of a store the caller sees), ``alert`` (the id of the alert the cases answer), ``needs_follow_up`` (true: open
    cases that are high or urgent or have waited for Amazon longer than the agency's hours); ``search`` in the
    subject, the case id's digits and the store's name."""

    queryset = SupportCase.objects.none()
    filter_backends = api_settings.DEFAULT_FILTER_BACKENDS
    filterset_class = CaseFilter
    search_fields = ["subject", "amazon_case_id", "store__name"]
    ordering_fields = ["created_at", "updated_at", "waiting_since", "priority"]
    ordering = ["-created_at", "-pk"]

    def get_serializer_class(self):
        request = getattr(self, "request", None)
        if request is not None and request.method == "POST":
            return CaseWriteSerializer
        return CaseSerializer

    @extend_schema(summary=_("List cases"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=_("Record a case"), request=CaseWriteSerializer, responses={201: CaseDetailSerializer})
    def post(self, request, *args, **kwargs):
        """Record a Seller Support case of a store the caller sees. With ``amazon_case_id`` (typed as
        ``1234567890`` or ``123-456-7890``, stored as digits) the case is opened and waits for Amazon; without one
        it is a draft. Each problem is a 400 naming its field: a malformed case id or ASIN, an unknown category,
        an alert of another store."""
        serializer = CaseWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        case = services.case_create(agency=self.agency, caller=self.caller, **serializer.validated_data)
        return Response(self.detail(case), status=status.HTTP_201_CREATED)


class CaseDetailView(CaseViewMixin, generics.GenericAPIView):
    """One case with its timeline, oldest first."""

    queryset = SupportCase.objects.none()
    serializer_class = CaseDetailSerializer
    http_method_names = ["get", "patch", "options"]

    @extend_schema(summary=_("Read a case"))
    def get(self, request, *args, **kwargs):
        return Response(self.detail(self.find_case()))

    @extend_schema(summary=_("Change a case's details"), request=CaseWriteSerializer(partial=True))
    def patch(self, request, *args, **kwargs):
        """Change any of the case's details (not its store; its status moves through .../move/). Amazon's case id
        of an opened case may be corrected, not removed."""
        case = self.find_case()
        if "store" in request.data:
            raise ValidationError({"store": [_("A case stays with its store: record a new case instead.")]})
        serializer = CaseWriteSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        services.case_update(agency=self.agency, caller=self.caller, case=case, **changes)
        return Response(self.detail(case))


class CaseMoveView(CaseViewMixin, generics.GenericAPIView):
    """Moving a case's status."""

    queryset = SupportCase.objects.none()
    serializer_class = CaseMoveSerializer
    http_method_names = ["get", "post", "options"]

    @extend_schema(summary=_("Read the moves a case allows"), responses=CaseMoveStateSerializer)
    def get(self, request, *args, **kwargs):
        case = self.find_case()
        moves = allowed_moves(case)
        return Response(CaseMoveStateSerializer({"id": case.pk, "status": case.status, "allowed_moves": moves,
                                                 "may_move": self.caller.can(WORK_ON_CASES) and bool(moves)}).data)

    @extend_schema(summary=_("Move a case's status"), responses={200: CaseMovedSerializer, 409: REFUSED})
    def post(self, request, *args, **kwargs):
        """Move the case to ``to_status`` with an optional ``note`` (recorded on its timeline). Opening a draft
        needs Amazon's case id (the case's or ``amazon_case_id``); a transfer needs ``transferred_to``. Resolving a
        case that answers an open alert resolves the alert too with ``resolve_alert``; otherwise the answer's
        ``alert_open`` says it is still open. A move the status does not allow is a 409."""
        case = self.find_case()
        serializer = CaseMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            moved = services.case_move(agency=self.agency, caller=self.caller, case=case, **serializer.validated_data)
        except ValidationError as error:
            if "status" not in getattr(error, "message_dict", {}):
                raise
            current = self.get_rows().get(pk=case.pk)
            return Response({"status": error.message_dict["status"], "current_status": current.status,
                             "allowed_moves": allowed_moves(current)}, status=status.HTTP_409_CONFLICT)
        return Response(self.detail(moved.case, CaseMovedSerializer, alert_open=moved.alert_open,
                                    alert_resolved=moved.alert_resolved))


class CaseEventsView(CaseViewMixin, generics.ListCreateAPIView):
    """A case's timeline; logging an entry on it."""

    queryset = SupportCase.objects.none()  # the route's id is the case's (the isolation suite reads the model here)
    serializer_class = CaseEventSerializer

    def get_rows(self):
        return selectors.case_list(agency=self.agency, caller=self.caller)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or self.agency is None:
            return CaseEvent.objects.none()
        return selectors.case_events(agency=self.agency, case=self.find_case())

    @extend_schema(summary=_("List a case's timeline"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=_("Log a message, a reply or a note"), request=CaseEntrySerializer,
                   responses={201: CaseEntryLoggedSerializer})
    def post(self, request, *args, **kwargs):
        """Log our message to Amazon (``our_message``), Amazon's reply (``amazon_reply``) or an internal note
        (``note``). Our message is read by the tone checker first: with warnings (runs of exclamation marks,
        shouting, chasing or emotional words) it is a 400 on ``text`` naming them, unless ``confirm_tone`` is true;
        the answer lists the warnings it was logged with. Amazon's reply on a case waiting for Amazon moves it to
        answered."""
        case = self.find_case()
        serializer = CaseEntrySerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        logged = services.case_message_add(agency=self.agency, caller=self.caller, case=case,
                                           **serializer.validated_data)
        event = selectors.case_events(agency=self.agency, case=case).get(pk=logged.event.pk)
        body = {"event": event, "moved_to": str(logged.moved_to),
                "warnings": [{"code": str(warning.code), "message": str(warning.message),
                              "snippets": list(warning.snippets)} for warning in logged.warnings]}
        return Response(CaseEntryLoggedSerializer(body).data, status=status.HTTP_201_CREATED)


class CaseDocumentsView(CaseViewMixin, generics.GenericAPIView):
    """Attaching a document of the library to a case."""

    queryset = SupportCase.objects.none()
    serializer_class = CaseDocumentSerializer
    http_method_names = ["get", "post", "options"]

    @extend_schema(summary=_("List the documents attached to a case"),
                   responses=AttachedDocumentSerializer(many=True))
    def get(self, request, *args, **kwargs):
        """The documents of the library attached to the case that the caller sees, not in the trash, in the order
        they were attached."""
        documents = documents_linked_to(agency=self.agency, caller=self.caller, target=self.find_case())
        return Response(AttachedDocumentSerializer(documents, many=True).data)

    @extend_schema(summary=_("Attach a document to a case"), responses={201: CaseEventSerializer})
    def post(self, request, *args, **kwargs):
        """Attach a document of the library (one the caller sees, of the store's client, not in the trash) to the
        case; recorded on its timeline once. Another agency's document is a 400 on ``document``."""
        case = self.find_case()
        serializer = CaseDocumentSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        event = services.case_document_attach(agency=self.agency, caller=self.caller, case=case,
                                              document=serializer.validated_data["document"])
        event = selectors.case_events(agency=self.agency, case=case).get(pk=event.pk)
        return Response(CaseEventSerializer(event).data, status=status.HTTP_201_CREATED)


# Any word in the id's place, as the other routes of the API take: what is not an id is the same 404.
urlpatterns = [
    path("cases/", CaseListView.as_view(), name="case-list"),
    re_path(r"^cases/(?P<pk>[^/.]+)/$", CaseDetailView.as_view(), name="case-detail"),
    re_path(r"^cases/(?P<pk>[^/.]+)/move/$", CaseMoveView.as_view(), name="case-move"),
    re_path(r"^cases/(?P<pk>[^/.]+)/events/$", CaseEventsView.as_view(), name="case-events"),
    re_path(r"^cases/(?P<pk>[^/.]+)/documents/$", CaseDocumentsView.as_view(), name="case-documents"),
]
