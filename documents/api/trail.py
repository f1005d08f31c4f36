"""A document's trail over the API: ``GET /api/v1/documents/{id}/events/``, newest first, by cursor."""

from django.urls import re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from accounts.platform.api.pagination import HistoryPagination

from ..models import AppealDocument, DocumentEvent
from .access import LibraryViewMixin
from .serializers import EventSerializer


class EventPagination(HistoryPagination):
    ordering = ("-at", "-pk")


class DocumentEventListView(LibraryViewMixin, generics.ListAPIView):
    """The trail of a document, newest first: every upload, new version, download, change, move to the trash and
    restoration, with who did it (a person's email, or an API key's name), when, the version concerned and a
    detail (the file's name, the fields that changed)."""

    queryset = AppealDocument.objects.none()  # the route's object is the document
    serializer_class = EventSerializer
    pagination_class = EventPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or self.agency is None:
            return DocumentEvent.objects.none()
        document = self.find_document()
        return (DocumentEvent.objects.filter(agency=self.agency, document=document)
                .select_related("actor", "api_key", "version"))

    @extend_schema(summary=_("List a document's trail"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


urlpatterns = [
    re_path(r"^documents/(?P<pk>[^/.]+)/events/$", DocumentEventListView.as_view(), name="document-events"),
]
