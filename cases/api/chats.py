"""The HR chat channel over the API.

* ``GET /api/v1/stores/{id}/chat-eligibility/``: may the store chat now: ``may_chat``, every ``reasons``
  (``{code, message}``), ``chats_left_today``, ``frozen_until``, ``next_window`` ``{start, end}`` and
  ``opened_anyway``;
* ``GET|POST /api/v1/chats/?store=&outcome=&requested_from=&requested_to=``: the chats of the stores the caller
  sees; logging one;
* ``GET|PATCH /api/v1/chats/{id}/``: one chat with its transcript and documents; its outcome, agent, notes, case;
* ``GET|PUT /api/v1/chats/{id}/transcript/`` ``{text}``: replace the transcript with the one parsed from ``text``;
* ``GET|POST /api/v1/chats/{id}/documents/`` ``{document}``: attach a document of the library;
* ``GET|POST /api/v1/stores/{id}/chat-channel/`` ``{bulk_deletion_on}``: record (or clear) a bulk deletion of
  listings;
* ``GET|POST|DELETE /api/v1/stores/{id}/chat-channel/open-anyway/`` ``{reason}``: record that Amazon opened the
  channel anyway; withdraw the record (managers);
* ``GET|POST /api/v1/stores/{id}/chat-freeze/lift/`` ``{reason}``: lift a running freeze (managers).

Each ``GET`` reads what its writes change: the chat with its transcript and documents, the channel as recorded, the
running freeze and the lifts.

**Refusals.** A chat the rules forbid is a 400 whose ``store`` lists every reason in words (the 4th request of the
day names the quota and suggests a case; a freeze names its end): the same reasons as the eligibility endpoint.
A message the tone check warns about is a 400 on ``message`` (send ``confirm_tone: true`` to log it anyway); an
oversize or unparseable transcript a 400 on ``transcript``, nothing written; a document the caller does not see a
400 on ``document``. Lifting a freeze that is not running is a 400 on ``store``.

**Who.** Everyone of the agency reads the chats of the stores they see (an operator: their stores). Logging and
changing chats, transcripts, documents and a bulk deletion need ``WORK_ON_CASES`` (operators: on their stores);
recording "opened anyway" and lifting a freeze need ``MANAGE_CASES``. A store or chat of another agency, or beyond
an operator, is a 404 on every route, before any power is asked; a viewer or a read-only key then gets a 403.
"""

import django_filters
from django.http import Http404
from django.urls import path, re_path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.models import Store
from accounts.platform.api.mixins import TenantViewMixin
from accounts.platform.api.permissions import IsAgencyMember
from accounts.platform.ids import object_id_or_none
from accounts.selectors import visible_stores
from accounts.tenancy import caller_of
from documents.selectors import documents_linked_to
from health.filters import StoreFilter

from .. import quota
from ..models import ChatSession
from ..powers import MANAGE_CASES, WORK_ON_CASES
from ..selectors import chats as selectors
from ..services import chats as services
from .chat_serializers import (
    ChatChannelSerializer,
    ChatChannelStateSerializer,
    ChatDetailSerializer,
    ChatEligibilitySerializer,
    ChatLogSerializer,
    ChatSerializer,
    ChatUpdateSerializer,
    DocumentAttachSerializer,
    FreezeLiftSerializer,
    FreezeStateSerializer,
    ReasonBodySerializer,
    TranscriptSerializer,
)


class WorksOnCases(IsAgencyMember):
    """Members and keys read; writes need ``WORK_ON_CASES`` (on one store or chat: once it was found)."""

    power = WORK_ON_CASES


class ManagesCases(IsAgencyMember):
    """Members and keys read; writes need ``MANAGE_CASES`` (on one store: once it was found)."""

    power = MANAGE_CASES


def _stores_of_caller(request):
    caller = caller_of(request) if request is not None else None
    if caller is None or caller.agency is None:
        return Store.objects.none()
    return visible_stores(agency=caller.agency, caller=caller)


class ChatFilter(django_filters.FilterSet):
    """``?store=&outcome=&requested_from=&requested_to=``: the days are the agency's (midnight in its time zone),
    both included."""

    store = StoreFilter(queryset=_stores_of_caller, label=_("store"))
    outcome = django_filters.MultipleChoiceFilter(choices=ChatSession.Outcome.choices, label=_("outcome"))
    requested_from = django_filters.DateFilter(method="filter_from", label=_("requested from (day)"))
    requested_to = django_filters.DateFilter(method="filter_to", label=_("requested until (day, included)"))

    class Meta:
        model = ChatSession
        fields = ["store", "outcome", "requested_from", "requested_to"]

    def _zone(self):
        return caller_of(self.request).agency.time_zone

    def filter_from(self, chats, name, day):
        return chats.filter(requested_at__gte=quota.day_bounds(day, self._zone())[0])

    def filter_to(self, chats, name, day):
        return chats.filter(requested_at__lt=quota.day_bounds(day, self._zone())[1])


class ChatViewMixin(TenantViewMixin):
    """A view of the caller's chats; views that serve one chat name it ``pk`` in their route."""

    permission_classes = [WorksOnCases]
    filter_backends = []
    lookup_field = "pk"

    def get_rows(self):
        return selectors.chat_list(agency=self.agency, caller=self.caller)

    def find_chat(self):
        """The chat of the route among those the caller sees, the caller's object permissions checked; else 404."""
        chat_id = object_id_or_none(self.kwargs.get("pk"))
        if chat_id is None or self.agency is None:
            raise Http404
        chat = self.get_rows().filter(pk=chat_id).first()
        if chat is None:
            raise Http404
        self.check_object_permissions(self.request, chat)
        return chat

    def detail(self, chat):
        """The answer naming ``chat`` with its transcript and documents."""
        chat = self.get_rows().prefetch_related("messages").get(pk=chat.pk)
        documents = documents_linked_to(agency=self.agency, caller=self.caller, target=chat)
        context = {**self.get_serializer_context(), "documents": documents}
        return ChatDetailSerializer(chat, context=context).data


class StoreViewMixin(TenantViewMixin):
    """A view of one store's chat channel: the route's ``pk`` names a store the caller sees."""

    permission_classes = [WorksOnCases]
    filter_backends = []
    lookup_field = "pk"
    queryset = Store.objects.none()

    def get_rows(self):
        return visible_stores(agency=self.agency, caller=self.caller)

    def find_store(self):
        store_id = object_id_or_none(self.kwargs.get("pk"))
        if store_id is None or self.agency is None:
            raise Http404
        store = self.get_rows().filter(pk=store_id).first()
        if store is None:
            raise Http404
        self.check_object_permissions(self.request, store)
        return store


class ChatEligibilityView(StoreViewMixin, generics.GenericAPIView):
    """May the store chat now: every reason why not, the chats left today, the end of a freeze, the next window."""

    serializer_class = ChatEligibilitySerializer

    @extend_schema(summary=_("Read whether a store may chat now"))
    def get(self, request, *args, **kwargs):
        store = self.find_store()
        answer = selectors.chat_eligibility(agency=self.agency, store=store, now=timezone.now())
        return Response(ChatEligibilitySerializer(answer).data)


class ChatListView(ChatViewMixin, generics.ListAPIView):
    """The chats of the stores the caller sees, newest first; logging a chat (refused, 400, when the rules forbid
    it: every reason on ``store``)."""

    queryset = ChatSession.objects.none()
    serializer_class = ChatSerializer
    filter_backends = api_settings.DEFAULT_FILTER_BACKENDS
    filterset_class = ChatFilter
    search_fields = ["store__name", "agent"]
    ordering_fields = ["requested_at"]
    ordering = ["-requested_at", "-pk"]

    @extend_schema(summary=_("List HR chats"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=_("Log an HR chat"), request=ChatLogSerializer, responses={201: ChatDetailSerializer})
    def post(self, request, *args, **kwargs):
        body = ChatLogSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        chat = services.chat_log(agency=self.agency, caller=self.caller, **body.validated_data)
        return Response(self.detail(chat), status=status.HTTP_201_CREATED)


class ChatDetailView(ChatViewMixin, generics.GenericAPIView):
    """One chat with its transcript and documents; changing its outcome, agent, notes or case."""

    queryset = ChatSession.objects.none()
    serializer_class = ChatDetailSerializer
    http_method_names = ["get", "patch", "options"]

    @extend_schema(summary=_("Read an HR chat"))
    def get(self, request, *args, **kwargs):
        return Response(self.detail(self.find_chat()))

    @extend_schema(summary=_("Change an HR chat"), request=ChatUpdateSerializer, responses=ChatDetailSerializer)
    def patch(self, request, *args, **kwargs):
        chat = self.find_chat()
        body = ChatUpdateSerializer(data=request.data, context=self.get_serializer_context(), partial=True)
        body.is_valid(raise_exception=True)
        services.chat_update(agency=self.agency, caller=self.caller, chat=chat, **body.validated_data)
        return Response(self.detail(chat))


class ChatTranscriptView(ChatViewMixin, generics.GenericAPIView):
    """Replacing a chat's transcript with one pasted from Seller Central."""

    queryset = ChatSession.objects.none()
    serializer_class = TranscriptSerializer
    http_method_names = ["get", "put", "options"]

    @extend_schema(summary=_("Read an HR chat's transcript"), responses=ChatDetailSerializer)
    def get(self, request, *args, **kwargs):
        """The chat, its transcript in ``messages``."""
        return Response(self.detail(self.find_chat()))

    @extend_schema(summary=_("Replace an HR chat's transcript"), responses=ChatDetailSerializer)
    def put(self, request, *args, **kwargs):
        chat = self.find_chat()
        body = TranscriptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.chat_transcript_set(agency=self.agency, caller=self.caller, chat=chat,
                                     text=body.validated_data["text"])
        return Response(self.detail(chat))


class ChatDocumentsView(ChatViewMixin, generics.GenericAPIView):
    """Attaching a document of the library to a chat."""

    queryset = ChatSession.objects.none()
    serializer_class = DocumentAttachSerializer
    http_method_names = ["get", "post", "options"]

    @extend_schema(summary=_("Read the documents of an HR chat"), responses=ChatDetailSerializer)
    def get(self, request, *args, **kwargs):
        """The chat, the documents attached (those the caller sees) in ``documents``."""
        return Response(self.detail(self.find_chat()))

    @extend_schema(summary=_("Attach a document to an HR chat"), responses=ChatDetailSerializer)
    def post(self, request, *args, **kwargs):
        chat = self.find_chat()
        body = DocumentAttachSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        services.chat_document_attach(agency=self.agency, caller=self.caller, chat=chat,
                                      document=body.validated_data["document"])
        return Response(self.detail(chat))


class ChatChannelView(StoreViewMixin, generics.GenericAPIView):
    """Recording (or clearing) the day a store's listings were bulk-deleted."""

    serializer_class = ChatChannelSerializer
    http_method_names = ["get", "post", "options"]

    @extend_schema(summary=_("Read what is recorded of a store's chat channel"), responses=ChatChannelStateSerializer)
    def get(self, request, *args, **kwargs):
        channel = selectors.chat_channel(agency=self.agency, store=self.find_store())
        return Response(ChatChannelStateSerializer(channel).data)

    @extend_schema(summary=_("Record a bulk deletion of a store's listings"), responses=ChatChannelStateSerializer)
    def post(self, request, *args, **kwargs):
        store = self.find_store()
        body = ChatChannelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        channel = services.store_chat_channel_set(agency=self.agency, caller=self.caller, store=store,
                                                  bulk_deletion_on=body.validated_data["bulk_deletion_on"])
        return Response(ChatChannelStateSerializer(channel).data)


class OpenAnywayView(StoreViewMixin, generics.GenericAPIView):
    """Recording that Amazon opened a store's chat channel anyway; withdrawing that record. Managers only."""

    permission_classes = [ManagesCases]
    serializer_class = ReasonBodySerializer
    http_method_names = ["get", "post", "delete", "options"]

    @extend_schema(summary=_("Read whether Amazon opened a store's chat channel anyway"),
                   responses=ChatChannelStateSerializer)
    def get(self, request, *args, **kwargs):
        channel = selectors.chat_channel(agency=self.agency, store=self.find_store())
        return Response(ChatChannelStateSerializer(channel).data)

    @extend_schema(summary=_("Record that Amazon opened a store's chat channel anyway"),
                   responses=ChatChannelStateSerializer)
    def post(self, request, *args, **kwargs):
        store = self.find_store()
        body = ReasonBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        channel = services.chat_channel_open_anyway(agency=self.agency, caller=self.caller, store=store,
                                                    reason=body.validated_data["reason"])
        return Response(ChatChannelStateSerializer(channel).data)

    @extend_schema(summary=_("Withdraw the record that Amazon opened a store's chat channel"),
                   responses={200: ChatChannelStateSerializer})
    def delete(self, request, *args, **kwargs):
        store = self.find_store()
        channel = services.chat_channel_open_anyway_withdraw(agency=self.agency, caller=self.caller, store=store)
        return Response(ChatChannelStateSerializer(channel).data)


class FreezeLiftView(StoreViewMixin, generics.GenericAPIView):
    """Lifting a store's running chat freeze early, with the reason. Managers only."""

    permission_classes = [ManagesCases]
    serializer_class = ReasonBodySerializer
    http_method_names = ["get", "post", "options"]

    @extend_schema(summary=_("Read a store's chat freeze and the freezes lifted"), responses=FreezeStateSerializer)
    def get(self, request, *args, **kwargs):
        store = self.find_store()
        answer = selectors.chat_eligibility(agency=self.agency, store=store, now=timezone.now())
        return Response(FreezeStateSerializer({
            "store": store.pk, "frozen_until": answer.frozen_until,
            "lifts": selectors.freeze_lifts(agency=self.agency, store=store)}).data)

    @extend_schema(summary=_("Lift a store's chat freeze"), responses={201: FreezeLiftSerializer})
    def post(self, request, *args, **kwargs):
        store = self.find_store()
        body = ReasonBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lift = services.chat_freeze_lift(agency=self.agency, caller=self.caller, store=store,
                                         reason=body.validated_data["reason"])
        return Response(FreezeLiftSerializer(lift).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    re_path(r"^stores/(?P<pk>[^/.]+)/chat-eligibility/$", ChatEligibilityView.as_view(), name="store-chat-eligibility"),
    re_path(r"^stores/(?P<pk>[^/.]+)/chat-channel/$", ChatChannelView.as_view(), name="store-chat-channel"),
    re_path(r"^stores/(?P<pk>[^/.]+)/chat-channel/open-anyway/$", OpenAnywayView.as_view(),
            name="store-chat-open-anyway"),
    re_path(r"^stores/(?P<pk>[^/.]+)/chat-freeze/lift/$", FreezeLiftView.as_view(), name="store-chat-freeze-lift"),
    path("chats/", ChatListView.as_view(), name="chat-list"),
    re_path(r"^chats/(?P<pk>[^/.]+)/$", ChatDetailView.as_view(), name="chat-detail"),
    re_path(r"^chats/(?P<pk>[^/.]+)/transcript/$", ChatTranscriptView.as_view(), name="chat-transcript"),
    re_path(r"^chats/(?P<pk>[^/.]+)/documents/$", ChatDocumentsView.as_view(), name="chat-documents"),
]
