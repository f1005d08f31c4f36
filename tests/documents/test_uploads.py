"""What an uploaded file must be (``documents.uploads``): its cleaned name, its extension, its bytes sniffed by
libmagic against that extension, its size; with real files of every allowed format, no database."""

import hashlib
import io
import os
import struct
import zipfile

import docx
import magic
import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation

from documents import uploads
from documents.uploads import FileTooLarge, clean_name, extension_of, inspect
from tests.documents.factories import PDF_BYTES, png_bytes


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# -- real files of every allowed format (Pillow is not installed: the images are laid out by hand) ---------------
def jpeg_bytes():
    """A 1x1 grey baseline JPEG: one quantisation table, one Huffman code each for DC and AC, one block."""
    def segment(marker, payload):
        return b"\xff" + marker + struct.pack(">H", len(payload) + 2) + payload
    one_code = bytes([1] + [0] * 15) + b"\x00"  # one code of length 1, for symbol 0
    return (b"\xff\xd8"
            + segment(b"\xe0", b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
            + segment(b"\xdb", b"\x00" + bytes([1] * 64))
            + segment(b"\xc0", b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
            + segment(b"\xc4", b"\x00" + one_code)
            + segment(b"\xc4", b"\x10" + one_code)
            + segment(b"\xda", b"\x01\x01\x00\x00\x3f\x00")
            + b"\x3f"  # DC difference 0 ("0"), end of block ("0"), padded with ones
            + b"\xff\xd9")


def webp_bytes():
    """A 1x1 lossless WEBP."""
    image = bytes.fromhex("2f000000100710111188 88fe07")
    body = b"WEBP" + b"VP8L" + struct.pack("<I", len(image)) + image + b"\x00"  # a chunk of odd length is padded
    return b"RIFF" + struct.pack("<I", len(body)) + body


def docx_bytes(paragraph="Plan of action"):
    document = docx.Document()
    document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes():
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Invoice 2026-001"
    workbook.active["B1"] = 1234.5
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_behind_a_large_picture():
    """A DOCX whose first part is a 1.5 MB picture: the parts that make it a DOCX lie past the first megabyte."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("docProps/thumbnail.jpeg", os.urandom(1536 * 1024), zipfile.ZIP_STORED)
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
                         '.org/package/2006/content-types"/>', zipfile.ZIP_DEFLATED)
        package.writestr("word/document.xml", "<w:document/>", zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def plain_zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("invoice.txt", "not an office file")
    return buffer.getvalue()


FORMATS = {
    "scan.pdf": (PDF_BYTES, "application/pdf"),
    "photo.png": (png_bytes(), "image/png"),
    "photo.jpg": (jpeg_bytes(), "image/jpeg"),
    "photo.jpeg": (jpeg_bytes(), "image/jpeg"),
    "photo.webp": (webp_bytes(), "image/webp"),
    "plan.docx": (docx_bytes(), uploads.DOCX),
    "invoices.xlsx": (xlsx_bytes(), uploads.XLSX),
}


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def file_error(excinfo):
    return " ".join(str(message) for message in excinfo.value.message_dict["file"])


# -- names ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("given", "kept"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("/var/www/../secret/bill.pdf", "bill.pdf"),
    ("C:\\scans\\March\\bill.pdf", "bill.pdf"),
    ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
    ("in\x00voi\x1bce\x7f\r\n.pdf", "invoice.pdf"),
    ("bill\tmarch.pdf", "billmarch.pdf"),
    ("in\u200bvoi\u200dce\ufeff.pdf", "invoice.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),  # a right-to-left override that would show "exe.pdf"
    ("...hidden.pdf", "hidden.pdf"),
    (". . .pdf", "pdf"),
    ("  March   bill .pdf", "March bill .pdf"),
    ("Rechnung_Mu\u0308nchen.pdf", "Rechnung_München.pdf"),
    ("营业执照.pdf", "营业执照.pdf"),
    ("../../", ""),
    ("", ""),
    (None, ""),
])
def test_a_name_keeps_only_its_last_part_without_control_or_format_characters(given, kept):
    assert clean_name(given) == kept


def test_a_very_long_name_is_cut_to_200_characters_and_keeps_its_extension():
    name = clean_name("a" * 300 + ".pdf")

    assert len(name) == uploads.NAME_MAX_LENGTH
    assert name.endswith("a.pdf")
    assert extension_of(name) == "pdf"


def test_a_very_long_name_with_a_very_long_extension_is_simply_cut():
    assert len(clean_name("scan." + "x" * 300)) == uploads.NAME_MAX_LENGTH


@pytest.mark.parametrize(("name", "extension"), [
    ("invoice.pdf.exe", "exe"),
    ("INVOICE.PDF", "pdf"),
    ("archive.tar.gz", "gz"),
    ("pdf", ""),
    (".pdf", ""),
    ("invoice.", ""),
])
def test_the_extension_is_the_last_one_lower_cased(name, extension):
    assert extension_of(name) == extension


# -- every allowed format, by its bytes -------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_a_real_file_of_every_allowed_format_is_accepted_with_its_facts(name):
    content, content_type = FORMATS[name]

    facts = inspect(upload(name, content, content_type="text/plain"))  # the browser's type is not trusted

    assert facts.name == name
    assert facts.extension == name.rsplit(".", 1)[1]
    assert facts.content_type == content_type
    assert facts.size == len(content)
    assert facts.sha256 == hashlib.sha256(content).hexdigest()


def test_the_extension_may_be_written_in_capitals():
    facts = inspect(upload("SCAN.PDF", PDF_BYTES))

    assert (facts.name, facts.extension, facts.content_type) == ("SCAN.PDF", "pdf", "application/pdf")


def test_a_docx_whose_telling_parts_lie_past_the_first_megabyte_is_still_a_docx():
    content = docx_behind_a_large_picture()
    assert magic.from_buffer(content[:1024 * 1024], mime=True) == "application/zip"  # the first MB is not enough

    facts = inspect(upload("contract.docx", content))

    assert facts.content_type == uploads.DOCX
    assert facts.size == len(content)


def test_inspect_leaves_the_file_at_its_start_for_the_storage():
    file = upload("scan.pdf", PDF_BYTES)

    inspect(file)

    assert file.read() == PDF_BYTES


def test_a_large_upload_kept_in_a_temporary_file_is_sniffed_from_its_path(monkeypatch):
    content = xlsx_bytes()
    sniffed_paths = []
    from_file = magic.from_file

    def recording_from_file(path, *args, **kwargs):
        sniffed_paths.append(path)
        return from_file(path, *args, **kwargs)

    monkeypatch.setattr(magic, "from_file", recording_from_file)
    file = TemporaryUploadedFile("invoices.xlsx", "application/octet-stream", len(content), None)
    try:
        file.write(content)
        file.flush()
        file.seek(0)

        facts = inspect(file)

        assert sniffed_paths == [file.temporary_file_path()]
        assert facts.content_type == uploads.XLSX
        assert facts.size == len(content)
        assert facts.sha256 == hashlib.sha256(content).hexdigest()
    finally:
        file.close()


# -- bad files --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "content", "sniffed"), [
    ("scan.pdf", b"just some text pretending to be a PDF\n", "text/plain"),
    ("scan.pdf", png_bytes(), "image/png"),
    ("photo.png", PDF_BYTES, "application/pdf"),
    ("photo.jpg", png_bytes(), "image/png"),
    ("photo.webp", jpeg_bytes(), "image/jpeg"),
    ("plan.docx", xlsx_bytes(), uploads.XLSX),
    ("invoices.xlsx", docx_bytes(), uploads.DOCX),
    ("plan.docx", plain_zip_bytes(), "application/zip"),
])
def test_bytes_that_do_not_match_the_extension_are_refused_naming_both(name, content, sniffed):
    with pytest.raises(ValidationError) as excinfo:
        inspect(upload(name, content))

    message = file_error(excinfo)
    assert name in message
    assert sniffed in message
    assert "must agree" in message


def test_invoice_pdf_exe_is_an_exe_and_refused_even_with_pdf_bytes():
    with pytest.raises(ValidationError) as excinfo:
        inspect(upload("invoice.pdf.exe", PDF_BYTES, content_type="application/pdf"))

    assert file_error(excinfo) == ("“invoice.pdf.exe”: .exe files are not taken; a document is one of "
                                   "PDF, PNG, JPEG, WEBP, DOCX, XLSX.")


@pytest.mark.parametrize("name", ["README", "notes.txt", "macro.docm", "scan.gif", "page.html", "archive.zip"])
def test_a_file_of_another_kind_is_refused_by_its_extension(name):
    with pytest.raises(ValidationError) as excinfo:
        inspect(upload(name, PDF_BYTES))

    assert "PDF, PNG, JPEG, WEBP, DOCX, XLSX" in file_error(excinfo)


def test_the_passwd_path_is_cleaned_to_its_name_and_the_pdf_accepted():
    facts = inspect(upload("../../etc/passwd.pdf", PDF_BYTES))

    assert facts.name == "passwd.pdf"


def test_a_name_with_control_characters_is_cleaned_and_the_file_accepted():
    facts = inspect(upload("bill\x00\x1b[31m\u202e.pdf", PDF_BYTES))

    assert facts.name == "bill[31m.pdf"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        inspect(upload("scan.pdf", b""))

    assert file_error(excinfo) == "“scan.pdf” is empty."


def test_no_file_at_all_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        inspect(None)

    assert file_error(excinfo) == "Choose a file to upload."


def test_a_file_at_the_limit_is_taken_and_one_byte_more_is_too_large(settings):
    content = PDF_BYTES + b"%" * 200
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = len(content)

    assert inspect(upload("scan.pdf", content)).size == len(content)
    with pytest.raises(FileTooLarge) as excinfo:
        inspect(upload("scan.pdf", content + b"%"))

    assert isinstance(excinfo.value, ValidationError)
    message = file_error(excinfo)
    assert "“scan.pdf” is" in message
    assert "at most" in message


def test_the_size_limit_is_checked_before_the_bytes_are_sniffed(settings, monkeypatch):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 10
    monkeypatch.setattr(uploads, "sniff", lambda file: pytest.fail("a file past the limit was sniffed"))

    with pytest.raises(FileTooLarge):
        inspect(upload("scan.pdf", PDF_BYTES))


def test_a_file_just_past_the_limit_names_both_sizes_in_bytes_where_the_rounded_ones_would_read_the_same(settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 20 * 1024 * 1024

    with pytest.raises(FileTooLarge) as excinfo:
        inspect(upload("scan.pdf", PDF_BYTES + b"%" * (20 * 1024 * 1024 - len(PDF_BYTES) + 1)))

    assert file_error(excinfo) == ("“scan.pdf” is 20,971,521 bytes; a document's file may be at most 20,971,520 "
                                   "bytes.")


def test_a_file_well_past_the_limit_names_the_rounded_sizes(settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1024 * 1024

    with pytest.raises(FileTooLarge) as excinfo:
        inspect(upload("scan.pdf", PDF_BYTES + b"%" * (3 * 1024 * 1024)))

    assert file_error(excinfo) == "“scan.pdf” is 3.0\xa0MB; a document's file may be at most 1.0\xa0MB."
