"""The demo library: ``loaddemo`` gives every demo client its appeal kit as real files, mostly fresh, with the gaps
a demo should show: a stale address proof, a licence expiring soon, a store without its invoice, a document with two
versions and one in the trash."""

import io

import magic
import pytest
from django.core.management import call_command
from django_scopes import scope

from accounts.models import Agency, Client, Store
from documents import demo, selectors, types
from documents.freshness import KitState, State
from documents.models import AppealDocument, DocumentVersion


def loaddemo():
    call_command("loaddemo", "--password", "demo-test-pass", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_loaddemo_gives_every_demo_store_its_appeal_kit_with_a_few_gaps():
    loaddemo()

    agency = Agency.objects.get(slug="demo")
    with scope(agency=agency):
        catalogue = selectors.type_catalogue(agency=agency)
        documents = list(AppealDocument.objects.filter(agency=agency, deleted_at__isnull=True))
        in_trash = list(AppealDocument.objects.filter(agency=agency, deleted_at__isnull=False))
        stores = list(Store.objects.filter(agency=agency).order_by("pk"))
        kits = selectors.appeal_kits(agency=agency, store_ids=[store.pk for store in stores], catalogue=catalogue)
        clients = list(Client.objects.filter(agency=agency).order_by("pk"))
        versions = list(DocumentVersion.objects.filter(agency=agency).select_related("document"))

    assert {document.type_code for document in documents} >= set(types.DEFAULT_APPEAL_KIT)
    assert {document.client_id for document in documents} == {client.pk for client in clients}
    states = [catalogue.freshness(document).state for document in documents]
    assert states.count(State.VALID) >= len(documents) - 2
    stale = [document for document in documents if catalogue.freshness(document).state == State.STALE]
    expiring = [document for document in documents if catalogue.freshness(document).state == State.EXPIRING_SOON]
    assert [document.type_code for document in stale] == [types.ADDRESS_PROOF]
    assert [document.type_code for document in expiring] == [types.BUSINESS_LICENCE]

    missing = {store.pk: kits[store.pk].missing for store in stores if kits[store.pk].missing}
    assert list(missing.values()) == [[types.SUPPLIER_INVOICE]]
    stale_client = clients[demo.STALE_CLIENT]
    assert {store.pk for store in stores if KitState.STALE in [item.state for item in kits[store.pk].items]} == {
        store.pk for store in stores if store.client_id == stale_client.pk}
    ready = [store for store in stores if kits[store.pk].is_ready]
    assert len(ready) >= len(stores) // 2

    numbers = {}
    for version in versions:
        numbers.setdefault(version.document_id, []).append(version.number)
    assert sorted(sorted(found) for found in numbers.values() if len(found) > 1) == [[1, 2]]
    assert len(in_trash) == 1 and in_trash[0].type_code == types.ADDRESS_PROOF


@pytest.mark.django_db(transaction=True)
def test_the_demo_files_are_real_pdfs_and_pngs_in_the_documents_storage():
    loaddemo()

    agency = Agency.objects.get(slug="demo")
    with scope(agency=agency):
        versions = list(DocumentVersion.objects.filter(agency=agency))
    assert {version.content_type for version in versions} == {"application/pdf", "image/png"}
    for version in versions:
        with version.file.open("rb") as file:
            content = file.read()
        assert len(content) == version.size
        assert magic.from_buffer(content, mime=True) == version.content_type
        assert version.file.name.startswith(f"agency-{agency.pk}/documents/")
    assert not any(version.duplicate_of_id for version in versions)
