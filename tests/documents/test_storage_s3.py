"""Both places the documents' files can live, through the services and ``documents.storage``: an S3 API (moto's
server on loopback, a real round trip of upload, new version, presigned download and purge) and the local private
folder (streamed in chunks, never read into memory)."""

import re
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import FileResponse, HttpResponseRedirect
from django.test import override_settings
from storages.backends.s3 import S3Storage

from accounts.tenancy import Caller
from documents import services, storage
from documents.models import DocumentVersion
from tests.documents.conftest import S3_URL_LIFETIME
from tests.documents.factories import PDF_BYTES, make_document, moved_to_trash, pdf_file

KEY = re.compile(r"^agency-(\d+)/documents/[0-9a-f]{32}\.pdf$")


def owner(persona):
    return Caller.person(agency=persona.agency, user=persona.owner, role="owner")


def versions_of(document):
    return list(DocumentVersion.objects.filter(agency=document.agency, document=document).order_by("number"))


def fetch(url):
    """The status, headers and body of a GET of ``url`` (the moto server on loopback)."""
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - a URL the test's own server signed
        return answer.status, answer.headers, answer.read()


def upload_with_new_version(persona):
    """A document of the persona (in S3 during the test) with a second version; returns both versions."""
    document = make_document(persona, upload=pdf_file("licence 2024.pdf", marker=b"first"))
    with persona.scope():
        services.document_add_version(agency=persona.agency, caller=owner(persona), document=document,
                                      upload=pdf_file("licence 2025.pdf", marker=b"second"))
        return versions_of(document)


# -- S3 ---------------------------------------------------------------------------------------------------------
def test_the_documents_storage_is_the_bucket_during_the_test(s3_documents_storage):
    current = storage.documents_storage()

    assert isinstance(current, S3Storage)
    assert current.bucket_name == s3_documents_storage.name
    assert isinstance(DocumentVersion._meta.get_field("file").storage, S3Storage)


def test_a_document_and_its_new_version_land_in_the_bucket_below_the_agency_prefix_under_random_keys(
        agency_a, s3_documents_storage):
    first, second = upload_with_new_version(agency_a)

    keys = s3_documents_storage.keys()
    assert keys == sorted([first.file.name, second.file.name])
    for key in keys:
        assert KEY.match(key).group(1) == str(agency_a.agency.pk)
        assert "licence" not in key
    assert s3_documents_storage.keys(prefix=f"agency-{agency_a.agency.pk}/documents/") == keys
    assert s3_documents_storage.read(first.file.name) == PDF_BYTES + b"%first\n"
    assert s3_documents_storage.read(second.file.name) == PDF_BYTES + b"%second\n"
    with agency_a.scope():
        for version, marker in ((first, b"%first\n"), (second, b"%second\n")):
            with version.file.open("rb") as stored:
                assert stored.read() == PDF_BYTES + marker


def test_two_files_of_the_same_name_never_overwrite_each_other_in_the_bucket(agency_a, s3_documents_storage):
    make_document(agency_a, title="One", upload=pdf_file("bill.pdf", marker=b"one"))
    make_document(agency_a, title="Two", upload=pdf_file("bill.pdf", marker=b"two"))

    keys = s3_documents_storage.keys()
    assert len(keys) == 2
    assert {s3_documents_storage.read(key) for key in keys} == {PDF_BYTES + b"%one\n", PDF_BYTES + b"%two\n"}


def test_a_download_is_a_redirect_to_a_presigned_url_of_15_minutes_at_most_that_gives_the_same_bytes(
        agency_a, s3_documents_storage):
    first, second = upload_with_new_version(agency_a)

    for version, marker in ((first, b"%first\n"), (second, b"%second\n")):
        response = storage.download_response(version)

        assert isinstance(response, HttpResponseRedirect)
        assert response.status_code == 302
        assert response["Cache-Control"] == "private, no-store"
        url = response["Location"]
        assert url.startswith(f"{s3_documents_storage.endpoint}/{s3_documents_storage.name}/{version.file.name}?")
        query = parse_qs(urlsplit(url).query)
        assert 0 < int(query["X-Amz-Expires"][0]) <= S3_URL_LIFETIME
        assert "X-Amz-Signature" in query
        status, headers, body = fetch(url)
        assert status == 200
        assert body == PDF_BYTES + marker
        assert headers["Content-Type"] == "application/pdf"
        assert version.original_name in headers["Content-Disposition"]
        assert headers["Content-Disposition"].startswith("attachment")


def test_a_presigned_url_never_lives_longer_than_15_minutes_whatever_the_setting(agency_a, s3_documents_storage):
    document = make_document(agency_a)
    with agency_a.scope():
        version = versions_of(document)[0]

    with override_settings(DOCUMENTS_URL_LIFETIME=24 * 3600):
        url = storage.download_response(version)["Location"]

    assert int(parse_qs(urlsplit(url).query)["X-Amz-Expires"][0]) <= 15 * 60


def test_the_purge_removes_the_objects_of_the_purged_documents_from_the_bucket(
        agency_a, s3_documents_storage, django_capture_on_commit_callbacks):
    old_first, old_second = upload_with_new_version(agency_a)
    kept = make_document(agency_a, title="Kept", upload=pdf_file(marker=b"kept"))
    with agency_a.scope():
        document = old_first.document
        services.document_delete(agency=agency_a.agency, caller=owner(agency_a), document=document)
        moved_to_trash(document, days_ago=31)
        kept_key = versions_of(kept)[0].file.name
        assert len(s3_documents_storage.keys()) == 3

        with django_capture_on_commit_callbacks(execute=True):
            removed = services.documents_purge_trash(agency=agency_a.agency)

    assert removed == 1
    assert s3_documents_storage.keys() == [kept_key]


def test_a_failed_create_leaves_no_object_in_the_bucket(agency_a, agency_b, s3_documents_storage):
    with agency_a.scope(), pytest.raises(Exception):  # noqa: B017 - any refusal: the point is what is left
        services.document_create(agency=agency_a.agency, caller=owner(agency_a), upload=pdf_file(),
                                 client=agency_a.client, stores=[agency_b.assigned_store],
                                 type_code="legal_representative_id", title="Refused")

    assert s3_documents_storage.keys() == []


# -- the local folder -------------------------------------------------------------------------------------------
def test_outside_the_s3_fixture_the_documents_storage_is_the_private_local_folder(settings):
    current = storage.documents_storage()

    assert storage.is_local(current)
    assert current.location == settings.MEDIA_ROOT


def test_a_local_download_streams_the_file_in_chunks_without_reading_it_into_memory(agency_a):
    content = PDF_BYTES + b"%" + bytes(range(256)) * 4096 + b"\n"  # about a megabyte
    document = make_document(agency_a, upload=pdf_file("Licence März.pdf", marker=content[len(PDF_BYTES) + 1:-1]))
    with agency_a.scope():
        version = versions_of(document)[0]

    response = storage.download_response(version)

    assert isinstance(response, FileResponse)
    assert response.streaming
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''Licence%20M%C3%A4rz.pdf" in response["Content-Disposition"]
    chunks = list(response.streaming_content)
    response.close()
    assert len(chunks) > 1
    assert max(len(chunk) for chunk in chunks) <= FileResponse.block_size
    assert b"".join(chunks) == content
