"""Moving a document to the trash in the admin, and the trash itself: deleting is soft (through the library's
service, from a document's page or the list's action), and owners and managers restore within the agency's days;
operators and viewers never see the trash."""

import datetime

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from accounts.tenancy import Caller
from documents import services
from documents.models import AppealDocument, DocumentEvent, DocumentVersion
from tests.documents.factories import make_document

LIST = "/admin/documents/appealdocument/"
TRASH = "/admin/documents/appealdocument/trash/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def delete_url(document):
    return reverse("admin:documents_appealdocument_delete", args=[document.pk])


def change_url(document):
    return reverse("admin:documents_appealdocument_change", args=[document.pk])


def download_url(document, version=None):
    url = reverse("admin:documents_appealdocument_download", args=[document.pk])
    return f"{url}?version={version}" if version is not None else url


def fresh(document):
    with scopes_disabled():
        return AppealDocument.objects.filter(pk=document.pk).first()


def trashed(persona, title, *, by=None, days_ago=0):
    """A document of the persona moved to the trash ``days_ago`` days ago by ``by`` (its manager)."""
    document = make_document(persona, title=title)
    caller = Caller.person(agency=persona.agency, user=by or persona.manager, role="manager")
    with persona.scope():
        services.document_delete(agency=persona.agency, caller=caller, document=document)
        if days_ago:
            # The moment it is removed for good moves back with it (as it was deleted then).
            AppealDocument.objects.filter(pk=document.pk).update(
                deleted_at=F("deleted_at") - datetime.timedelta(days=days_ago),
                purge_after=F("purge_after") - datetime.timedelta(days=days_ago))
    return fresh(document)


@pytest.mark.parametrize("role", ["manager", "operator"])
def test_move_to_trash_on_a_documents_page_keeps_the_document_its_files_and_trail(agency_a, client_as, role):
    document = make_document(agency_a, title="Licence 2025")
    client = client_as(agency_a.staff[role])
    confirmation = client.get(delete_url(document)).content.decode()
    assert "Move “Licence 2025” to the trash?" in confirmation and "30 days" in confirmation

    answer = client.post(delete_url(document), {"post": "yes"}, follow=True)

    assert "“Licence 2025” is in the trash" in answer.content.decode()
    kept = fresh(document)
    assert kept is not None and kept.deleted_at is not None and kept.deleted_by == agency_a.staff[role]
    with scopes_disabled():
        assert DocumentVersion.objects.filter(document=kept).count() == 1
        assert DocumentEvent.objects.filter(document=kept, action=DocumentEvent.Action.DELETED).count() == 1
    assert "Licence 2025" not in client.get(LIST).content.decode()
    assert client.get(change_url(document)).status_code == 404


def test_the_documents_page_offers_move_to_trash_rather_than_delete(agency_a, client_as):
    document = make_document(agency_a, title="Licence 2025")
    page = client_as(agency_a.manager).get(change_url(document)).content.decode()
    assert "Move to trash" in page and delete_url(document) in page


def test_the_lists_action_moves_the_selected_documents_to_the_trash(agency_a, client_as):
    first, second = make_document(agency_a, title="First bill"), make_document(agency_a, title="Second bill")
    manager = client_as(agency_a.manager)
    chosen = {"action": "delete_selected", "_selected_action": [first.pk, second.pk]}
    confirmation = manager.post(LIST, chosen).content.decode()
    assert "Move these 2 documents to the trash?" in confirmation and "30 days" in confirmation

    answer = manager.post(LIST, {**chosen, "post": "yes"}, follow=True)

    assert "The selected documents are in the trash" in answer.content.decode()
    assert fresh(first).in_trash and fresh(second).in_trash


def test_viewers_cannot_move_a_document_to_the_trash(agency_a, client_as):
    document = make_document(agency_a, title="Licence 2025")
    viewer = client_as(agency_a.viewer)
    assert viewer.get(delete_url(document)).status_code == 403
    assert viewer.post(delete_url(document), {"post": "yes"}).status_code == 403
    assert not fresh(document).in_trash


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_the_trash_lists_when_by_whom_and_until_when_each_document_can_be_restored(agency_a, client_as, role):
    recent = trashed(agency_a, "Old power bill")
    page = client_as(agency_a.staff[role]).get(TRASH)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Old power bill" in html and "manager a" in html
    until = timezone.localtime(recent.deleted_at + datetime.timedelta(days=30))
    assert until.strftime("%m/%d/%Y") in html
    assert "Licence" not in html  # nothing out of the trash


def test_a_manager_restores_a_document_from_the_trash(agency_a, client_as):
    document = trashed(agency_a, "Old power bill")
    manager = client_as(agency_a.manager)

    answer = manager.post(TRASH, {"document": document.pk}, follow=True)

    assert "is restored" in answer.content.decode()
    assert not fresh(document).in_trash
    assert "Old power bill" in manager.get(LIST).content.decode()
    with scopes_disabled():
        assert DocumentEvent.objects.filter(document=document, action=DocumentEvent.Action.RESTORED).count() == 1


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_a_document_in_the_trash_is_neither_opened_nor_downloaded_until_it_is_restored(agency_a, client_as, role):
    document = trashed(agency_a, "Old power bill")
    client = client_as(agency_a.staff[role])
    for url in (change_url(document), download_url(document), download_url(document, 1)):
        assert client.get(url).status_code == 404, url
    with scopes_disabled():
        assert not DocumentEvent.objects.filter(document=document, action=DocumentEvent.Action.DOWNLOADED).exists()
    trash = client.get(TRASH).content.decode()
    assert "Old power bill" in trash and download_url(document) not in trash  # listed, restorable, not handed out

    client.post(TRASH, {"document": document.pk})

    assert client.get(change_url(document)).status_code == 200
    assert client.get(download_url(document)).status_code == 200


def test_a_document_past_the_trash_days_cannot_be_restored_and_the_page_says_why(agency_a, client_as):
    document = trashed(agency_a, "Ancient bill", days_ago=31)
    manager = client_as(agency_a.manager)
    page = manager.get(TRASH).content.decode()
    assert "No longer restorable" in page

    answer = manager.post(TRASH, {"document": document.pk}, follow=True)

    assert "“Ancient bill” could be restored until" in answer.content.decode()
    assert "it can no longer be restored" in answer.content.decode()
    assert fresh(document).in_trash


@pytest.mark.parametrize("role", ["operator", "idle_operator", "viewer"])
def test_operators_and_viewers_have_no_trash(agency_a, client_as, role):
    document = trashed(agency_a, "Old power bill")
    client = client_as(agency_a.staff[role])
    assert client.get(TRASH).status_code == 403
    assert client.post(TRASH, {"document": document.pk}).status_code == 403
    assert TRASH not in client.get("/admin/").content.decode()
    assert fresh(document).in_trash


def test_managers_find_the_trash_in_the_sidebar(agency_a, client_as):
    assert TRASH in client_as(agency_a.manager).get("/admin/").content.decode()


@pytest.mark.parametrize("value", ["", "abc", "0", "99999999999999999999999"])
def test_restoring_what_is_not_a_document_is_not_found(agency_a, client_as, value):
    assert client_as(agency_a.manager).post(TRASH, {"document": value}).status_code == 404


def test_another_agencys_trash_is_out_of_reach(agency_a, agency_b, client_as):
    document = trashed(agency_a, "Trashed bill of agency A")
    for role in ("owner", "manager"):
        client = client_as(agency_b.staff[role])
        assert "Trashed bill of agency A" not in client.get(TRASH).content.decode()
        assert client.post(TRASH, {"document": document.pk}).status_code == 404
    assert fresh(document).in_trash


def test_a_document_out_of_the_trash_is_not_restored_twice(agency_a, client_as):
    document = make_document(agency_a, title="Licence 2025")
    assert client_as(agency_a.manager).post(TRASH, {"document": document.pk}).status_code == 404
