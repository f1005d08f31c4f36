"""The files of a document over the API: its versions, uploading a new one, and downloads.

* ``GET|POST /api/v1/documents/{id}/versions/``: the versions, newest first; a new file as the new current version;
* ``GET /api/v1/documents/{id}/download/``: the current version's file;
* ``GET /api/v1/documents/{document_pk}/versions/{id}/download/``: an earlier version's file.

A download is recorded in the document's trail first, then handed out by ``documents.storage.download_response``:
streamed from the local folder, or a redirect to a presigned S3 URL that lives 15 minutes at most. Nothing is
recorded and no URL is made for a document the caller does not see: that is a 404 before the storage is asked.
"""

from contextlib import contextmanager

from django.http import Http404
from django.urls import re_path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response

from accounts.platform.ids import object_id_or_none

from .. import selectors, services, storage, uploads
from ..models import DocumentVersion
from ..uploads import upload_body_limit
from .access import LibraryViewMixin, OneDocumentView
from .serializers import VersionSerializer, VersionUploadSerializer


class FileTooLargeError(exceptions.APIException):
    """A file past ``DOCUMENTS_MAX_UPLOAD_BYTES``: 413, with the message on the ``file`` field."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The file is too large.")
    default_code = "file_too_large"


FILE_TOO_LARGE = OpenApiResponse(
    {"type": "object", "properties": {
        uploads.FILE: {"type": "array", "items": {"type": "string"},
                       "description": _("The file is past the size limit: its name, its size and the limit.")},
        "detail": {"type": "string", "description": _("The whole request body is past the limit.")},
    }},
    _("The file, or the whole request, is too large."),
)


@contextmanager
def stored():
    """Around a service that stores a file: a file past the size limit is answered 413 naming the ``file`` field
    (other refusals are the usual 400 with field errors)."""
    try:
        yield
    except uploads.FileTooLarge as error:
        raise FileTooLargeError(error.message_dict) from error


def duplicate_warnings(*, agency, caller, versions):
    """``{version id: its warning}`` for ``versions`` (their ``duplicate_of`` loaded), as ``DuplicateSerializer``
    shows it: ``None`` for bytes the client did not have yet. The earlier document is named only to a caller who sees
    it (``selectors.duplicates_seen``: one query, however many versions)."""
    seen = selectors.duplicates_seen(agency=agency, caller=caller, versions=versions)
    warnings = {}
    for version in versions:
        earlier = seen.get(version.pk)
        if version.duplicate_of_id is None:
            warnings[version.pk] = None
        elif earlier is None:
            warnings[version.pk] = {"document": None, "title": None, "version": None,
                                    "message": gettext("The same file is already stored for this client.")}
        else:
            warnings[version.pk] = {
                "document": earlier.document_id, "title": earlier.document.title, "version": earlier.number,
                "message": gettext("The same file is already stored for this client: “%(title)s”, version "
                                   "%(number)s.") % {"title": earlier.document.title, "number": earlier.number}}
    return warnings


def duplicate_warning(*, agency, caller, version):
    """The warning of one upload (``duplicate_warnings``); ``None`` when its bytes are new."""
    return duplicate_warnings(agency=agency, caller=caller, versions=[version])[version.pk]


class VersionListView(OneDocumentView):
    """The versions of a document, newest first (the first is the current one), each with its file's name, size,
    sniffed type, SHA-256, who uploaded it and when, and the address to download it. Every version stays
    downloadable."""

    request_body_limit = staticmethod(upload_body_limit)

    def get_serializer_class(self):
        request = getattr(self, "request", None)
        if request is not None and request.method == "POST":
            return VersionUploadSerializer
        return VersionSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        request = context.get("request")

        def download_url(version):
            address = reverse("api:document-version-download",
                              kwargs={"document_pk": version.document_id, "pk": version.pk})
            return request.build_absolute_uri(address) if request is not None else address

        context["download_url"] = download_url
        return context

    def _versions(self, document, **lookup):
        """``document``'s versions (those matching ``lookup``), each with its duplicate warning: the same few
        queries however many versions repeat a file."""
        versions = list(selectors.document_versions(agency=self.agency, document=document)
                        .select_related("uploaded_by_key").filter(**lookup))
        warnings = duplicate_warnings(agency=self.agency, caller=self.caller, versions=versions)
        for version in versions:
            version.duplicate_warning = warnings[version.pk]
        return versions

    @extend_schema(summary=_("List a document's versions"), responses=VersionSerializer(many=True))
    def get(self, request, *args, **kwargs):
        versions = self._versions(self.find_document())
        return Response(VersionSerializer(versions, many=True, context=self.get_serializer_context()).data)

    @extend_schema(summary=_("Upload a new version of a document"), request=VersionUploadSerializer,
                   responses={201: VersionSerializer, 413: FILE_TOO_LARGE})
    def post(self, request, *args, **kwargs):
        """Upload a new file of the document (multipart ``file``): it becomes the current version, and the earlier
        ones are kept and stay downloadable. The file is checked as a new document's is (past the size limit:
        413 naming ``file``); ``duplicate_of`` warns when the client already has the same bytes."""
        document = self.find_document()
        serializer = VersionUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with stored():
            version = services.document_add_version(agency=self.agency, caller=self.caller, document=document,
                                                    upload=serializer.validated_data["file"])
        [version] = self._versions(document, pk=version.pk)
        return Response(VersionSerializer(version, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


DOWNLOAD = {
    (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, _(
        "The file, streamed, as an attachment under its cleaned name and with its sniffed content type.")),
    302: OpenApiResponse(description=_("On an S3 store: a redirect to a presigned URL of the file that lives 15 "
                                       "minutes at most.")),
}


def hand_out(*, agency, caller, version):
    """Record the download of ``version`` by ``caller``, then hand its file out."""
    services.document_download_record(agency=agency, caller=caller, version=version)
    return storage.download_response(version)


class DocumentDownloadView(OneDocumentView):
    """Download the document's current file: recorded in its trail (who, when, which version), then streamed, or
    on an S3 store a redirect to a presigned URL that lives 15 minutes at most."""

    http_method_names = ["get", "options"]

    @extend_schema(summary=_("Download a document"), responses=DOWNLOAD)
    def get(self, request, *args, **kwargs):
        document = self.find_document()
        version = selectors.current_version(agency=self.agency, document=document)
        if version is None:
            raise Http404
        version.document = document
        return hand_out(agency=self.agency, caller=self.caller, version=version)


class VersionDownloadView(LibraryViewMixin, generics.GenericAPIView):
    """Download one version's file (an earlier one too): recorded in the document's trail, then streamed, or on an
    S3 store a redirect to a presigned URL that lives 15 minutes at most. The version is named by its id, as the
    document's list of versions gives it (with its download address)."""

    queryset = DocumentVersion.objects.none()
    http_method_names = ["get", "options"]

    @extend_schema(summary=_("Download a version of a document"), responses=DOWNLOAD, parameters=[
        OpenApiParameter("document_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The document's id.")),
        OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The version's id.")),
    ])
    def get(self, request, *args, **kwargs):
        document = self.find_document(pk=self.kwargs["document_pk"])
        version_id = object_id_or_none(self.kwargs["pk"])
        version = None
        if version_id is not None:
            version = selectors.document_versions(agency=self.agency, document=document).filter(pk=version_id).first()
        if version is None:
            raise Http404
        version.document = document
        return hand_out(agency=self.agency, caller=self.caller, version=version)


# Any word in an id's place, as the other routes of the API take: what is not an id is the same 404.
urlpatterns = [
    re_path(r"^documents/(?P<pk>[^/.]+)/versions/$", VersionListView.as_view(), name="document-versions"),
    re_path(r"^documents/(?P<pk>[^/.]+)/download/$", DocumentDownloadView.as_view(), name="document-download"),
    re_path(r"^documents/(?P<document_pk>[^/.]+)/versions/(?P<pk>[^/.]+)/download/$", VersionDownloadView.as_view(),
            name="document-version-download"),
]
