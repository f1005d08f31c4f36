"""The trash over the API: what was deleted, until when it can come back, and bringing it back.

* ``GET /api/v1/documents/trash/``: the documents in the trash that the caller sees, most recently deleted first;
* ``GET|POST /api/v1/documents/{id}/restore/``: whether and until when the document can be restored; restoring it
  (managers, within the agency's days).
"""

from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from .. import selectors, services
from ..models import AppealDocument
from .access import LibraryViewMixin, ManagesLibrary, OneDocumentView
from .serializers import DocumentSerializer, RestoreStateSerializer, TrashedDocumentSerializer


class TrashListView(LibraryViewMixin, generics.ListAPIView):
    """The documents in the trash that the caller sees, most recently deleted first, each with who deleted it,
    when, and until when a manager can restore it (then it is removed for good)."""

    # No queryset here: its rows are the trash's, not the documents the other routes serve.
    serializer_class = TrashedDocumentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or self.agency is None:
            return AppealDocument.objects.none()
        return (selectors.document_list(agency=self.agency, caller=self.caller, trash=True)
                .select_related("deleted_by").order_by("-deleted_at", "-pk"))

    @extend_schema(summary=_("List the trash"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DocumentRestoreView(OneDocumentView):
    """Whether the document is in the trash and until when it can be restored; restoring it."""

    permission_classes = [ManagesLibrary]
    serializer_class = RestoreStateSerializer
    http_method_names = ["get", "post", "options"]

    def get_rows(self):
        return selectors.visible_documents(agency=self.agency, caller=self.caller, trash=None)

    @extend_schema(summary=_("Read whether a document can be restored"))
    def get(self, request, *args, **kwargs):
        """Whether the document is in the trash, who deleted it and when, and until when a manager can restore
        it."""
        document = self.find_document(trash=None)
        return Response(RestoreStateSerializer(document, context=self.get_serializer_context()).data)

    @extend_schema(summary=_("Restore a document from the trash"), request=None, responses={
        200: DocumentSerializer,
        400: OpenApiResponse(
            {"type": "object", "properties": {"document": {"type": "array", "items": {"type": "string"}}}},
            _("The document is not in the trash, or it stayed there past the agency's days: the message says "
              "which.")),
    })
    def post(self, request, *args, **kwargs):
        """Take the document out of the trash (managers and read-write keys), within the agency's days; recorded
        in its trail. Past the days, or for a document that is not in the trash, a 400 on ``document`` says
        why."""
        document = self.find_document(trash=None)
        services.document_restore(agency=self.agency, caller=self.caller, document=document)
        restored = selectors.document_list(agency=self.agency, caller=self.caller).get(pk=document.pk)
        return Response(DocumentSerializer(restored, context=self.get_serializer_context()).data)


urlpatterns = [
    path("documents/trash/", TrashListView.as_view(), name="document-trash"),
    re_path(r"^documents/(?P<pk>[^/.]+)/restore/$", DocumentRestoreView.as_view(), name="document-restore"),
]
