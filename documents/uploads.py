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
#: How much of an in-memory file libmagic is given: what it reads of a file on disk itself (its default
#: ``MAGIC_PARAM_BYTES_MAX`` since libmagic 5.40), so that both sniff alike. An in-memory upload (at most
#: ``FILE_UPLOAD_MAX_MEMORY_SIZE``) is thus sniffed whole: the parts that tell a DOCX or an XLSX from a plain ZIP may
#: lie past the first megabyte, behind an embedded picture.
SNIFF_BYTES = 7 * 1024 * 1024


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


def printable(text):
    """``text`` without control, format (zero-width, right-to-left override), surrogate or private-use characters,
    its runs of white space made one space: what a person can read is what the product keeps (a title that shows as
    "invoiceexe.pdf" must not be "invoice\u202efdp.exe")."""
    text = "".join(character for character in unicodedata.normalize("NFC", str(text or ""))
                   if unicodedata.category(character) not in ("Cc", "Cf", "Cs", "Co") or character in "\t\n")
    return " ".join(text.split())


def clean_name(name):
    """``name`` as the product keeps it: the last part of any path, without control or format characters and
    leading dots or spaces, at most ``NAME_MAX_LENGTH`` characters (the extension kept); ``""`` when nothing is
    left."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    # A file name has no line breaks nor tabs to keep as spaces: every control character goes.
    name = printable("".join(character for character in name if unicodedata.category(character) != "Cc"))
    name = name.lstrip(". ")
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
    upload), else from its first ``SNIFF_BYTES`` (the whole of an in-memory upload)."""
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        return magic.from_file(path(), mime=True)
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return magic.from_buffer(head, mime=True)


def max_bytes():
    return settings.DOCUMENTS_MAX_UPLOAD_BYTES


def upload_body_limit():
    """The largest request body an upload takes (``request_body_limit`` of the API's and the admin's upload views):
    a file of the largest size allowed and the form's other fields. A larger body is refused before it is read; a
    file past the size limit within it gets the answer that names the file (``FileTooLarge``)."""
    return settings.DOCUMENTS_MAX_UPLOAD_BYTES + settings.DOCUMENTS_UPLOAD_FORM_BYTES


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
        limit, shown = filesizeformat(max_bytes()), filesizeformat(size)
        if shown == limit:  # just past the limit: the rounded sizes would read the same
            limit, shown = _("%(bytes)s bytes") % {"bytes": f"{max_bytes():,}"}, _("%(bytes)s bytes") % {
                "bytes": f"{size:,}"}
        raise FileTooLarge({FILE: [_("“%(name)s” is %(size)s; a document's file may be at most %(limit)s.")
                                   % {"name": name, "size": shown, "limit": limit}]})
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
