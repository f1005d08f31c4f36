"""The documents of the library over the API: the list (filtered, searched, paged), uploading a new document, and
one document's details, changes and removal to the trash.

* ``GET /api/v1/documents/?client=&store=&type=&state=&tag=&search=``
* ``POST /api/v1/documents/`` (multipart: ``file`` and the details)
* ``GET|PATCH|DELETE /api/v1/documents/{id}/``
"""

from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .. import selectors, services
from ..filters import DocumentFilter
from ..models import AppealDocument
from ..uploads import upload_body_limit
from .access import LibraryViewMixin, OneDocumentView
from .files import FILE_TOO_LARGE, duplicate_warning, stored
from .serializers import DocumentSerializer, DocumentUploadSerializer


class DocumentListView(LibraryViewMixin, generics.ListCreateAPIView):
    """The documents of the stores the caller sees (an operator: those that serve one of their stores), most
    recently changed first, each with its stores, type, freshness today (state, the last day it is good, and why)
    and current version.

    Filters: ``client`` and ``store`` (ids of rows the caller sees), ``type`` (a type code of the agency),
    ``state`` (valid, expiring_soon, expired or stale: judged today by the agency's policy), ``tag``, and
    ``search`` in the title, the notes and the client's name."""

    queryset = AppealDocument.objects.none()
    filter_backends = api_settings.DEFAULT_FILTER_BACKENDS
    filterset_class = DocumentFilter
    search_fields = ["title", "notes", "client__name"]
    ordering_fields = ["updated_at", "created_at", "title", "issued_on", "expires_on"]
    ordering = ["-updated_at", "-pk"]
    request_body_limit = staticmethod(upload_body_limit)

    def get_rows(self):
        return selectors.document_list(agency=self.agency, caller=self.caller)

    def get_serializer_class(self):
        request = getattr(self, "request", None)
        if request is not None and request.method == "GET":
            return DocumentSerializer
        return DocumentUploadSerializer

    @extend_schema(summary=_("List documents"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary=_("Upload a document"), responses={
        201: DocumentUploadSerializer,
        413: FILE_TOO_LARGE,
    })
    def post(self, request, *args, **kwargs):
        """Upload a new document: multipart with its ``file`` and its details (``client``, ``stores`` as the field
        repeated or as ids separated by commas, ``type_code``, ``title``, ``issued_on``, ``expires_on``, ``notes``,
        ``tags``). Operators upload for their own stores; read-only keys and viewers may not upload.

        The file is checked before a byte of it is stored: a PDF, PNG, JPEG, WEBP, DOCX or XLSX whose bytes agree
        with its extension, not empty, and at most the size limit (past it: 413 naming ``file``). Its name is kept
        without paths and control characters. When the client already has a file with the same bytes, the
        answer's ``duplicate_of`` says which (the upload is kept all the same)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        details = dict(serializer.validated_data)
        upload = details.pop("file")
        with stored():
            document = services.document_create(agency=self.agency, caller=self.caller, upload=upload, **details)
        document = selectors.document_list(agency=self.agency, caller=self.caller).get(pk=document.pk)
        document.duplicate_of = duplicate_warning(agency=self.agency, caller=self.caller,
                                                  version=document.versions_newest_first[0])
        return Response(self.get_serializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDetailView(OneDocumentView):
    """One document of the library: its details, stores, type, freshness today and current version. A document in
    the trash is not found here (see /api/v1/documents/trash/)."""

    serializer_class = DocumentSerializer
    http_method_names = ["get", "patch", "delete", "options"]

    def get_rows(self):
        return selectors.document_list(agency=self.agency, caller=self.caller)

    @extend_schema(summary=_("Read a document"))
    def get(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(summary=_("Change a document's details"))
    def patch(self, request, *args, **kwargs):
        """Change any of the document's details (a new file is a new version: POST .../versions/). An operator
        names only stores they see; the stores of the document beyond them stay as they are. Recorded in the
        document's trail with the names of the fields that changed."""
        document = self.get_object()
        serializer = self.get_serializer(document, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.document_update(agency=self.agency, caller=self.caller, document=document,
                                 **serializer.validated_data)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(summary=_("Move a document to the trash"), responses={
        204: OpenApiResponse(description=_("Moved to the trash: a manager can restore it for the agency's days.")),
    })
    def delete(self, request, *args, **kwargs):
        """Move the document to the trash (its files are kept): it leaves the lists, and a manager can restore it
        for the agency's days (POST .../restore/); then it is removed for good. Recorded in the trail."""
        services.document_delete(agency=self.agency, caller=self.caller, document=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# Any word in the id's place, as the other routes of the API take: what is not an id is the same 404.
urlpatterns = [
    path("documents/", DocumentListView.as_view(), name="document-list"),
    re_path(r"^documents/(?P<pk>[^/.]+)/$", DocumentDetailView.as_view(), name="document-detail"),
]
