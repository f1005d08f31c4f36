"""The writes and reads of the appeal-document library (``documents.services``, ``documents.selectors``) on the real
database and the local documents storage: what each writes, what each refuses (naming the field and the value, and
writing nothing, not even a file), the trail, the trash, links, the agency's own types and policy, and the reads
that must stay a fixed number of queries."""

import datetime
import hashlib
import os
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_scopes import scopes_disabled

from accounts.tenancy import Caller
from documents import freshness, selectors, services, types
from documents.models import (
    AppealDocument,
    DocumentEvent,
    DocumentLink,
    DocumentPolicy,
    DocumentStore,
    DocumentType,
    DocumentVersion,
)
from documents.types import FreshnessRule
from tests.documents.factories import PDF_BYTES, make_document, moved_to_trash, pdf_file, png_bytes
from tests.factories import ClientFactory, StoreAssignmentFactory, StoreFactory

Action = DocumentEvent.Action


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def a(agency_a):
    """Agency A's persona, with its scope active."""
    with agency_a.scope():
        yield agency_a


def owner(persona):
    return Caller.person(agency=persona.agency, user=persona.owner, role="owner")


def operator(persona):
    return Caller.person(agency=persona.agency, user=persona.operator, role="operator")


def days_ago(persona, days):
    return persona.agency.today() - datetime.timedelta(days=days)


def in_days(persona, days):
    return persona.agency.today() + datetime.timedelta(days=days)


def stored_files():
    """Every file in the local documents folder (``MEDIA_ROOT`` of this test run)."""
    root = Path(settings.MEDIA_ROOT)
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def create(persona, caller=None, upload=None, **details):
    """``services.document_create`` for the persona's client and assigned store, details overridable."""
    details = {"client": persona.client, "stores": [persona.assigned_store], "type_code": types.BUSINESS_LICENCE,
               "title": "Business licence", **details}
    return services.document_create(agency=persona.agency, caller=caller or owner(persona),
                                    upload=upload or pdf_file(), **details)


def refused(call):
    """The ``{field: [messages]}`` of the ``ValidationError`` that ``call()`` raises."""
    with pytest.raises(ValidationError) as excinfo:
        call()
    return {field: " ".join(str(message) for message in messages)
            for field, messages in excinfo.value.message_dict.items()}


def versions_of(document):
    return list(DocumentVersion.objects.filter(agency=document.agency, document=document).order_by("number"))


def events_of(document):
    return list(DocumentEvent.objects.filter(agency=document.agency, document=document).order_by("pk")
                .values_list("action", flat=True))


# -- creating a document ----------------------------------------------------------------------------------------
def test_creating_a_document_writes_it_its_stores_its_first_version_and_the_upload_to_the_trail(a):
    upload = pdf_file("../../scans/licence.pdf", marker=b"licence")
    content = upload.read()

    document = create(a, upload=upload, stores=[a.assigned_store, a.other_store], title="  Business   licence ",
                      issued_on=days_ago(a, 400), expires_on=in_days(a, 600), notes="Renewed in 2024.",
                      tags=["licence", " 2024 ", "licence"])

    document.refresh_from_db()
    assert (document.agency, document.client, document.type_code) == (a.agency, a.client, types.BUSINESS_LICENCE)
    assert document.title == "Business licence"
    assert (document.issued_on, document.expires_on) == (days_ago(a, 400), in_days(a, 600))
    assert document.tags == ["licence", "2024"]
    assert document.created_by == a.owner
    assert set(DocumentStore.objects.filter(document=document).values_list("store", flat=True)) == {
        a.assigned_store.pk, a.other_store.pk}
    [version] = versions_of(document)
    assert version.number == 1
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.size == len(content)
    assert version.content_type == "application/pdf"
    assert version.original_name == "licence.pdf"
    assert version.uploaded_by == a.owner and version.uploaded_by_key is None
    assert version.duplicate_of is None
    with version.file.open("rb") as stored:
        assert stored.read() == content
    event = DocumentEvent.objects.get(document=document)
    assert (event.action, event.version, event.actor, event.detail) == (Action.UPLOADED, version, a.owner,
                                                                        "licence.pdf")


def test_an_upload_with_an_api_key_records_the_key_not_a_person(a):
    document = create(a, caller=Caller.key(a.rw_key))

    version = versions_of(document)[0]
    assert (version.uploaded_by, version.uploaded_by_key) == (None, a.rw_key)
    event = DocumentEvent.objects.get(document=document)
    assert (event.actor, event.api_key) == (None, a.rw_key)
    assert document.created_by is None


def test_an_operator_creates_a_document_for_their_store(a):
    document = create(a, caller=operator(a))

    assert list(document.stores.all()) == [a.assigned_store]


def bad_details(persona, other):
    """Details that each refuse one field, with the value the message must name."""
    other_client = ClientFactory(agency=persona.agency, name="Another client")
    other_clients_store = StoreFactory(agency=persona.agency, client=other_client)
    return {
        "another agency's client": ({"client": other.client}, "client", "Client B"),
        "another agency's client id": ({"client": other.client.pk}, "client", str(other.client.pk)),
        "another agency's store": ({"stores": [other.assigned_store]}, "stores", str(other.assigned_store.pk)),
        "a store of another client": ({"stores": [other_clients_store.pk]}, "stores", str(other_clients_store.pk)),
        "no store": ({"stores": []}, "stores", "at least one store"),
        "unknown type": ({"type_code": "passport_photo"}, "type_code", "passport_photo"),
        "no title": ({"title": "   "}, "title", "title"),
        "issued after today": ({"issued_on": in_days(persona, 1)}, "issued_on", in_days(persona, 1).isoformat()),
        "expires before issued": ({"issued_on": days_ago(persona, 10), "expires_on": days_ago(persona, 11)},
                                  "expires_on", days_ago(persona, 11).isoformat()),
        "issued-within type without issue date": ({"type_code": types.ADDRESS_PROOF, "issued_on": None},
                                                  "issued_on", "Address proof"),
        "too many tags": ({"tags": [f"tag {number}" for number in range(21)]}, "tags", "21"),
        "a tag too long": ({"tags": ["x" * 51]}, "tags", "x" * 51),
    }


BAD_DETAILS = ["another agency's client", "another agency's client id", "another agency's store",
               "a store of another client", "no store", "unknown type", "no title", "issued after today",
               "expires before issued", "issued-within type without issue date", "too many tags", "a tag too long"]


@pytest.mark.parametrize("case", BAD_DETAILS)
def test_bad_details_are_refused_naming_the_field_and_the_value_and_nothing_is_written(a, agency_b, case):
    details, field, named = bad_details(a, agency_b)[case]
    files_before = stored_files()

    errors = refused(lambda: create(a, upload=pdf_file(marker=case.encode()), **details))

    assert field in errors
    assert named in errors[field]
    with scopes_disabled():
        assert not AppealDocument.objects.exists()
        assert not DocumentVersion.objects.exists()
        assert not DocumentEvent.objects.exists()
        assert not DocumentStore.objects.exists()
    assert stored_files() == files_before


def test_an_operator_may_not_name_a_store_they_do_not_see(a):
    files_before = stored_files()

    errors = refused(lambda: create(a, caller=operator(a), stores=[a.assigned_store, a.other_store]))

    assert errors["stores"] == f"No such store of this client: {a.other_store.pk}."
    assert not AppealDocument.objects.filter(agency=a.agency).exists()
    assert stored_files() == files_before


def test_an_operator_without_stores_sees_no_client(a):
    idle = Caller.person(agency=a.agency, user=a.idle_operator, role="operator")

    errors = refused(lambda: create(a, caller=idle))

    assert errors["client"] == f"No such client: {a.client}."


def test_a_bad_file_is_refused_before_the_details_and_leaves_nothing(a):
    files_before = stored_files()

    errors = refused(lambda: create(a, upload=pdf_file("invoice.pdf.exe")))

    assert ".exe" in errors["file"]
    assert not AppealDocument.objects.filter(agency=a.agency).exists()
    assert stored_files() == files_before


def test_a_failing_write_after_the_file_was_stored_removes_the_file_again(a, monkeypatch):
    files_before = stored_files()

    def broken_record(**kwargs):
        raise RuntimeError("the trail could not be written")

    monkeypatch.setattr(services, "_record", broken_record)
    with pytest.raises(RuntimeError):
        create(a)

    assert not AppealDocument.objects.filter(agency=a.agency).exists()
    assert stored_files() == files_before


# -- versions, duplicates, keys ---------------------------------------------------------------------------------
def test_a_new_version_keeps_the_earlier_one_and_its_file(a):
    document = create(a, upload=pdf_file("licence-2024.pdf", marker=b"2024"))
    first = versions_of(document)[0]

    second = services.document_add_version(agency=a.agency, caller=operator(a), document=document,
                                           upload=pdf_file("licence-2025.pdf", marker=b"2025"))

    assert [version.number for version in versions_of(document)] == [1, 2]
    assert second.original_name == "licence-2025.pdf" and second.uploaded_by == a.operator
    assert selectors.current_version(agency=a.agency, document=document) == second
    first.refresh_from_db()
    with first.file.open("rb") as stored:
        assert stored.read().endswith(b"%2024\n")
    with second.file.open("rb") as stored:
        assert stored.read().endswith(b"%2025\n")
    assert first.file.name != second.file.name
    assert events_of(document) == [Action.UPLOADED, Action.NEW_VERSION]
    assert DocumentEvent.objects.get(document=document, action=Action.NEW_VERSION).version == second


def test_a_document_in_the_trash_takes_no_new_version(a):
    document = create(a)
    services.document_delete(agency=a.agency, caller=owner(a), document=document)
    files_before = stored_files()

    errors = refused(lambda: services.document_add_version(agency=a.agency, caller=owner(a), document=document,
                                                           upload=pdf_file(marker=b"new")))

    assert "restore it first" in errors["file"]
    assert len(versions_of(document)) == 1
    assert stored_files() == files_before


def test_the_same_bytes_for_the_same_client_are_flagged_as_a_duplicate_of_the_first(a):
    first = create(a, upload=pdf_file("licence.pdf", marker=b"same"))
    again = create(a, upload=pdf_file("licence copy.pdf", marker=b"same"), title="Licence again")
    other = create(a, upload=pdf_file("other.pdf", marker=b"different"), title="Other")

    original = versions_of(first)[0]
    assert versions_of(again)[0].duplicate_of == original
    assert versions_of(other)[0].duplicate_of is None
    repeat = services.document_add_version(agency=a.agency, caller=owner(a), document=first,
                                           upload=pdf_file(marker=b"same"))
    assert repeat.duplicate_of == original


def test_the_same_bytes_for_another_client_or_agency_are_no_duplicate(a, agency_b):
    client = ClientFactory(agency=a.agency, name="Second client")
    store = StoreFactory(agency=a.agency, client=client)
    create(a, upload=pdf_file(marker=b"shared"))

    for_another_client = create(a, upload=pdf_file(marker=b"shared"), client=client, stores=[store])
    for_another_agency = make_document(agency_b, upload=pdf_file(marker=b"shared"))

    assert versions_of(for_another_client)[0].duplicate_of is None
    with agency_b.scope():
        assert versions_of(for_another_agency)[0].duplicate_of is None


def test_files_never_overwrite_each_other_and_live_below_the_agencys_prefix(a):
    first = create(a, upload=pdf_file("bill.pdf", marker=b"one"))
    second = create(a, upload=pdf_file("bill.pdf", marker=b"two"), title="Second bill")

    names = [versions_of(first)[0].file.name, versions_of(second)[0].file.name]
    assert names[0] != names[1]
    for name in names:
        assert name.startswith(f"agency-{a.agency.pk}/documents/")
        assert name.endswith(".pdf")
        assert "bill" not in name  # a key says nothing of the document
        assert (Path(settings.MEDIA_ROOT) / name).is_file()
    with versions_of(first)[0].file.open("rb") as stored:
        assert stored.read().endswith(b"%one\n")


def test_a_png_keeps_its_extension_in_its_key(a):
    document = create(a, upload=SimpleUploadedFile("screen.PNG", png_bytes()), type_code=types.EVIDENCE_SCREENSHOT)

    version = versions_of(document)[0]
    assert version.file.name.endswith(".png")
    assert version.content_type == "image/png"


# -- changing details -------------------------------------------------------------------------------------------
def test_an_update_records_each_changed_field_with_its_old_and_new_value(a):
    document = create(a, tags=["old"])
    document_title_before = document.title

    services.document_update(agency=a.agency, caller=owner(a), document=document, title="Licence 2026",
                             tags="new, licence", stores=[a.assigned_store, a.other_store], notes="")

    document.refresh_from_db()
    assert document.title == "Licence 2026"
    assert document.tags == ["new", "licence"]
    assert set(document.stores.values_list("pk", flat=True)) == {a.assigned_store.pk, a.other_store.pk}
    event = DocumentEvent.objects.get(document=document, action=Action.CHANGED)
    assert event.detail == (f"title: {document_title_before} → Licence 2026; tags: old → new, licence; "
                            "stores: +1")
    assert event.actor == a.owner


def test_an_update_that_changes_nothing_records_nothing(a):
    document = create(a)

    services.document_update(agency=a.agency, caller=owner(a), document=document, title="Business licence")

    assert events_of(document) == [Action.UPLOADED]


def test_an_update_checks_the_details_as_a_whole_and_writes_nothing_when_refused(a):
    document = create(a, type_code=types.ADDRESS_PROOF, issued_on=days_ago(a, 10))

    errors = refused(lambda: services.document_update(agency=a.agency, caller=owner(a), document=document,
                                                      title="Renamed", expires_on=days_ago(a, 20)))

    assert days_ago(a, 20).isoformat() in errors["expires_on"]
    document.refresh_from_db()
    assert document.title == "Business licence" and document.expires_on is None
    assert events_of(document) == [Action.UPLOADED]


def test_an_unknown_detail_is_refused_by_name(a):
    document = create(a)

    errors = refused(lambda: services.document_update(agency=a.agency, caller=owner(a), document=document,
                                                      colour="red"))

    assert "colour" in errors["colour"]


def test_an_operator_edits_a_document_that_also_serves_a_store_they_do_not_see_and_that_store_stays(a):
    document = create(a, stores=[a.assigned_store, a.other_store])

    services.document_update(agency=a.agency, caller=operator(a), document=document, title="Renamed by operator")
    services.document_update(agency=a.agency, caller=operator(a), document=document, stores=[a.assigned_store],
                             tags=["checked"])

    document.refresh_from_db()
    assert document.title == "Renamed by operator"
    assert document.tags == ["checked"]
    assert set(document.stores.values_list("pk", flat=True)) == {a.assigned_store.pk, a.other_store.pk}


# -- trash ------------------------------------------------------------------------------------------------------
def deleted_days_ago(document, days):
    moved_to_trash(document, days_ago=days)


def test_a_deleted_document_goes_to_the_trash_and_comes_back_within_the_days(a):
    document = create(a)

    services.document_delete(agency=a.agency, caller=owner(a), document=document)
    document.refresh_from_db()
    assert document.in_trash and document.deleted_by == a.owner
    assert list(selectors.document_list(agency=a.agency, caller=owner(a))) == []
    assert list(selectors.document_list(agency=a.agency, caller=owner(a), trash=True)) == [document]
    assert (Path(settings.MEDIA_ROOT) / versions_of(document)[0].file.name).is_file()  # kept until purged

    deleted_days_ago(document, 29)
    services.document_restore(agency=a.agency, caller=owner(a), document=document)

    document.refresh_from_db()
    assert not document.in_trash and document.deleted_by is None
    assert list(selectors.document_list(agency=a.agency, caller=owner(a))) == [document]
    assert events_of(document) == [Action.UPLOADED, Action.DELETED, Action.RESTORED]


def test_deleting_twice_records_once(a):
    document = create(a)

    services.document_delete(agency=a.agency, caller=owner(a), document=document)
    services.document_delete(agency=a.agency, caller=owner(a), document=document)

    assert events_of(document) == [Action.UPLOADED, Action.DELETED]


def test_a_document_past_the_days_of_the_trash_can_no_longer_be_restored(a):
    services.document_policy_update(agency=a.agency, trash_days=7)
    document = create(a)
    services.document_delete(agency=a.agency, caller=owner(a), document=document)
    deleted_days_ago(document, 8)

    errors = refused(lambda: services.document_restore(agency=a.agency, caller=owner(a), document=document))

    assert "it can no longer be restored" in errors["document"]
    document.refresh_from_db()
    assert document.in_trash
    assert events_of(document) == [Action.UPLOADED, Action.DELETED]


def test_a_document_not_in_the_trash_is_not_restored(a):
    document = create(a)

    errors = refused(lambda: services.document_restore(agency=a.agency, caller=owner(a), document=document))

    assert "not in the trash" in errors["document"]


def test_the_purge_removes_only_documents_past_the_days_with_their_files_after_commit(
        a, agency_b, django_capture_on_commit_callbacks):
    old = create(a, title="Deleted 31 days ago", upload=pdf_file(marker=b"old"))
    services.document_add_version(agency=a.agency, caller=owner(a), document=old, upload=pdf_file(marker=b"old 2"))
    at_the_limit = create(a, title="Deleted within the days", upload=pdf_file(marker=b"limit"))
    kept = create(a, title="In use", upload=pdf_file(marker=b"kept"))
    for document, days in ((old, 31), (at_the_limit, 29.9)):
        services.document_delete(agency=a.agency, caller=owner(a), document=document)
        deleted_days_ago(document, days)
    foreign = make_document(agency_b, title="B's old paper")
    with agency_b.scope():
        services.document_delete(agency=agency_b.agency, caller=owner(agency_b), document=foreign)
        deleted_days_ago(foreign, 100)
    old_files = [version.file.name for version in versions_of(old)]
    root = Path(settings.MEDIA_ROOT)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        removed = services.documents_purge_trash(agency=a.agency)
    assert all((root / name).is_file() for name in old_files)  # not before the commit
    for callback in callbacks:
        callback()

    assert removed == 1
    assert set(AppealDocument.objects.filter(agency=a.agency).values_list("title", flat=True)) == {
        "Deleted within the days", "In use"}
    assert not DocumentVersion.objects.filter(agency=a.agency, document_id=old.pk).exists()
    assert len(old_files) == 2 and not any((root / name).exists() for name in old_files)
    for document in (at_the_limit, kept):
        assert (root / versions_of(document)[0].file.name).is_file()
    with agency_b.scope():
        assert AppealDocument.objects.filter(agency=agency_b.agency, pk=foreign.pk).exists()


# -- links to other records -------------------------------------------------------------------------------------
def test_a_document_is_linked_once_however_often_asked_and_unlinked_once(a):
    document = create(a)
    target = a.assigned_store  # any record of the agency; the cases app attaches cases and chats

    first = services.document_link(agency=a.agency, caller=owner(a), document=document, target=target)
    again = services.document_link(agency=a.agency, caller=owner(a), document=document, target=target)

    assert first == again
    assert DocumentLink.objects.filter(agency=a.agency, document=document).count() == 1
    assert first.linked_by == a.owner
    assert selectors.documents_linked_to(agency=a.agency, caller=owner(a), target=target) == [document]

    services.document_unlink(agency=a.agency, caller=owner(a), document=document, target=target)
    services.document_unlink(agency=a.agency, caller=owner(a), document=document, target=target)

    assert not DocumentLink.objects.filter(agency=a.agency).exists()
    assert selectors.documents_linked_to(agency=a.agency, caller=owner(a), target=target) == []
    assert events_of(document) == [Action.UPLOADED, Action.LINKED, Action.UNLINKED]
    details = list(DocumentEvent.objects.filter(document=document, action__in=[Action.LINKED, Action.UNLINKED])
                   .values_list("detail", flat=True))
    assert details == [f"accounts.store {target.pk}"] * 2


def test_a_document_is_not_linked_to_another_agencys_record_nor_from_the_trash(a, agency_b):
    document = create(a)

    errors = refused(lambda: services.document_link(agency=a.agency, caller=owner(a), document=document,
                                                    target=agency_b.assigned_store))
    assert str(document.pk) in errors["document"]

    services.document_delete(agency=a.agency, caller=owner(a), document=document)
    errors = refused(lambda: services.document_link(agency=a.agency, caller=owner(a), document=document,
                                                    target=a.assigned_store))
    assert "restore it first" in errors["document"]
    assert not DocumentLink.objects.filter(agency=a.agency).exists()


def test_the_documents_linked_to_a_record_are_those_the_caller_sees_in_the_order_attached(a):
    target = a.client
    for_other_store = create(a, stores=[a.other_store], title="Other store's licence")
    for_assigned_store = create(a, title="Assigned store's licence")
    trashed = create(a, title="Trashed")
    for document in (for_other_store, for_assigned_store, trashed):
        services.document_link(agency=a.agency, caller=owner(a), document=document, target=target)
    services.document_delete(agency=a.agency, caller=owner(a), document=trashed)

    assert selectors.documents_linked_to(agency=a.agency, caller=owner(a), target=target) == [
        for_other_store, for_assigned_store]
    assert selectors.documents_linked_to(agency=a.agency, caller=operator(a), target=target) == [for_assigned_store]


# -- the agency's own types -------------------------------------------------------------------------------------
def test_an_agency_adds_a_type_that_ages_and_its_documents_follow_it(a):
    kind = services.document_type_create(agency=a.agency, code="customs_declaration", name="Customs declaration",
                                         rule=FreshnessRule.ISSUED_WITHIN, max_age_days=60)

    assert kind.pk and selectors.document_types(agency=a.agency)["customs_declaration"].max_age_days == 60
    errors = refused(lambda: create(a, type_code="customs_declaration"))
    assert "Customs declaration" in errors["issued_on"]
    document = create(a, type_code="customs_declaration", issued_on=days_ago(a, 61))
    assert selectors.type_catalogue(agency=a.agency).freshness(document).state == freshness.State.STALE


@pytest.mark.parametrize(("arguments", "field", "named"), [
    ({"code": types.ADDRESS_PROOF, "name": "My bills"}, "code", types.ADDRESS_PROOF),
    ({"code": "Customs-Papers", "name": "Customs"}, "code", "lower-case"),
    ({"code": "customs", "name": ""}, "name", "blank"),
    ({"code": "customs", "name": "Customs", "rule": FreshnessRule.ISSUED_WITHIN}, "max_age_days", "days"),
    ({"code": "customs", "name": "Customs", "rule": "weekly"}, "rule", "weekly"),
])
def test_a_type_the_agency_may_not_add_is_refused_by_field(a, arguments, field, named):
    errors = refused(lambda: services.document_type_create(agency=a.agency, **arguments))

    assert named in errors[field]
    assert not DocumentType.objects.filter(agency=a.agency).exists()


def test_an_agency_may_not_add_the_same_type_twice_but_another_agency_may(a, agency_b):
    services.document_type_create(agency=a.agency, code="customs", name="Customs")

    errors = refused(lambda: services.document_type_create(agency=a.agency, code="customs", name="Customs again"))

    assert "customs" in errors["code"]
    with agency_b.scope():
        services.document_type_create(agency=agency_b.agency, code="customs", name="Customs")
    with scopes_disabled():
        assert DocumentType.objects.filter(code="customs").count() == 2


# -- the agency's policy ----------------------------------------------------------------------------------------
def test_the_policy_takes_the_agencys_numbers_and_kit(a):
    services.document_type_create(agency=a.agency, code="customs", name="Customs")

    policy = services.document_policy_update(
        agency=a.agency, expiring_within_days=45, address_proof_max_age_days=60, invoice_max_age_days=120,
        card_statement_max_age_days=30, trash_days=14,
        appeal_kit=[types.BUSINESS_LICENCE, "customs", types.BUSINESS_LICENCE])

    policy.refresh_from_db()
    assert (policy.expiring_within_days, policy.address_proof_max_age_days, policy.invoice_max_age_days,
            policy.card_statement_max_age_days, policy.trash_days) == (45, 60, 120, 30, 14)
    assert policy.appeal_kit == [types.BUSINESS_LICENCE, "customs"]
    assert DocumentPolicy.objects.filter(agency=a.agency).count() == 1


@pytest.mark.parametrize(("values", "field", "named"), [
    ({"appeal_kit": [types.BUSINESS_LICENCE, "passport_photo"]}, "appeal_kit", "passport_photo"),
    ({"appeal_kit": "business_licence"}, "appeal_kit", "list"),
    ({"expiring_within_days": 400}, "expiring_within_days", "400"),
    ({"expiring_within_days": -1}, "expiring_within_days", "-1"),
    ({"address_proof_max_age_days": 0}, "address_proof_max_age_days", "0"),
    ({"invoice_max_age_days": 4000}, "invoice_max_age_days", "4000"),
    ({"card_statement_max_age_days": "ninety"}, "card_statement_max_age_days", "ninety"),
    ({"trash_days": 366}, "trash_days", "366"),
    ({"trash_days": None}, "trash_days", "None"),
    ({"colour": "red"}, "colour", "colour"),
])
def test_a_bad_policy_value_is_refused_naming_the_field_and_the_value_and_nothing_is_written(
        a, values, field, named):
    errors = refused(lambda: services.document_policy_update(agency=a.agency, **values))

    assert named in errors[field]
    assert not DocumentPolicy.objects.filter(agency=a.agency).exists()


def test_a_refused_policy_change_leaves_every_number_as_it_was(a):
    services.document_policy_update(agency=a.agency, trash_days=14, expiring_within_days=20)

    errors = refused(lambda: services.document_policy_update(agency=a.agency, trash_days=10,
                                                             expiring_within_days=999))

    assert "999" in errors["expiring_within_days"]
    policy = DocumentPolicy.objects.get(agency=a.agency)
    assert (policy.trash_days, policy.expiring_within_days) == (14, 20)


# -- reads: the appeal kits and the documents needing attention -------------------------------------------------
def test_the_appeal_kit_of_a_store_names_the_missing_and_stale_types_and_ignores_the_trash(a):
    create(a, type_code=types.LEGAL_REPRESENTATIVE_ID, expires_on=in_days(a, 300), title="ID")
    create(a, type_code=types.ADDRESS_PROOF, issued_on=days_ago(a, 91), title="Old bill")
    invoice = create(a, type_code=types.SUPPLIER_INVOICE, issued_on=days_ago(a, 5), title="Invoice")
    services.document_delete(agency=a.agency, caller=owner(a), document=invoice)
    create(a, stores=[a.other_store], type_code=types.BUSINESS_LICENCE, title="Other store's licence")

    kit = selectors.appeal_kit(agency=a.agency, store=a.assigned_store)

    assert kit.missing == [types.BUSINESS_LICENCE, types.SUPPLIER_INVOICE]
    assert kit.stale == [types.ADDRESS_PROOF]
    assert not kit.is_ready


def test_the_appeal_kit_follows_the_agencys_kit_and_days(a):
    create(a, type_code=types.ADDRESS_PROOF, issued_on=days_ago(a, 91), title="Bill")
    services.document_policy_update(agency=a.agency, appeal_kit=[types.ADDRESS_PROOF],
                                    address_proof_max_age_days=120)

    kit = selectors.appeal_kit(agency=a.agency, store=a.assigned_store)

    assert [item.type_code for item in kit.items] == [types.ADDRESS_PROOF]
    assert kit.is_ready


def add_stores_with_documents(persona, how_many):
    """``how_many`` stores of the persona's client, each served by a licence of its own, and one bill serving all."""
    stores = [StoreFactory(agency=persona.agency, client=persona.client) for _number in range(how_many)]
    for store in stores:
        make_document(persona, store=store, type_code=types.BUSINESS_LICENCE, title=f"Licence of {store.pk}")
    make_document(persona, stores=stores, type_code=types.ADDRESS_PROOF, title=f"Bill of {how_many}")
    return [store.pk for store in stores]


def test_the_appeal_kits_of_100_stores_take_as_many_queries_as_those_of_10(a, django_assert_max_num_queries):
    few = add_stores_with_documents(a, 10)
    many = add_stores_with_documents(a, 100)

    with CaptureQueriesContext(connection) as for_few:
        few_kits = selectors.appeal_kits(agency=a.agency, store_ids=few)
    with django_assert_max_num_queries(len(for_few)):
        many_kits = selectors.appeal_kits(agency=a.agency, store_ids=many)

    assert len(for_few) <= 3
    assert len(many_kits) == 100
    for kits in (few_kits, many_kits):
        assert all(kit.missing == [types.LEGAL_REPRESENTATIVE_ID, types.SUPPLIER_INVOICE] for kit in kits.values())
        assert all(kit.items[1].state == freshness.KitState.READY for kit in kits.values())


def test_the_documents_needing_attention_come_worst_first_and_an_operator_sees_only_theirs(a):
    create(a, type_code=types.LEGAL_REPRESENTATIVE_ID, expires_on=in_days(a, 400), title="Valid ID")
    create(a, type_code=types.LEGAL_REPRESENTATIVE_ID, title="ID without dates")
    create(a, type_code=types.LEGAL_REPRESENTATIVE_ID, expires_on=in_days(a, 20), title="Expiring in 20 days")
    create(a, type_code=types.LEGAL_REPRESENTATIVE_ID, expires_on=in_days(a, 3), title="Expiring in 3 days")
    create(a, type_code=types.ADDRESS_PROOF, issued_on=days_ago(a, 100), title="Stale bill")
    create(a, type_code=types.BUSINESS_LICENCE, expires_on=days_ago(a, 2), title="Expired 2 days ago")
    create(a, type_code=types.BUSINESS_LICENCE, expires_on=days_ago(a, 40), title="Expired 40 days ago")
    create(a, stores=[a.other_store], type_code=types.BUSINESS_LICENCE, expires_on=days_ago(a, 50),
           title="Other store's expired licence")
    trashed = create(a, type_code=types.BUSINESS_LICENCE, expires_on=days_ago(a, 60), title="Trashed")
    services.document_delete(agency=a.agency, caller=owner(a), document=trashed)

    for_owner = selectors.documents_needing_attention(agency=a.agency, caller=owner(a))
    for_operator = selectors.documents_needing_attention(agency=a.agency, caller=operator(a))

    assert [item.document.title for item in for_owner] == [
        "Other store's expired licence", "Expired 40 days ago", "Expired 2 days ago", "Stale bill",
        "Expiring in 3 days", "Expiring in 20 days"]
    assert [item.freshness.state for item in for_owner[2:]] == [
        freshness.State.EXPIRED, freshness.State.STALE, freshness.State.EXPIRING_SOON, freshness.State.EXPIRING_SOON]
    assert [item.document.title for item in for_operator] == [
        "Expired 40 days ago", "Expired 2 days ago", "Stale bill", "Expiring in 3 days", "Expiring in 20 days"]
    assert [item.document.title
            for item in selectors.documents_needing_attention(agency=a.agency, caller=owner(a), limit=2)] == [
        "Other store's expired licence", "Expired 40 days ago"]


def test_a_paper_without_dates_whose_type_came_to_age_by_issue_date_needs_attention(a):
    services.document_type_create(agency=a.agency, code="customs", name="Customs")
    create(a, type_code="customs", title="Customs papers")
    DocumentType.objects.filter(agency=a.agency, code="customs").update(rule=FreshnessRule.ISSUED_WITHIN,
                                                                        max_age_days=30)

    needing = selectors.documents_needing_attention(agency=a.agency, caller=owner(a))

    assert [(item.document.title, item.freshness.state) for item in needing] == [
        ("Customs papers", freshness.State.STALE)]


def test_the_trail_records_a_download_with_its_version(a):
    document = create(a)
    version = versions_of(document)[0]

    services.document_download_record(agency=a.agency, caller=operator(a), version=version)

    event = DocumentEvent.objects.get(document=document, action=Action.DOWNLOADED)
    assert (event.version, event.actor) == (version, a.operator)
    with version.file.open("rb") as stored:
        assert stored.read().startswith(PDF_BYTES)


# -- a document shared with stores beyond the caller -------------------------------------------------------------
def test_an_operator_cannot_give_a_document_that_also_serves_a_colleagues_store_to_another_client(a):
    other_client = ClientFactory(agency=a.agency, name="Other client")
    theirs = StoreFactory(agency=a.agency, client=other_client, name="Operator's store of the other client")
    StoreAssignmentFactory(agency=a.agency, store=theirs, user=a.operator)
    document = create(a, stores=[a.assigned_store, a.other_store])

    errors = refused(lambda: services.document_update(agency=a.agency, caller=operator(a), document=document,
                                                      client=other_client, stores=[theirs]))

    assert "stores you do not look after" in errors["client"]
    document.refresh_from_db()
    assert document.client == a.client
    assert set(document.stores.all()) == {a.assigned_store, a.other_store}


def test_an_operator_deleting_a_shared_document_takes_it_from_their_stores_only(a):
    document = create(a, stores=[a.assigned_store, a.other_store])

    services.document_delete(agency=a.agency, caller=operator(a), document=document)

    document.refresh_from_db()
    assert not document.in_trash
    assert list(document.stores.all()) == [a.other_store]
    assert events_of(document) == [Action.UPLOADED, Action.CHANGED]
    assert DocumentEvent.objects.get(document=document, action=Action.CHANGED).detail == "stores: −1"


def test_an_operator_deleting_a_document_of_their_stores_alone_moves_it_to_the_trash(a):
    document = create(a)

    services.document_delete(agency=a.agency, caller=operator(a), document=document)

    document.refresh_from_db()
    assert document.in_trash and list(document.stores.all()) == [a.assigned_store]


# -- the trash and the trail ---------------------------------------------------------------------------------------
def test_the_trash_days_promised_when_a_document_was_deleted_hold_when_the_policy_changes_later(a):
    document = create(a)
    services.document_delete(agency=a.agency, caller=owner(a), document=document)
    moved_to_trash(document, days_ago=5)  # deleted five days ago, to be kept 30 days

    services.document_policy_update(agency=a.agency, trash_days=1)

    assert services.documents_purge_trash(agency=a.agency) == 0
    services.document_restore(agency=a.agency, caller=owner(a), document=document)
    document.refresh_from_db()
    assert not document.in_trash and document.purge_after is None


def test_the_purge_keeps_the_trail_of_a_removed_document_with_a_line_saying_so(a, django_capture_on_commit_callbacks):
    document = create(a, title="Old licence")
    services.document_delete(agency=a.agency, caller=owner(a), document=document)
    moved_to_trash(document, days_ago=31)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.documents_purge_trash(agency=a.agency) == 1

    trail = list(DocumentEvent.objects.filter(agency=a.agency, document_title="Old licence").order_by("pk")
                 .values_list("action", "document_id"))
    assert trail == [(Action.UPLOADED, None), (Action.DELETED, None), (Action.PURGED, None)]


def test_a_restore_refused_past_the_days_names_the_last_moment_in_the_agencys_time(a):
    document = create(a, title="Licence")
    services.document_delete(agency=a.agency, caller=owner(a), document=document)
    moved_to_trash(document, days_ago=31)
    local = document.purge_after.astimezone(zoneinfo.ZoneInfo(a.agency.time_zone))

    errors = refused(lambda: services.document_restore(agency=a.agency, caller=owner(a), document=document))

    assert errors["document"] == (f"“Licence” could be restored until {local:%Y-%m-%d %H:%M}; it can no longer be "
                                  f"restored.")


def test_a_stray_file_older_than_a_day_is_swept_and_a_recent_one_and_every_versions_file_kept(a):
    document = create(a)
    kept = versions_of(document)[0].file.name
    folder = Path(settings.MEDIA_ROOT) / f"agency-{a.agency.pk}" / "documents"
    old_stray, new_stray = folder / ("0" * 32 + ".pdf"), folder / ("f" * 32 + ".pdf")
    for stray in (old_stray, new_stray):
        stray.write_bytes(PDF_BYTES)
    two_days_ago = (datetime.datetime.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(old_stray, (two_days_ago, two_days_ago))
    os.utime(Path(settings.MEDIA_ROOT) / kept, (two_days_ago, two_days_ago))

    assert services.documents_sweep_stray_files(agency=a.agency) == 1

    assert not old_stray.exists() and new_stray.exists()
    assert (Path(settings.MEDIA_ROOT) / kept).exists()


def test_an_agency_without_documents_has_no_stray_files(agency_b):
    with agency_b.scope():
        assert services.documents_sweep_stray_files(agency=agency_b.agency) == 0


# -- what a person reads -------------------------------------------------------------------------------------------
def test_titles_and_tags_keep_only_what_a_person_can_read_and_tags_split_on_chinese_commas_too(a):
    document = create(a, title="invoice\u202efdp.exe\u0007  2026", tags="2025，水电费账单、 bill,\u200b")

    assert document.title == "invoicefdp.exe 2026"
    assert document.tags == ["2025", "水电费账单", "bill"]
