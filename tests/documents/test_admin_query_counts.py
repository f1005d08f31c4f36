"""The library's admin pages issue the same number of queries for 10 documents (or stores) as for 100 (house rule
5): the list, filtered or not, as a manager and as an operator; the trash; the appeal kits; the store page's panel;
the overview; a document's page, however many of its versions repeat another file."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Store, StoreAssignment
from documents import types
from documents.models import AppealDocument, DocumentStore, DocumentVersion
from tests.documents.factories import make_document
from tests.page_queries import STORE_PAGE_MAX_QUERIES, compare

#: The same bound as the other lists of the admin: session, membership, the page, its counts and filters.
KINDS = [
    (types.LEGAL_REPRESENTATIVE_ID, None, -5),   # expired
    (types.ADDRESS_PROOF, 120, None),           # stale
    (types.SUPPLIER_INVOICE, 85, None),         # expiring soon
    (types.BUSINESS_LICENCE, None, 300),        # valid
]


def add_documents(persona, how_many, *, stores, trash=False):
    """``how_many`` documents of the persona's client serving ``stores``, each with a version, of every freshness
    (rows only: these pages never read the files)."""
    agency = persona.agency
    today = agency.today()
    with scopes_disabled():
        documents = AppealDocument.objects.bulk_create([
            AppealDocument(agency=agency, client=persona.client, type_code=code, title=f"Counted document {n:04}",
                           issued_on=today - datetime.timedelta(days=issued) if issued else None,
                           expires_on=today + datetime.timedelta(days=expires) if expires else None,
                           deleted_at=timezone.now() if trash else None, deleted_by=persona.manager if trash else None)
            for n, (code, issued, expires) in ((n, KINDS[n % len(KINDS)]) for n in range(how_many))])
        DocumentStore.objects.bulk_create([DocumentStore(agency=agency, document=document, store=store)
                                           for document in documents for store in stores])
        DocumentVersion.objects.bulk_create([
            DocumentVersion(agency=agency, document=document, number=1, file=f"agency-{agency.pk}/documents/x.pdf",
                            sha256=f"{document.pk:064d}", size=1000 + document.pk, content_type="application/pdf",
                            original_name="scan.pdf", uploaded_by=persona.owner) for document in documents])


def add_stores(persona, how_many, *, assign_to=None):
    agency = persona.agency
    with scopes_disabled():
        first = Store.objects.filter(agency=agency).count()
        stores = Store.objects.bulk_create([
            Store(agency=agency, client=persona.client, name=f"Counted store {first + n:04}", marketplace="US",
                  seller_id=f"D{agency.pk}X{first + n:05}") for n in range(how_many)])
        if assign_to is not None:
            StoreAssignment.objects.bulk_create([StoreAssignment(agency=agency, store=store, user=assign_to)
                                                 for store in stores])
    return stores


@pytest.mark.parametrize("role", ["manager", "operator"])
@pytest.mark.parametrize("query", [{}, {"freshness": "stale"}, {"q": "Counted"}])
def test_the_documents_list_reads_as_many_queries_for_100_documents_as_for_10(
        agency_a, client_as, django_assert_max_num_queries, role, query):
    client = client_as(agency_a.staff[role])
    shown = compare(lambda: client.get("/admin/documents/appealdocument/", query),
                    lambda n: add_documents(agency_a, n, stores=[agency_a.assigned_store, agency_a.other_store]),
                    django_assert_max_num_queries, marker='class="field-document_label')
    # A stale one in four: 3 of the first 10, 23 more of the next 90; a page shows 50.
    expected = (3, 26) if query.get("freshness") else (10, 50)
    assert shown == expected


def test_the_trash_reads_as_many_queries_for_100_documents_as_for_10(agency_a, client_as,
                                                                      django_assert_max_num_queries):
    client = client_as(agency_a.manager)
    shown = compare(lambda: client.get("/admin/documents/appealdocument/trash/"),
                    lambda n: add_documents(agency_a, n, stores=[agency_a.assigned_store], trash=True),
                    django_assert_max_num_queries, marker='class="trash-document"')
    assert shown == (10, 50)


@pytest.mark.parametrize("role", ["manager", "operator"])
def test_the_appeal_kits_read_as_many_queries_for_100_stores_as_for_10(agency_a, client_as,
                                                                        django_assert_max_num_queries, role):
    operator = agency_a.operator if role == "operator" else None

    def grow(n):
        stores = add_stores(agency_a, n, assign_to=operator)
        add_documents(agency_a, n, stores=stores)

    client = client_as(agency_a.staff[role])
    few, many = compare(lambda: client.get("/admin/documents/appealdocument/kits/"), grow,
                        django_assert_max_num_queries, marker='class="appeal-kit-store"')
    assert many == 50 and few == (11 if role == "operator" else 12)


def test_the_store_panel_reads_as_many_queries_for_100_documents_as_for_10(agency_a, client_as,
                                                                            django_assert_max_num_queries):
    client = client_as(agency_a.manager)
    shown = compare(lambda: client.get(f"/admin/accounts/store/{agency_a.assigned_store.pk}/change/"),
                    lambda n: add_documents(agency_a, n, stores=[agency_a.assigned_store]),
                    django_assert_max_num_queries, marker='class="documents-kit-item"',
                    max_queries=STORE_PAGE_MAX_QUERIES)
    assert shown == (4, 4)


@pytest.mark.parametrize("role", ["manager", "operator"])
def test_the_overview_section_reads_as_many_queries_for_100_documents_as_for_10(agency_a, client_as,
                                                                                django_assert_max_num_queries, role):
    client = client_as(agency_a.staff[role])
    shown = compare(lambda: client.get("/admin/"),
                    lambda n: add_documents(agency_a, n, stores=[agency_a.assigned_store]),
                    django_assert_max_num_queries, marker='class="documents-stale-item"')
    assert shown == (8, 10)


def add_repeated_versions(document, how_many, *, repeating):
    """``how_many`` more versions of ``document``, each with the bytes of one of the versions ``repeating``, in turn
    (rows only: a document's page never reads the files)."""
    with scopes_disabled():
        first = DocumentVersion.objects.filter(document=document).count() + 1
        DocumentVersion.objects.bulk_create([
            DocumentVersion(agency=document.agency, document=document, number=first + n, file=earlier.file.name,
                            sha256=earlier.sha256, size=earlier.size, content_type=earlier.content_type,
                            original_name=f"copy {first + n}.pdf", duplicate_of=earlier)
            for n, earlier in ((n, repeating[n % len(repeating)]) for n in range(how_many))])


@pytest.mark.parametrize("role", ["manager", "operator"])
def test_a_documents_page_reads_as_many_queries_for_many_repeated_files_as_for_few(
        agency_a, client_as, django_assert_max_num_queries, role):
    seen = make_document(agency_a, title="Licence of my store")
    beyond = make_document(agency_a, title="Licence of the other store", store=agency_a.other_store)
    document = make_document(agency_a, title="Licence, again and again")
    with scopes_disabled():
        repeating = [seen.versions.get(), beyond.versions.get()]
    client = client_as(agency_a.staff[role])
    page = f"/admin/documents/appealdocument/{document.pk}/change/"
    shown = compare(lambda: client.get(page), lambda n: add_repeated_versions(document, n // 5, repeating=repeating),
                    django_assert_max_num_queries, marker='class="document-version"')
    assert shown == (3, 21)  # the first version, then 2 and 20 repeats
    named = client.get(page).content.decode().count("Same file as version 1 of “Licence of")
    assert named == (20 if role == "manager" else 10)  # the operator is told of the other store's licence unnamed
    assert ("Licence of the other store" in client.get(page).content.decode()) == (role == "manager")
