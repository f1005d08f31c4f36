"""Where the files of appeal documents live, and how they are handed out.

The storage is ``STORAGES["documents"]`` (``config.settings.base``): by default a private local folder that no URL
serves; with ``STORAGE_BACKEND=s3``, any S3 API (AWS S3, MinIO, Aliyun OSS). Either way:

* each file gets a new random key below its agency's prefix (``agency-<id>/documents/<32 hex digits>.<ext>``), so
  no upload ever lands on an existing file, and a key says nothing of the document;
* a download goes through the product's own view, which checks who asks, then ``download_response``: the local
  folder is streamed in chunks (never read into memory); an S3 file is a redirect to a presigned URL that lives
  ``DOCUMENTS_URL_LIFETIME`` seconds (15 minutes at most).
"""

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, HttpResponseRedirect
from django.utils.functional import LazyObject
from django.utils.http import content_disposition_header

ALIAS = "documents"


class CurrentDocumentsStorage(LazyObject):
    """``storages["documents"]`` as it is at each use. Django calls a ``FileField``'s storage callable once, when the
    model class is built, and keeps what it returned: a plain storage would freeze the one configured at import, and
    a changed ``STORAGES`` (a settings override, a test's S3 bucket) would never reach the field. This stand-in asks
    Django's storage registry every time (it passes ``isinstance`` checks as the storage it stands for)."""

    @property
    def _wrapped(self):
        return storages[ALIAS]

    def __deepcopy__(self, memo):
        return self


_current = CurrentDocumentsStorage()


def documents_storage():
    """The storage of the documents' files: a stand-in for the configured one, resolved at each use."""
    return _current


def agency_prefix(agency_id):
    return f"agency-{agency_id}/"


def new_key(version, filename):
    """A new random key for ``version``'s file below its agency's prefix, keeping only the cleaned extension."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{agency_prefix(version.agency_id)}documents/{uuid.uuid4().hex}.{extension}"


def is_local(storage):
    return isinstance(storage, FileSystemStorage)


def url_lifetime():
    """Seconds a presigned URL lives: the setting, never more than 15 minutes."""
    return max(1, min(int(settings.DOCUMENTS_URL_LIFETIME), 15 * 60))


def download_response(version):
    """The answer that hands ``version``'s file to someone already allowed to have it: its bytes streamed from the
    local folder, or a redirect to a short-lived presigned URL of the S3 store. Either way the browser saves it
    under the document's cleaned file name, with the sniffed content type."""
    storage = version.file.storage
    if is_local(storage):
        response = FileResponse(storage.open(version.file.name, "rb"), as_attachment=True,
                                filename=version.original_name, content_type=version.content_type)
        # An appeal paper (an ID card) is nobody's to keep in a shared cache.
        response["Cache-Control"] = "private, no-store"
        return response
    url = storage.url(version.file.name, expire=url_lifetime(), parameters={
        "ResponseContentDisposition": content_disposition_header(True, version.original_name),
        "ResponseContentType": version.content_type,
    })
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"
    return response
