"""What an uploaded file of an appeal document must be, checked before a byte of it is stored.

* **Its name** is cleaned (``clean_name``): only the last part of a path (``../../etc/passwd.pdf`` is
  ``passwd.pdf``, ``C:\\scans\\bill.pdf`` is ``bill.pdf``), without control or format characters, without leading
  dots, at most 200 characters with its extension kept.
* **Its extension** is the name's last one, and one of ``ALLOWED`` (PDF, PNG, JPEG, WEBP, DOCX, XLSX):
  ``invoice.pdf.exe`` is an ``.exe``.
* **Its bytes** are sniffed by libmagic (python-magic), not trusted from the name or the browser's content type,
  and must be what the extension says: a text file named ``.pdf`` is refused.
* **Its size**: not empty, and not over ``DOCUMENTS_MAX_UPLOAD_BYTES`` (``FileTooLarge``, answered 413).

``inspect`` reads the file once, in chunks, for its SHA-256; nothing here holds a whole file in memory.
"""

import hashlib
import os
import unicodedata
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

FILE = "file"

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The extensions a document's file may have, each with the content types its bytes may sniff as.
ALLOWED = {
    "pdf": frozenset({"application/pdf"}),
    "png": frozenset({"image/png"}),
    "jpg": frozenset({"image/jpeg"}),
    "jpeg": frozenset({"image/jpeg"}),
    "webp": frozenset({"image/webp"}),
    "docx": frozenset({DOCX}),
    "xlsx": frozenset({XLSX}),
}
ALLOWED_LABEL = "PDF, PNG, JPEG, WEBP, DOCX, XLSX"
NAME_MAX_LENGTH = 200
#: How much of an in-memory file libmagic is given (its own default limit of what it reads).
SNIFF_BYTES = 1024 * 1024


class FileTooLarge(ValidationError):
    """A file over the size limit: the API answers it with 413."""


@dataclass(frozen=True)
class UploadFacts:
    """What was learnt of an accepted file."""

    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def clean_name(name):
    """``name`` as the product keeps it: the last part of any path, without control or format characters and
    leading dots or spaces, at most ``NAME_MAX_LENGTH`` characters (the extension kept); ``""`` when nothing is
    left."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(character for character in unicodedata.normalize("NFC", name)
                   if unicodedata.category(character) not in ("Cc", "Cf", "Cs", "Co"))
    name = " ".join(name.split()).lstrip(". ")
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) < 10:
            name = stem[:NAME_MAX_LENGTH - len(extension) - 1] + "." + extension
        else:
            name = name[:NAME_MAX_LENGTH]
    return name


def extension_of(name):
    """The last extension of ``name``, lower-cased (``""``: none)."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def sniff(upload):
    """The content type of ``upload``'s bytes, by libmagic: from its temporary file when it has one (a large
    upload), else from its first ``SNIFF_BYTES``."""
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        return magic.from_file(path(), mime=True)
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return magic.from_buffer(head, mime=True)


def max_bytes():
    return settings.DOCUMENTS_MAX_UPLOAD_BYTES


def inspect(upload):
    """The ``UploadFacts`` of ``upload`` (a Django ``UploadedFile`` or ``File``), or a ``ValidationError`` on the
    ``file`` field naming what is wrong with it (``FileTooLarge`` past the size limit). Reads the file once, in
    chunks."""
    if upload is None:
        raise ValidationError({FILE: [_("Choose a file to upload.")]})
    name = clean_name(getattr(upload, "name", ""))
    extension = extension_of(name)
    if extension not in ALLOWED:
        shown = f".{extension}" if extension else _("no extension")
        raise ValidationError({FILE: [
            _("“%(name)s”: %(extension)s files are not taken; a document is one of %(allowed)s.")
            % {"name": name or "?", "extension": shown, "allowed": ALLOWED_LABEL}]})
    size = upload.size
    if size is None:
        size = _measured_size(upload)
    if size == 0:
        raise ValidationError({FILE: [_("“%(name)s” is empty.") % {"name": name}]})
    if size > max_bytes():
        raise FileTooLarge({FILE: [_("“%(name)s” is %(size)s; a document's file may be at most %(limit)s.")
                                   % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(max_bytes())}]})
    content_type = sniff(upload)
    if content_type not in ALLOWED[extension]:
        raise ValidationError({FILE: [
            _("“%(name)s” is named .%(extension)s, but its content is %(content_type)s: the file's content and its "
              "extension must agree.") % {"name": name, "extension": extension, "content_type": content_type}]})
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return UploadFacts(name=name, extension=extension, content_type=content_type, size=size,
                       sha256=digest.hexdigest())


def _measured_size(upload):
    upload.seek(0, os.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    return size
