"""The library's API on an S3 store, for real: moto's S3 server on loopback (``s3_documents_storage`` of
``tests/documents/conftest.py``), the same ``storages.backends.s3.S3Storage`` that ``STORAGE_BACKEND=s3`` configures.

An upload through the API lands under the agency's prefix in the bucket; a download is a redirect to a presigned
URL that lives at most 15 minutes and gives the very bytes when fetched; a new version is a new key and the old one
stays downloadable; another agency's download is a 404 and makes no URL at all.

Not marked ``integration``: that marker is for the tests that need Redis and a Celery worker (deselected without
``REDIS_URL``); this one starts its own S3 server in process and runs wherever the suite runs.
"""

import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django_scopes import scopes_disabled

from documents import storage, types
from documents.models import DocumentEvent
from tests.documents.factories import PDF_BYTES, pdf_file

LIST = reverse("api:document-list")


def versions_url(document_id):
    return reverse("api:document-versions", args=[document_id])


def download_url(document_id):
    return reverse("api:document-download", args=[document_id])


def fetch(url):
    """The body of ``url`` (a presigned URL of the loopback server), fetched as a browser would."""
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - an http URL of moto on loopback
        return answer.read(), answer.headers


def presigned(response, bucket):
    """The presigned URL a download redirects to, checked to point at ``bucket`` on the loopback server, to live
    at most 15 minutes and not to be cached."""
    assert response.status_code == 302, response.content
    assert response["Cache-Control"] == "private, no-store"
    url = response["Location"]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == bucket.endpoint
    assert parts.path.startswith(f"/{bucket.name}/")
    query = parse_qs(parts.query)
    assert "X-Amz-Signature" in query
    assert 0 < int(query["X-Amz-Expires"][0]) <= 15 * 60
    return url


@pytest.fixture
def url_calls(s3_documents_storage, monkeypatch):
    """The presigned URLs the documents storage makes during the test, in order."""
    documents = storages[storage.ALIAS]
    made = []
    make_url = documents.url

    def counting_url(name, *args, **kwargs):
        made.append(name)
        return make_url(name, *args, **kwargs)

    monkeypatch.setattr(documents, "url", counting_url)
    return made


def test_an_upload_lands_under_the_agencys_prefix_and_downloads_through_a_presigned_url(
        agency_a, api_as, s3_documents_storage, url_calls):
    bucket = s3_documents_storage
    content = PDF_BYTES + b"%on S3\n"
    api = api_as(agency_a.manager)
    created = api.post(LIST, {"client": agency_a.client.pk, "stores": [agency_a.assigned_store.pk],
                              "type_code": types.BUSINESS_LICENCE, "title": "Licence",
                              "file": pdf_file("licence.pdf", marker=b"on S3")}, format="multipart")
    assert created.status_code == 201, created.content
    document_id = created.json()["id"]

    prefix = storage.agency_prefix(agency_a.agency.pk) + "documents/"
    keys = bucket.keys()
    assert len(keys) == 1 and keys[0].startswith(prefix) and keys[0].endswith(".pdf")
    assert bucket.read(keys[0]) == content

    url = presigned(api.get(download_url(document_id)), bucket)
    assert urlsplit(url).path == f"/{bucket.name}/{keys[0]}"
    body, headers = fetch(url)
    assert body == content
    assert headers["Content-Disposition"] == 'attachment; filename="licence.pdf"'
    assert url_calls == [keys[0]]
    with scopes_disabled():
        downloads = DocumentEvent.objects.filter(document_id=document_id, action="downloaded")
        assert [(event.actor, event.version.number) for event in downloads] == [(agency_a.manager, 1)]


def test_a_new_version_is_a_new_key_and_the_old_one_stays_downloadable(agency_a, api_as, s3_documents_storage):
    bucket = s3_documents_storage
    api = api_as(agency_a.rw_header)
    first = pdf_file("licence.pdf", marker=b"first")
    document_id = api.post(LIST, {"client": agency_a.client.pk, "stores": [agency_a.assigned_store.pk],
                                  "type_code": types.BUSINESS_LICENCE, "title": "Licence", "file": first},
                           format="multipart").json()["id"]
    first_key = bucket.keys()[0]

    added = api.post(versions_url(document_id), {"file": pdf_file("licence.pdf", marker=b"second")},
                     format="multipart")
    assert added.status_code == 201, added.content
    keys = bucket.keys(prefix=storage.agency_prefix(agency_a.agency.pk))
    assert len(keys) == 2 and first_key in keys
    second_key = next(key for key in keys if key != first_key)

    versions = api.get(versions_url(document_id)).json()
    assert [version["number"] for version in versions] == [2, 1]
    newest, oldest = (fetch(presigned(api.get(version["download_url"]), bucket))[0] for version in versions)
    assert newest == bucket.read(second_key) == PDF_BYTES + b"%second\n"
    assert oldest == bucket.read(first_key) == PDF_BYTES + b"%first\n"
    assert fetch(presigned(api.get(download_url(document_id)), bucket))[0] == newest


def test_another_agencys_download_is_a_404_and_makes_no_url(agency_a, agency_b, api_as, s3_documents_storage,
                                                            url_calls):
    api = api_as(agency_a.rw_header)
    document_id = api.post(LIST, {"client": agency_a.client.pk, "stores": [agency_a.assigned_store.pk],
                                  "type_code": types.BUSINESS_LICENCE, "title": "Licence",
                                  "file": pdf_file(marker=b"of agency A")}, format="multipart").json()["id"]
    version_id = api.get(versions_url(document_id)).json()[0]["id"]
    addresses = (download_url(document_id),
                 reverse("api:document-version-download", kwargs={"document_pk": document_id, "pk": version_id}))

    callers = [api_as(agency_b.rw_header), api_as(agency_b.ro_header), api_as(agency_b.owner),
               api_as(agency_a.idle_operator)]
    for caller in callers:
        for address in addresses:
            answer = caller.get(address)
            assert answer.status_code == 404
            assert "Location" not in answer
    assert url_calls == []
    with scopes_disabled():
        assert not DocumentEvent.objects.filter(document_id=document_id, action="downloaded").exists()
