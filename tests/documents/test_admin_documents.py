"""Appeal documents in the admin: the list with each document's freshness, the upload page, a document's page
(details, new versions, versions and trail), its downloads, and who sees what: owners, managers and operators keep
documents, viewers read them, operators only those of their stores, another agency nothing at all."""

import datetime
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as DjangoClient
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from accounts.platform.request_limits import body_limit_of
from documents import types
from documents.models import AppealDocument, DocumentEvent, DocumentVersion
from tests.documents.factories import PDF_BYTES, make_document, pdf_file, png_bytes

LIST = "/admin/documents/appealdocument/"
ADD = f"{LIST}add/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def change_url(document):
    return reverse("admin:documents_appealdocument_change", args=[document.pk])


def download_url(document, version=None):
    url = reverse("admin:documents_appealdocument_download", args=[document.pk])
    return f"{url}?version={version}" if version is not None else url


def days_ago(persona, days):
    return persona.agency.today() - datetime.timedelta(days=days)


def days_ahead(persona, days):
    return persona.agency.today() + datetime.timedelta(days=days)


def library(persona):
    """One document of each freshness for the persona's assigned store."""
    return {
        "valid": make_document(persona, type_code=types.BUSINESS_LICENCE, title="Licence 2025",
                               expires_on=days_ahead(persona, 300)),
        "expired": make_document(persona, type_code=types.LEGAL_REPRESENTATIVE_ID, title="ID card of Mr Li",
                                 expires_on=days_ago(persona, 3)),
        "stale": make_document(persona, type_code=types.ADDRESS_PROOF, title="Power bill March",
                               issued_on=days_ago(persona, 91), tags=["utility", "march"]),
        "expiring": make_document(persona, type_code=types.SUPPLIER_INVOICE, title="Invoice of the fabric mill",
                                  issued_on=days_ago(persona, 80)),
    }


def rows_of(page):
    """``{title: the text of its row}`` of a changelist page."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
    found = {}
    for row in rows:
        title = re.search(r'<th class="field-document_label[^"]*"[^>]*>.*?<strong[^>]*>(.*?)</strong>', row, re.S)
        if title:
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
            found[html.unescape(title.group(1).strip())] = html.unescape(text)
    return found


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def upload_form(persona, **overrides):
    """The upload page's fields for a business licence of the persona's assigned store."""
    data = {"client": persona.client.pk, "stores": [persona.assigned_store.pk], "type_code": types.BUSINESS_LICENCE,
            "title": "Business licence 2026", "issued_on": "", "expires_on": "", "notes": "Scanned at the office",
            "tags": "licence, 2026", "file": pdf_file("licence.pdf", marker=b"licence-2026")}
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def documents_of(persona):
    with scopes_disabled():
        return list(AppealDocument.objects.filter(agency=persona.agency).order_by("pk"))


# -- the list ------------------------------------------------------------------------------------------------------
def test_the_list_shows_each_documents_client_type_stores_freshness_and_size(agency_a, client_as):
    made = library(agency_a)
    page = client_as(agency_a.manager).get(LIST).content.decode()

    rows = rows_of(page)
    assert set(rows) == {"Licence 2025", "ID card of Mr Li", "Power bill March", "Invoice of the fabric mill"}
    assert "Valid" in rows["Licence 2025"] and "Business licence" in rows["Licence 2025"]
    assert "Expired" in rows["ID card of Mr Li"] and "Legal representative's ID" in rows["ID card of Mr Li"]
    assert "Stale" in rows["Power bill March"] and "Address proof (utility bill)" in rows["Power bill March"]
    assert "Expiring soon" in rows["Invoice of the fabric mill"]
    assert agency_a.client.name in rows["Licence 2025"] and agency_a.assigned_store.name in rows["Licence 2025"]
    with scopes_disabled():
        size = made["valid"].versions.get().size
    assert f"{size} bytes" in rows["Licence 2025"]
    assert change_url(made["valid"]) in page


@pytest.mark.parametrize(("query", "expected"), [
    ({"freshness": "stale"}, {"Power bill March"}),
    ({"freshness": "expired"}, {"ID card of Mr Li"}),
    ({"freshness": "expiring_soon"}, {"Invoice of the fabric mill"}),
    ({"freshness": "valid"}, {"Licence 2025"}),
    ({"freshness": "attention"}, {"ID card of Mr Li", "Power bill March", "Invoice of the fabric mill"}),
    ({"type": types.ADDRESS_PROOF}, {"Power bill March"}),
    ({"q": "march"}, {"Power bill March"}),
    ({"q": "utility"}, {"Power bill March"}),
])
def test_the_list_filters_by_freshness_and_type_and_searches_titles_and_tags(agency_a, client_as, query, expected):
    library(agency_a)
    assert set(rows_of(client_as(agency_a.manager).get(LIST, query).content.decode())) == expected


@pytest.mark.parametrize(("role", "offered"), [("owner", True), ("manager", True), ("operator", True),
                                              ("viewer", False)])
def test_the_list_offers_an_upload_button_to_those_who_may_upload(agency_a, client_as, role, offered):
    page = client_as(agency_a.staff[role]).get(LIST).content.decode()
    button = re.search(r'<a [^>]*id="documents-upload"[^>]*>(.*?)</a>', page, re.S)
    assert (button is not None) == offered
    if offered:
        assert f'href="{ADD}"' in button.group(0) and "Upload a document" in button.group(1)


def test_each_row_of_the_list_downloads_its_documents_current_file(agency_a, client_as):
    document = make_document(agency_a, title="Power bill", type_code=types.ADDRESS_PROOF,
                             upload=pdf_file("bill-march.pdf", marker=b"march"))
    other = make_document(agency_a, title="Licence 2025", type_code=types.BUSINESS_LICENCE)
    manager = client_as(agency_a.manager)
    manager.post(change_url(document), change_form(document, file=pdf_file("bill-april.pdf", marker=b"april")))

    page = manager.get(LIST).content.decode()
    links = re.findall(r'<a class="documents-link document-download" href="([^"]+)">Download</a>', page)
    assert sorted(links) == sorted([download_url(document), download_url(other)])
    current = manager.get(download_url(document))
    assert b"".join(current.streaming_content) == PDF_BYTES + b"%april\n"


def test_the_list_filters_by_client_and_by_store(agency_a, client_as):
    library(agency_a)
    make_document(agency_a, store=agency_a.other_store, title="Licence of the DE store",
                  type_code=types.BUSINESS_LICENCE)
    manager = client_as(agency_a.manager)
    by_store = rows_of(manager.get(LIST, {"stores__id__exact": agency_a.other_store.pk}).content.decode())
    assert set(by_store) == {"Licence of the DE store"}
    assert len(rows_of(manager.get(LIST, {"client__id__exact": agency_a.client.pk}).content.decode())) == 5


def test_an_operator_lists_only_the_documents_of_their_stores_and_sees_only_their_stores_on_them(agency_a,
                                                                                              client_as):
    own = make_document(agency_a, title="Licence of the assigned store")
    beyond = make_document(agency_a, store=agency_a.other_store, title="Licence of the unassigned store")
    both = make_document(agency_a, stores=[agency_a.assigned_store, agency_a.other_store], title="Shared bill",
                         type_code=types.ADDRESS_PROOF)

    page = client_as(agency_a.operator).get(LIST).content.decode()
    rows = rows_of(page)
    assert set(rows) == {own.title, both.title}
    assert change_url(beyond) not in page
    assert agency_a.other_store.name not in page  # the shared bill names only the store the operator sees

    assert rows_of(client_as(agency_a.idle_operator).get(LIST).content.decode()) == {}


def test_a_document_out_of_the_operators_stores_is_not_found_on_any_of_its_pages(agency_a, client_as):
    beyond = make_document(agency_a, store=agency_a.other_store, title="Licence of the unassigned store")
    for role in ("operator", "idle_operator"):
        client = client_as(agency_a.staff[role])
        for url in (change_url(beyond), download_url(beyond), download_url(beyond, 1),
                    reverse("admin:documents_appealdocument_delete", args=[beyond.pk])):
            assert client.get(url).status_code == 404, (role, url)
    assert client_as(agency_a.owner).get(download_url(beyond)).status_code == 200


def test_another_agencys_document_is_not_found_on_any_page_and_in_no_list(agency_a, agency_b, client_as):
    document = make_document(agency_a, title="Licence of agency A")
    for user in agency_b.staff.values():
        client = client_as(user)
        for url in (change_url(document), download_url(document),
                    reverse("admin:documents_appealdocument_delete", args=[document.pk])):
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(reverse("admin:documents_appealdocument_delete", args=[document.pk]),
                           {"post": "yes"}).status_code == 404
        assert "Licence of agency A" not in client.get(LIST).content.decode()
    with scopes_disabled():
        assert AppealDocument.objects.get(pk=document.pk).deleted_at is None
        assert not DocumentEvent.objects.filter(document=document, action=DocumentEvent.Action.DOWNLOADED).exists()


# -- uploading -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["owner", "manager", "operator"])
def test_a_document_is_uploaded_with_every_detail_through_the_upload_page(agency_a, client_as, role):
    client = client_as(agency_a.staff[role])
    assert client.get(ADD).status_code == 200

    answer = client.post(ADD, upload_form(agency_a, expires_on=days_ahead(agency_a, 400).isoformat()))

    assert answer.status_code == 302, answer.content.decode()[-3000:]
    [document] = documents_of(agency_a)
    with scopes_disabled():
        assert document.title == "Business licence 2026" and document.type_code == types.BUSINESS_LICENCE
        assert document.tags == ["licence", "2026"] and document.notes == "Scanned at the office"
        assert list(document.stores.all()) == [agency_a.assigned_store]
        assert document.created_by == agency_a.staff[role]
        [version] = document.versions.all()
        assert version.original_name == "licence.pdf" and version.content_type == "application/pdf"
        assert version.uploaded_by == agency_a.staff[role] and len(version.sha256) == 64
        assert DocumentEvent.objects.get(document=document).action == DocumentEvent.Action.UPLOADED


def test_the_upload_page_is_filled_in_from_its_address(agency_a, client_as):
    page = client_as(agency_a.manager).get(ADD, {"client": agency_a.client.pk, "stores": agency_a.assigned_store.pk,
                                                 "type_code": types.ADDRESS_PROOF}).content.decode()
    assert f'<option value="{agency_a.client.pk}" selected>' in page
    assert f'<option value="{agency_a.assigned_store.pk}" selected>' in page
    assert f'<option value="{types.ADDRESS_PROOF}" selected>' in page


@pytest.mark.parametrize(("upload", "words"), [
    (SimpleUploadedFile("invoice.pdf", b"just some text and not a PDF at all\n" * 4), ["invoice.pdf", "text/plain"]),
    (SimpleUploadedFile("invoice.pdf.exe", PDF_BYTES), ["invoice.pdf.exe", ".exe", "PDF, PNG"]),
    (SimpleUploadedFile("../../etc/passwd.txt", b"root:x:0:0"), ["passwd.txt", ".txt"]),
    (SimpleUploadedFile("empty.pdf", b""), ["empty.pdf", "is empty"]),
    (SimpleUploadedFile("photo.pdf", png_bytes()), ["photo.pdf", "image/png"]),
])
def test_a_bad_file_is_a_form_error_naming_the_problem_and_nothing_is_written(agency_a, client_as, upload, words):
    before = stored_files()
    answer = client_as(agency_a.manager).post(ADD, upload_form(agency_a, file=upload))

    assert answer.status_code == 200
    errors = answer.context["adminform"].form.errors
    assert "file" in errors, errors
    assert all(word in errors["file"][0] for word in words), errors["file"]
    assert documents_of(agency_a) == [] and stored_files() == before


def test_a_file_over_the_size_limit_is_a_form_error_on_the_file(agency_a, client_as, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1000
    large = SimpleUploadedFile("scan.pdf", PDF_BYTES + b"%" + b"x" * 1200 + b"\n")
    answer = client_as(agency_a.manager).post(ADD, upload_form(agency_a, file=large))
    errors = answer.context["adminform"].form.errors
    assert "scan.pdf" in errors["file"][0] and "1000" in errors["file"][0].replace("\xa0", " ").replace(",", "")
    assert documents_of(agency_a) == []


def test_the_upload_page_takes_a_body_as_large_as_the_largest_file_and_other_pages_do_not(agency_a, client_as,
                                                                                          settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 60_000
    settings.DOCUMENTS_UPLOAD_FORM_BYTES = 10_000
    big = pdf_file("big scan.pdf", marker=b"x" * 50_000)
    manager = client_as(agency_a.manager)

    answer = manager.post(ADD, upload_form(agency_a, file=big))
    assert answer.status_code == 302
    with scopes_disabled():
        assert DocumentVersion.objects.get(document__agency=agency_a.agency).size == big.size

    # The same body on a page that takes no file is refused before it is read.
    refused = manager.post("/admin/accounts/client/add/", {"name": "x" * 30_000})
    assert refused.status_code == 400
    assert body_limit_of(answer.resolver_match.func) == 70_000


def signed_in_with_csrf_checks(user):
    """A test client that sends and checks the CSRF token as a browser does (Django's test client skips the check, so
    the body would be read first by the page's view rather than by the CSRF check)."""
    client = DjangoClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = "en"
    return client


def with_token(client, page, data):
    client.get(page)
    return {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}


@pytest.fixture
def small_upload_limits(settings):
    """Bodies of 20 KB at most, an upload page's of 70 KB: a file of 60 KB at most, 10 KB for the other fields."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 60_000
    settings.DOCUMENTS_UPLOAD_FORM_BYTES = 10_000


@pytest.mark.parametrize("csrf_checked", [True, False], ids=["as-a-browser", "without-csrf-check"])
def test_an_upload_past_the_pages_body_limit_comes_back_to_the_page_with_a_message_naming_the_limit(
        agency_a, client_as, small_upload_limits, csrf_checked):
    client = signed_in_with_csrf_checks(agency_a.manager) if csrf_checked else client_as(agency_a.manager)
    before = stored_files()
    form = upload_form(agency_a, file=pdf_file("huge scan.pdf", marker=b"x" * 100_000))

    answer = client.post(ADD, with_token(client, ADD, form) if csrf_checked else form)

    assert answer.status_code == 302 and answer["Location"] == ADD
    page = client.get(ADD).content.decode().replace("\xa0", " ")
    assert "The file is larger than 58.6 KB; nothing was saved." in page
    assert documents_of(agency_a) == [] and stored_files() == before


def test_a_new_version_past_the_pages_body_limit_comes_back_to_the_documents_page_and_changes_nothing(
        agency_a, small_upload_limits):
    document = make_document(agency_a, title="Power bill", type_code=types.ADDRESS_PROOF)
    client = signed_in_with_csrf_checks(agency_a.manager)
    page = change_url(document)
    form = change_form(document, title="Renamed", file=pdf_file("huge scan.pdf", marker=b"x" * 100_000))

    answer = client.post(page, with_token(client, page, form))

    assert answer.status_code == 302 and answer["Location"] == page
    assert "The file is larger than 58.6 KB" in client.get(page).content.decode().replace("\xa0", " ")
    with scopes_disabled():
        document.refresh_from_db()
        assert document.title == "Power bill" and document.versions.count() == 1


def test_the_upload_page_still_checks_the_csrf_token(agency_a, small_upload_limits):
    client = signed_in_with_csrf_checks(agency_a.manager)
    assert client.post(ADD, upload_form(agency_a)).status_code == 403
    assert client.post(ADD, {**upload_form(agency_a), "csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert documents_of(agency_a) == []
    assert client.post(ADD, with_token(client, ADD, upload_form(agency_a))).status_code == 302
    assert len(documents_of(agency_a)) == 1


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"issued_on": "2999-01-01"}, "issued_on", ["2999-01-01", "after today"]),
    ({"type_code": types.ADDRESS_PROOF}, "issued_on", ["Address proof", "issue date"]),
    ({"issued_on": "2025-03-01", "expires_on": "2025-02-01"}, "expires_on", ["2025-02-01", "2025-03-01"]),
    ({"tags": ",".join(f"tag{n}" for n in range(25))}, "tags", ["20", "25"]),
    ({"title": "   "}, "title", ["required"]),
])
def test_details_the_library_refuses_are_form_errors_on_their_field_and_nothing_is_written(
        agency_a, client_as, overrides, field, words):
    before = stored_files()
    answer = client_as(agency_a.manager).post(ADD, upload_form(agency_a, **overrides))
    errors = answer.context["adminform"].form.errors
    assert field in errors, errors
    assert all(word in errors[field][0] for word in words), errors[field]
    assert documents_of(agency_a) == [] and stored_files() == before


def test_an_operator_cannot_name_a_store_or_client_beyond_theirs(agency_a, client_as):
    operator = client_as(agency_a.operator)
    answer = operator.post(ADD, upload_form(agency_a, stores=[agency_a.other_store.pk]))
    assert "stores" in answer.context["adminform"].form.errors
    form = operator.get(ADD).context["adminform"].form
    assert list(form.fields["stores"].queryset) == [agency_a.assigned_store]
    assert documents_of(agency_a) == []


def test_a_store_of_another_client_is_refused_on_the_stores_field(agency_a, client_as):
    from tests.factories import ClientFactory, StoreFactory

    other_client = ClientFactory(agency=agency_a.agency, name="Other client")
    their_store = StoreFactory(agency=agency_a.agency, client=other_client, name="Store of the other client")
    answer = client_as(agency_a.manager).post(ADD, upload_form(agency_a, stores=[their_store.pk]))
    errors = answer.context["adminform"].form.errors
    assert f"No such store of this client: {their_store.pk}" in errors["stores"][0]
    assert documents_of(agency_a) == []


def test_viewers_read_documents_but_upload_and_change_nothing(agency_a, client_as):
    document = make_document(agency_a, title="Licence 2025", type_code=types.BUSINESS_LICENCE)
    viewer = client_as(agency_a.viewer)
    assert viewer.get(ADD).status_code == 403
    assert viewer.post(ADD, upload_form(agency_a)).status_code == 403

    page = viewer.get(change_url(document))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="title"' not in html and 'type="file"' not in html and "Move to trash" not in html
    assert "Business licence" in html and download_url(document, 1) in html
    assert viewer.post(change_url(document), {"title": "Changed"}).status_code == 403
    assert viewer.get(download_url(document)).status_code == 200
    with scopes_disabled():
        assert AppealDocument.objects.get(pk=document.pk).title == "Licence 2025"


# -- a document's page ------------------------------------------------------------------------------------------------
def change_form(document, **overrides):
    with scopes_disabled():
        data = {"client": document.client_id, "stores": [store.pk for store in document.stores.all()],
                "type_code": document.type_code, "title": document.title,
                "issued_on": document.issued_on.isoformat() if document.issued_on else "",
                "expires_on": document.expires_on.isoformat() if document.expires_on else "",
                "notes": document.notes, "tags": ", ".join(document.tags)}
    data.update(overrides)
    return data


def test_a_documents_page_changes_its_details_through_the_library_and_records_what_changed(agency_a, client_as):
    document = make_document(agency_a, title="Licence", type_code=types.BUSINESS_LICENCE)
    manager = client_as(agency_a.manager)
    answer = manager.post(change_url(document), change_form(document, title="Licence 2026", tags="renewed",
                                                            stores=[agency_a.assigned_store.pk,
                                                                    agency_a.other_store.pk]))
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    with scopes_disabled():
        document.refresh_from_db()
        assert document.title == "Licence 2026" and document.tags == ["renewed"]
        assert set(document.stores.all()) == {agency_a.assigned_store, agency_a.other_store}
        change = DocumentEvent.objects.get(document=document, action=DocumentEvent.Action.CHANGED)
    assert change.detail == "title: Licence → Licence 2026; tags: — → renewed; stores: +1"
    page = manager.get(change_url(document)).content.decode()
    trail = html.unescape(page[page.index('id="document-trail"'):])
    assert "Details changed" in trail and "manager a" in trail
    assert "title: Licence → Licence 2026; tags: — → renewed" in trail
    manager.cookies["django_language"] = "zh-hans"
    chinese = html.unescape(manager.get(change_url(document)).content.decode())
    assert "标题: Licence → Licence 2026" in chinese[chinese.index('id="document-trail"'):]


def test_an_operator_changes_a_shared_document_without_losing_the_stores_they_do_not_see(agency_a, client_as):
    shared = make_document(agency_a, stores=[agency_a.assigned_store, agency_a.other_store], title="Shared licence")
    operator = client_as(agency_a.operator)
    page = operator.get(change_url(shared)).content.decode()
    assert agency_a.other_store.name not in page

    answer = operator.post(change_url(shared), change_form(shared, title="Shared licence, renewed",
                                                           stores=[agency_a.assigned_store.pk]))
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    with scopes_disabled():
        shared.refresh_from_db()
        assert shared.title == "Shared licence, renewed"
        assert set(shared.stores.all()) == {agency_a.assigned_store, agency_a.other_store}


def test_a_new_version_is_uploaded_on_the_documents_page_and_every_version_stays_downloadable(agency_a, client_as):
    document = make_document(agency_a, title="Power bill", type_code=types.ADDRESS_PROOF,
                             upload=pdf_file("bill-march.pdf", marker=b"march"))
    manager = client_as(agency_a.manager)
    answer = manager.post(change_url(document), change_form(document, file=pdf_file("bill-april.pdf",
                                                                                    marker=b"april")), follow=True)
    assert "Version 2 (“bill-april.pdf”) is now the current file." in answer.content.decode()

    page = manager.get(change_url(document)).content.decode()
    versions = page[page.index('id="document-versions"'):page.index('id="document-trail"')]
    assert versions.index("bill-april.pdf") < versions.index("bill-march.pdf")  # newest first
    assert download_url(document, 2) in versions and download_url(document, 1) in versions
    first = manager.get(download_url(document, 1))
    assert b"".join(first.streaming_content) == PDF_BYTES + b"%march\n"
    current = manager.get(download_url(document))
    assert b"".join(current.streaming_content) == PDF_BYTES + b"%april\n"
    with scopes_disabled():
        assert DocumentEvent.objects.filter(document=document, action=DocumentEvent.Action.NEW_VERSION).count() == 1


def test_the_same_bytes_again_are_kept_and_flagged_as_a_duplicate(agency_a, client_as):
    document = make_document(agency_a, title="Power bill", type_code=types.ADDRESS_PROOF,
                             upload=pdf_file("bill.pdf", marker=b"same"))
    manager = client_as(agency_a.manager)
    answer = manager.post(change_url(document), change_form(document, file=pdf_file("bill-again.pdf",
                                                                                    marker=b"same")), follow=True)
    assert "The same file is already kept: version 1 of “Power bill”." in answer.content.decode()
    page = manager.get(change_url(document)).content.decode()
    assert "Same file as version 1 of “Power bill”" in page


def test_a_duplicate_of_a_document_beyond_an_operator_is_flagged_without_naming_it(agency_a, client_as):
    manager, operator = client_as(agency_a.manager), client_as(agency_a.operator)
    manager.post(ADD, upload_form(agency_a, stores=[agency_a.other_store.pk], title="Licence of the other store",
                                  file=pdf_file("licence.pdf", marker=b"shared")))

    answer = operator.post(ADD, upload_form(agency_a, title="Licence of my store",
                                            file=pdf_file("licence.pdf", marker=b"shared")), follow=True)

    message = answer.content.decode()
    assert "The same file is already stored for this client." in message
    assert "Licence of the other store" not in message
    [beyond, mine] = documents_of(agency_a)
    page = operator.get(change_url(mine)).content.decode()
    versions = page[page.index('id="document-versions"'):page.index('id="document-trail"')]
    assert "The same file is already stored for this client." in versions
    assert "Licence of the other store" not in page and "Same file as version" not in page
    # The manager, who sees both, is told which.
    assert "Same file as version 1 of “Licence of the other store”" in manager.get(change_url(mine)).content.decode()


def test_a_bad_new_version_leaves_the_details_as_they_were(agency_a, client_as):
    document = make_document(agency_a, title="Power bill", type_code=types.ADDRESS_PROOF)
    answer = client_as(agency_a.manager).post(change_url(document), change_form(
        document, title="Renamed", file=SimpleUploadedFile("bill.pdf", b"not a pdf at all, just text\n")))
    assert "file" in answer.context["adminform"].form.errors
    with scopes_disabled():
        document.refresh_from_db()
        assert document.title == "Power bill" and document.versions.count() == 1
        assert not DocumentEvent.objects.filter(document=document, action=DocumentEvent.Action.CHANGED).exists()


# -- downloads -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["owner", "manager", "operator", "viewer"])
def test_a_download_streams_the_file_under_its_name_and_is_recorded(agency_a, client_as, role):
    document = make_document(agency_a, title="Licence", upload=pdf_file("licence 2025.pdf", marker=b"dl"))
    answer = client_as(agency_a.staff[role]).get(download_url(document))
    assert answer.status_code == 200 and answer.streaming
    assert answer["Content-Type"] == "application/pdf"
    assert 'attachment; filename="licence 2025.pdf"' in answer["Content-Disposition"]
    assert b"".join(answer.streaming_content) == PDF_BYTES + b"%dl\n"
    with scopes_disabled():
        event = DocumentEvent.objects.get(document=document, action=DocumentEvent.Action.DOWNLOADED)
    assert event.actor == agency_a.staff[role] and event.version.number == 1


@pytest.mark.parametrize("version", ["2", "0", "one", "99999999999999999999999"])
def test_a_version_the_document_does_not_have_is_not_found(agency_a, client_as, version):
    document = make_document(agency_a, title="Licence")
    assert client_as(agency_a.owner).get(download_url(document), {"version": version}).status_code == 404


@pytest.mark.parametrize("query", [{"client": "abc"}, {"stores": "1,abc"}, {"client": "99999999999999999999999"},
                                   {"type_code": "no_such_type"}])
def test_an_upload_page_filled_in_with_nonsense_still_opens(agency_a, client_as, query):
    assert client_as(agency_a.manager).get(ADD, query).status_code == 200


def test_a_platform_superuser_looking_across_agencies_reads_the_list_but_writes_nothing(agency_a, agency_b,
                                                                                        client_as):
    from tests.factories import UserFactory

    make_document(agency_a, title="Licence of agency A", type_code=types.BUSINESS_LICENCE)
    make_document(agency_b, title="Licence of agency B", type_code=types.BUSINESS_LICENCE)
    platform = client_as(UserFactory(email="platform@example.com", is_superuser=True))
    rows = rows_of(platform.get(LIST).content.decode())
    assert set(rows) == {"Licence of agency A", "Licence of agency B"}
    assert "Valid" in rows["Licence of agency A"]
    assert platform.get(ADD).status_code == 403
    assert platform.get("/admin/documents/appealdocument/kits/").status_code == 200
    assert platform.get("/admin/documents/appealdocument/trash/").status_code == 403
