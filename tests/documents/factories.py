"""Rows of the appeal-document library for tests: real files, written through the services (the documents storage
of the test settings), so that a row always has its file."""

import datetime
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.tenancy import Caller
from documents import selectors, services, types
from documents.models import AppealDocument

#: The smallest file libmagic takes for a PDF: its header and an end-of-file marker.
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def pdf_file(name="scan.pdf", *, marker=b""):
    """An uploaded PDF; ``marker`` makes its bytes (and SHA-256) its own."""
    return SimpleUploadedFile(name, PDF_BYTES + b"%" + marker + b"\n", content_type="application/pdf")


def png_bytes():
    """A real 1x1 PNG."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def make_document(persona, *, store=None, stores=None, type_code=types.LEGAL_REPRESENTATIVE_ID, title=None,
                  issued_on=None, expires_on=None, upload=None, caller=None, **details):
    """A document of the persona's client serving ``store`` (default: the assigned store), uploaded by its owner."""
    stores = stores or [store or persona.assigned_store]
    caller = caller or Caller.person(agency=persona.agency, user=persona.owner, role="owner")
    if issued_on is None and type_code in (types.ADDRESS_PROOF, types.SUPPLIER_INVOICE, types.CARD_STATEMENT):
        issued_on = persona.agency.today() - datetime.timedelta(days=10)
    title = title or f"{type_code} of {persona.agency.slug}"
    upload = upload or pdf_file(marker=f"{persona.agency.slug}-{title}-{id(stores)}".encode())
    with scope(agency=persona.agency):
        return services.document_create(agency=persona.agency, caller=caller, upload=upload,
                                        client=persona.client, stores=stores, type_code=type_code, title=title,
                                        issued_on=issued_on, expires_on=expires_on, **details)


def moved_to_trash(document, *, days_ago, trash_days=None):
    """``document`` as if it had been moved to the trash ``days_ago`` days ago, when the agency kept its trash for
    ``trash_days`` days (by default its policy's now): what ``services.document_delete`` then wrote."""
    deleted_at = timezone.now() - datetime.timedelta(days=days_ago)
    with scopes_disabled():
        if trash_days is None:
            trash_days = selectors.document_policy(agency=document.agency).trash_days
        AppealDocument.objects.filter(pk=document.pk).update(
            deleted_at=deleted_at, purge_after=deleted_at + datetime.timedelta(days=trash_days))
        document.refresh_from_db()
    return document
