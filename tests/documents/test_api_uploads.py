"""Files over the API: every bad file is refused on the ``file`` field with nothing written (past the size limit:
413), names are cleaned, new versions keep the earlier ones downloadable, a download streams the file and is
recorded in the trail, and the same bytes for the same client are flagged.

The bad names are sent as a client sends them, in a multipart body written here (Django's test client would send
only the last part of a path), through the real parsing of the request body.
"""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from documents import types
from documents.models import AppealDocument, DocumentEvent, DocumentVersion
from tests.documents.factories import PDF_BYTES, make_document, pdf_file, png_bytes

LIST = reverse("api:document-list")
BOUNDARY = "----documents-test-boundary"


@pytest.fixture
def api_as(api_as):
    """The personas' API clients, in English also when signed in (a person's own language would win otherwise)."""

    def make(credential):
        client = api_as(credential)
        client.cookies["django_language"] = "en"
        return client

    return make


def versions_url(document_id):
    return reverse("api:document-versions", args=[document_id])


def download_url(document_id):
    return reverse("api:document-download", args=[document_id])


def multipart(fields, *, file_name, content):
    """A multipart/form-data body with ``fields`` and a ``file`` part named exactly ``file_name`` (bytes as given)."""
    lines = []
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            lines += [f"--{BOUNDARY}".encode(), f'Content-Disposition: form-data; name="{name}"'.encode(), b"",
                      str(value).encode()]
    lines += [f"--{BOUNDARY}".encode(),
              f'Content-Disposition: form-data; name="file"; filename="{file_name}"'.encode(),
              b"Content-Type: application/octet-stream", b"", content, f"--{BOUNDARY}--".encode(), b""]
    return b"\r\n".join(lines)


def details(persona, **changes):
    return {"client": persona.client.pk, "stores": [persona.assigned_store.pk], "type_code": types.BUSINESS_LICENCE,
            "title": "Business licence", **changes}


def send(api, url, fields, *, file_name, content):
    return api.post(url, multipart(fields, file_name=file_name, content=content),
                    content_type=f"multipart/form-data; boundary={BOUNDARY}")


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def written():
    """What the library holds: documents, versions, trail lines and files."""
    with scopes_disabled():
        return (AppealDocument.objects.count(), DocumentVersion.objects.count(), DocumentEvent.objects.count(),
                len(stored_files()))


def streamed(response):
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


# -- bad files ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("file_name", "content", "message"), [
    ("scan.pdf", png_bytes(), "“scan.pdf” is named .pdf, but its content is image/png: the file's content and its "
                              "extension must agree."),
    ("invoice.pdf.exe", PDF_BYTES, "“invoice.pdf.exe”: .exe files are not taken; a document is one of PDF, PNG, "
                                   "JPEG, WEBP, DOCX, XLSX."),
    ("../../etc/passwd.pdf", b"root:x:0:0:root:/root:/bin/bash\n", "“passwd.pdf” is named .pdf, but its content "
                                                                   "is text/plain: the file's content and its "
                                                                   "extension must agree."),
    ("empty.pdf", b"", "“empty.pdf” is empty."),
    ("licence", PDF_BYTES, "“licence”: no extension files are not taken; a document is one of PDF, PNG, JPEG, "
                           "WEBP, DOCX, XLSX."),
])
def test_a_bad_file_is_refused_on_the_file_field_naming_it_and_nothing_is_written(agency_a, api_as, file_name,
                                                                                  content, message):
    before = written()
    response = send(api_as(agency_a.manager), LIST, details(agency_a), file_name=file_name, content=content)
    assert response.status_code == 400, response.content
    assert response.json() == {"file": [message]}
    assert written() == before


def test_a_file_past_the_size_limit_is_a_413_naming_the_file_and_nothing_is_written(agency_a, api_as, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 100
    content = PDF_BYTES + b"%" + b"x" * 200 + b"\n"
    before = written()
    response = send(api_as(agency_a.manager), LIST, details(agency_a), file_name="big.pdf", content=content)
    assert response.status_code == 413
    assert response.json() == {"file": [
        f"“big.pdf” is {len(content)}\xa0bytes; a document's file may be at most 100\xa0bytes."]}
    assert written() == before


def test_a_new_version_past_the_size_limit_is_a_413_naming_the_file_and_the_earlier_one_stays(agency_a, api_as,
                                                                                           settings):
    document = make_document(agency_a, title="Licence")
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 100
    before = written()
    response = send(api_as(agency_a.manager), versions_url(document.pk), {}, file_name="renewed.pdf",
                    content=PDF_BYTES + b"%" + b"x" * 200 + b"\n")
    assert response.status_code == 413
    assert list(response.json()) == ["file"]
    assert written() == before


def test_a_file_larger_than_other_request_bodies_but_within_the_documents_limit_is_taken(agency_a, api_as,
                                                                                      settings):
    """An upload widens the body limit of its request (``request_body_limit``) to the documents' file limit and
    the form: as a 20 MB file fits by default, a 6 kB one fits when other bodies may have 2 kB."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 10_000
    settings.DOCUMENTS_UPLOAD_FORM_BYTES = 1000
    content = PDF_BYTES + b"%" + b"x" * 6000 + b"\n"
    api = api_as(agency_a.manager)
    response = send(api, LIST, details(agency_a), file_name="scan.pdf", content=content)
    assert response.status_code == 201, response.content
    added = send(api, versions_url(response.json()["id"]), {}, file_name="scan-2.pdf", content=content + b"%2\n")
    assert added.status_code == 201, added.content


def test_a_body_past_the_upload_limit_is_the_platforms_413_and_nothing_is_written(agency_a, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 2000
    settings.DOCUMENTS_UPLOAD_FORM_BYTES = 500
    before = written()
    response = send(api_as(agency_a.manager), LIST, details(agency_a), file_name="scan.pdf",
                    content=PDF_BYTES + b"%" + b"x" * 5000 + b"\n")
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than 2500 bytes."}
    assert written() == before


def test_a_path_in_the_name_of_a_real_pdf_is_dropped_and_the_file_kept_under_the_agencys_prefix(agency_a, api_as):
    response = send(api_as(agency_a.manager), LIST, details(agency_a), file_name="../../etc/passwd.pdf",
                    content=PDF_BYTES)
    assert response.status_code == 201, response.content
    assert response.json()["current_version"]["original_name"] == "passwd.pdf"
    with scopes_disabled():
        version = DocumentVersion.objects.get(document_id=response.json()["id"])
    assert version.file.name.startswith(f"agency-{agency_a.agency.pk}/documents/")
    assert "passwd" not in version.file.name and ".." not in version.file.name


def test_control_and_format_characters_are_cleaned_from_the_name(agency_a, api_as):
    response = send(api_as(agency_a.manager), LIST, details(agency_a), file_name="in\x1bvoice\x07 March\u202e.pdf",
                    content=PDF_BYTES)
    assert response.status_code == 201, response.content
    assert response.json()["current_version"]["original_name"] == "invoice March.pdf"
    download = api_as(agency_a.manager).get(download_url(response.json()["id"]))
    assert download["Content-Disposition"] == 'attachment; filename="invoice March.pdf"'


def test_a_request_without_a_file_is_refused_on_the_file_field(agency_a, api_as):
    response = api_as(agency_a.manager).post(LIST, details(agency_a), format="multipart")
    assert response.status_code == 400
    assert response.json() == {"file": ["No file was submitted."]}


# -- versions and downloads --------------------------------------------------------------------------------------
def test_a_new_version_becomes_current_and_every_earlier_one_stays_downloadable_with_its_bytes(agency_a, api_as):
    first, second = PDF_BYTES + b"%first\n", PDF_BYTES + b"%second\n"
    api = api_as(agency_a.operator)
    document_id = send(api, LIST, details(agency_a), file_name="licence.pdf", content=first).json()["id"]

    added = send(api, versions_url(document_id), {}, file_name="licence-renewed.pdf", content=second)
    assert added.status_code == 201, added.content
    assert (added.json()["number"], added.json()["original_name"], added.json()["uploaded_by"]) == (
        2, "licence-renewed.pdf", "operator.a@example.com")

    versions = api.get(versions_url(document_id)).json()
    assert [(version["number"], version["sha256"]) for version in versions] == [
        (2, hashlib.sha256(second).hexdigest()), (1, hashlib.sha256(first).hexdigest())]
    assert [streamed(api.get(version["download_url"])) for version in versions] == [second, first]
    assert streamed(api.get(download_url(document_id))) == second
    assert api.get(reverse("api:document-detail", args=[document_id])).json()["current_version"]["number"] == 2


def test_a_download_streams_the_file_as_an_attachment_and_is_recorded_in_the_trail(agency_a, api_as):
    content = PDF_BYTES + b"%streamed\n"
    api = api_as(agency_a.rw_header)
    document_id = send(api, LIST, details(agency_a), file_name="licence.pdf", content=content).json()["id"]

    response = api.get(download_url(document_id))
    assert streamed(response) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="licence.pdf"'

    events = api.get(reverse("api:document-events", args=[document_id])).json()["results"]
    assert [(event["action"], event["by"], event["version"]) for event in events] == [
        ("downloaded", "ERP a", 1), ("uploaded", "ERP a", 1)]


def test_the_trail_shows_every_upload_new_version_download_change_and_deletion_newest_first(agency_a, api_as):
    document = make_document(agency_a, title="Licence")
    manager = api_as(agency_a.manager)
    send(manager, versions_url(document.pk), {}, file_name="v2.pdf", content=PDF_BYTES + b"%v2\n")
    first_version = manager.get(versions_url(document.pk)).json()[-1]
    streamed(manager.get(first_version["download_url"]))
    manager.patch(reverse("api:document-detail", args=[document.pk]), {"title": "Licence 2025"}, format="json")
    events = manager.get(reverse("api:document-events", args=[document.pk])).json()["results"]
    assert [(event["action"], event["by"], event["version"], event["detail"]) for event in events] == [
        ("changed", "manager.a@example.com", None, "title: Licence → Licence 2025"),
        ("downloaded", "manager.a@example.com", 1, ""),
        ("new_version", "manager.a@example.com", 2, "v2.pdf"),
        ("uploaded", "owner.a@example.com", 1, "scan.pdf"),
    ]
    assert events[0]["action_label"] == "Details changed"


def test_a_viewer_and_a_read_only_key_download_but_may_not_add_a_version(agency_a, api_as):
    document = make_document(agency_a, title="Licence")
    for api in (api_as(agency_a.viewer), api_as(agency_a.ro_header)):
        assert streamed(api.get(download_url(document.pk))).startswith(b"%PDF")
        refused = api.post(versions_url(document.pk), {"file": pdf_file(marker=b"v2")}, format="multipart")
        assert refused.status_code == 403
    with scopes_disabled():
        assert DocumentVersion.objects.filter(document=document).count() == 1


def test_a_document_in_the_trash_is_not_downloaded_nor_given_a_version(agency_a, api_as):
    document = make_document(agency_a, title="Licence")
    manager = api_as(agency_a.manager)
    manager.delete(reverse("api:document-detail", args=[document.pk]))
    assert manager.get(download_url(document.pk)).status_code == 404
    assert manager.post(versions_url(document.pk), {"file": pdf_file(marker=b"v2")},
                        format="multipart").status_code == 404


# -- duplicates --------------------------------------------------------------------------------------------------
def test_the_same_bytes_for_the_same_client_are_taken_but_flagged_as_a_duplicate(agency_a, api_as):
    api = api_as(agency_a.manager)
    first = send(api, LIST, details(agency_a, title="Licence"), file_name="licence.pdf", content=PDF_BYTES)
    assert first.json()["duplicate_of"] is None
    again = send(api, LIST, details(agency_a, title="Licence again"), file_name="copy.pdf", content=PDF_BYTES)
    assert again.status_code == 201
    assert again.json()["duplicate_of"] == {
        "document": first.json()["id"], "title": "Licence", "version": 1,
        "message": "The same file is already stored for this client: “Licence”, version 1."}
    assert again.json()["current_version"]["is_duplicate"] is True

    as_version = send(api, versions_url(first.json()["id"]), {}, file_name="same.pdf", content=PDF_BYTES)
    assert as_version.json()["duplicate_of"]["document"] == first.json()["id"]


def test_a_duplicate_of_a_document_beyond_an_operator_is_flagged_without_naming_it(agency_a, api_as):
    beyond = make_document(agency_a, title="Licence of the other store", store=agency_a.other_store,
                           upload=SimpleUploadedFile("licence.pdf", PDF_BYTES))
    response = send(api_as(agency_a.operator), LIST, details(agency_a), file_name="licence.pdf", content=PDF_BYTES)
    assert response.status_code == 201
    assert response.json()["duplicate_of"] == {"document": None, "title": None, "version": None,
                                               "message": "The same file is already stored for this client."}
    assert beyond.title not in response.content.decode()


def add_repeated_versions(document, how_many, *, repeating):
    """``how_many`` more versions of ``document``, each with the bytes of one of the versions ``repeating``, in turn
    (rows only: the list of versions never reads the files)."""
    with scopes_disabled():
        first = DocumentVersion.objects.filter(document=document).count() + 1
        DocumentVersion.objects.bulk_create([
            DocumentVersion(agency=document.agency, document=document, number=first + n, file=earlier.file.name,
                            sha256=earlier.sha256, size=earlier.size, content_type=earlier.content_type,
                            original_name=f"copy {first + n}.pdf", duplicate_of=earlier)
            for n, earlier in ((n, repeating[n % len(repeating)]) for n in range(how_many))])


def test_the_versions_list_takes_as_many_queries_for_many_repeated_files_as_for_few(agency_a, api_as):
    """Each repeated file names its earlier document only to a caller who sees it, decided for the whole list at
    once: the queries do not grow with the repeats."""
    seen = make_document(agency_a, title="Licence of my store")
    beyond = make_document(agency_a, title="Licence of the other store", store=agency_a.other_store)
    listed = make_document(agency_a, title="Licence, again and again")
    with scopes_disabled():
        repeating = [seen.versions.get(), beyond.versions.get()]
    operator = api_as(agency_a.operator)

    def versions():
        response = operator.get(versions_url(listed.pk))
        assert response.status_code == 200, response.content
        return response

    add_repeated_versions(listed, 2, repeating=repeating)
    versions()  # the first request of a client settles its session
    with CaptureQueriesContext(connection) as few:
        versions()
    add_repeated_versions(listed, 40, repeating=repeating)
    with CaptureQueriesContext(connection) as many:
        response = versions()

    assert len(few) == len(many), f"{len(few)} queries for 2 repeated files, {len(many)} for 42"
    answered = response.json()
    assert len(answered) == 43
    warnings = [version["duplicate_of"] for version in answered]
    assert warnings[-1] is None  # the first version's bytes were new
    assert {(warning["document"], warning["title"]) for warning in warnings[:-1]} == {
        (seen.pk, "Licence of my store"), (None, None)}
    assert sum(warning["message"] == "The same file is already stored for this client." for warning in warnings
               if warning is not None) == 21
    assert beyond.title not in response.content.decode()
