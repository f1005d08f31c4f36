"""The documents of the library over the API (``/api/v1/documents/``): uploading one with every detail, the list
and its filters, changing a document, the trash and restoring from it, and who may do what.

Uploads go through the real multipart parsing, the services and the local documents storage of the test run;
bad files are in ``test_api_uploads.py``, isolation between agencies and operators in ``test_api_isolation.py``.
"""

import datetime
import hashlib
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.tenancy import Caller
from documents import services, types
from documents.models import AppealDocument, DocumentEvent, DocumentType
from tests.documents.factories import make_document, pdf_file
from tests.factories import StoreFactory

LIST = reverse("api:document-list")
TRASH = reverse("api:document-trash")


@pytest.fixture
def api_as(api_as):
    """The personas' API clients, in English also when signed in (a person's own language would win otherwise)."""

    def make(credential):
        client = api_as(credential)
        client.cookies["django_language"] = "en"
        return client

    return make


def detail(document):
    return reverse("api:document-detail", args=[document.pk])


def restore(document):
    return reverse("api:document-restore", args=[document.pk])


def days_from_today(persona, days):
    return persona.agency.today() + datetime.timedelta(days=days)


def upload(api, persona, *, file=None, **details):
    """``POST /api/v1/documents/`` as multipart: a business licence of the persona's assigned store by default."""
    body = {"client": persona.client.pk, "stores": [persona.assigned_store.pk], "type_code": types.BUSINESS_LICENCE,
            "title": "Business licence", "file": file or pdf_file(marker=b"upload"), **details}
    return api.post(LIST, body, format="multipart")


def listed(response):
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def trail(document):
    with scopes_disabled():
        return list(DocumentEvent.objects.filter(document=document).order_by("pk").values_list("action", flat=True))


def document_count():
    with scopes_disabled():
        return AppealDocument.objects.count()


# -- uploading ---------------------------------------------------------------------------------------------------
def test_a_document_is_uploaded_with_every_detail_and_answered_with_its_stores_type_freshness_and_version(
        agency_a, api_as):
    content = pdf_file("licence-2025.pdf", marker=b"every field")
    expected_sha = hashlib.sha256(content.read()).hexdigest()
    content.seek(0)
    issued, expires = days_from_today(agency_a, -30), days_from_today(agency_a, 365)

    response = upload(api_as(agency_a.manager), agency_a, file=content,
                      stores=[agency_a.assigned_store.pk, agency_a.other_store.pk], type_code=types.BUSINESS_LICENCE,
                      title="Licence 2025", issued_on=issued.isoformat(), expires_on=expires.isoformat(),
                      notes="Renewed in March.", tags=["original", "2025"])

    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in ("client", "client_name", "stores", "type_code", "type_label", "title",
                                       "issued_on", "expires_on", "notes", "tags", "version_count",
                                       "duplicate_of")} == {
        "client": agency_a.client.pk, "client_name": "Client A",
        "stores": [agency_a.assigned_store.pk, agency_a.other_store.pk], "type_code": "business_licence",
        "type_label": "Business licence", "title": "Licence 2025", "issued_on": issued.isoformat(),
        "expires_on": expires.isoformat(), "notes": "Renewed in March.", "tags": ["original", "2025"],
        "version_count": 1, "duplicate_of": None}
    assert [store["name"] for store in body["served_stores"]] == ["Assigned store A", "Unassigned store A"]
    assert body["freshness"] == {"state": "valid", "good_until": expires.isoformat(),
                                 "reason": f"Valid until {expires.isoformat()}."}
    version = body["current_version"]
    assert {key: version[key] for key in ("number", "original_name", "content_type", "sha256", "is_duplicate")} == {
        "number": 1, "original_name": "licence-2025.pdf", "content_type": "application/pdf", "sha256": expected_sha,
        "is_duplicate": False}

    with scopes_disabled():
        document = AppealDocument.objects.get(pk=body["id"])
        assert (document.title, document.notes, document.tags, document.created_by) == (
            "Licence 2025", "Renewed in March.", ["original", "2025"], agency_a.manager)
        assert set(document.stores.all()) == {agency_a.assigned_store, agency_a.other_store}
        uploaded = DocumentEvent.objects.get(document=document)
        assert (uploaded.action, uploaded.actor, uploaded.version.number) == ("uploaded", agency_a.manager, 1)


def test_stores_and_tags_may_also_come_as_one_form_value_separated_by_commas(agency_a, api_as):
    response = upload(api_as(agency_a.rw_header), agency_a,
                      stores=f"{agency_a.assigned_store.pk},{agency_a.other_store.pk}", tags="original, scanned")
    assert response.status_code == 201, response.content
    assert sorted(response.json()["stores"]) == sorted([agency_a.assigned_store.pk, agency_a.other_store.pk])
    assert response.json()["tags"] == ["original", "scanned"]


def test_an_upload_with_an_api_key_is_recorded_with_the_keys_name(agency_a, api_as):
    document_id = upload(api_as(agency_a.rw_header), agency_a).json()["id"]
    events = api_as(agency_a.owner).get(reverse("api:document-events", args=[document_id])).json()["results"]
    assert [(event["action"], event["by"], event["version"]) for event in events] == [("uploaded", "ERP a", 1)]


def test_bad_details_are_refused_together_naming_each_field_and_nothing_is_written(agency_a, api_as):
    before = document_count()
    tomorrow = days_from_today(agency_a, 1)
    response = upload(api_as(agency_a.manager), agency_a, type_code="passport", title=" ",
                      issued_on=tomorrow.isoformat())
    assert response.status_code == 400
    assert response.json() == {
        "type_code": ["“passport” is not a document type of the agency."],
        "title": ["Give the document a title."],
        "issued_on": [f"{tomorrow.isoformat()} is after today ({agency_a.agency.today().isoformat()}): a document "
                      f"is issued before it is kept."],
    }
    assert document_count() == before


def test_a_type_that_ages_from_its_issue_date_needs_the_date(agency_a, api_as):
    response = upload(api_as(agency_a.manager), agency_a, type_code=types.ADDRESS_PROOF, title="Electricity bill")
    assert response.status_code == 400
    assert list(response.json()) == ["issued_on"]


@pytest.mark.parametrize("who", ["viewer", "ro_header"])
def test_a_viewer_and_a_read_only_key_may_not_upload(agency_a, api_as, who):
    credential = agency_a.ro_header if who == "ro_header" else agency_a.viewer
    before = document_count()
    assert upload(api_as(credential), agency_a).status_code == 403
    assert document_count() == before


def test_an_operator_uploads_for_their_store_but_is_refused_a_store_they_do_not_see(agency_a, api_as):
    api = api_as(agency_a.operator)
    assert upload(api, agency_a).status_code == 201
    refused = upload(api, agency_a, stores=[agency_a.other_store.pk], file=pdf_file(marker=b"beyond"))
    assert refused.status_code == 400
    assert list(refused.json()) == ["stores"]


def document_of_client(persona, client, store, **details):
    """A document of another client of the persona's agency, uploaded by its owner."""
    caller = Caller.person(agency=persona.agency, user=persona.owner, role="owner")
    with persona.scope():
        return services.document_create(agency=persona.agency, caller=caller, client=client, stores=[store],
                                        upload=pdf_file(marker=details["title"].encode()), **details)


# -- the list ----------------------------------------------------------------------------------------------------
@pytest.fixture
def library(agency_a):
    """Documents of agency A in every state, of several types, stores and tags."""
    second_client_store = StoreFactory(agency=agency_a.agency, name="Second brand store")
    with scopes_disabled():
        second_client = second_client_store.client
    return {
        "valid": make_document(agency_a, title="Valid licence", type_code=types.BUSINESS_LICENCE,
                               expires_on=days_from_today(agency_a, 200), tags=["original"]),
        "expiring": make_document(agency_a, title="Expiring ID", expires_on=days_from_today(agency_a, 10),
                                  store=agency_a.other_store),
        "expired": make_document(agency_a, title="Expired ID", expires_on=days_from_today(agency_a, -1),
                                 tags=["copy"]),
        "stale": make_document(agency_a, title="Old electricity bill", type_code=types.ADDRESS_PROOF,
                               issued_on=days_from_today(agency_a, -91), notes="From the landlord"),
        "other client": document_of_client(agency_a, second_client, second_client_store,
                                           title="Second brand invoice", type_code=types.SUPPLIER_INVOICE,
                                           issued_on=days_from_today(agency_a, -5)),
    }


def test_the_list_gives_each_documents_freshness_and_the_newest_change_first(agency_a, api_as, library):
    rows = api_as(agency_a.rw_header).get(LIST).json()["results"]
    assert [row["title"] for row in rows] == ["Second brand invoice", "Old electricity bill", "Expired ID",
                                              "Expiring ID", "Valid licence"]
    states = {row["title"]: row["freshness"]["state"] for row in rows}
    assert states == {"Second brand invoice": "valid", "Old electricity bill": "stale", "Expired ID": "expired",
                      "Expiring ID": "expiring_soon", "Valid licence": "valid"}
    stale = next(row for row in rows if row["title"] == "Old electricity bill")
    assert stale["freshness"]["reason"].startswith(f"Issued on {days_from_today(agency_a, -91).isoformat()}")
    assert stale["type_label"] == "Address proof (utility bill)"


@pytest.mark.parametrize(("query", "titles"), [
    ({"state": "valid"}, ["Second brand invoice", "Valid licence"]),
    ({"state": "expiring_soon"}, ["Expiring ID"]),
    ({"state": "expired"}, ["Expired ID"]),
    ({"state": "stale"}, ["Old electricity bill"]),
    ({"type": "legal_representative_id"}, ["Expired ID", "Expiring ID"]),
    ({"tag": "original"}, ["Valid licence"]),
    ({"search": "landlord"}, ["Old electricity bill"]),
    ({"search": "licence"}, ["Valid licence"]),
    ({"type": "legal_representative_id", "state": "expired"}, ["Expired ID"]),
])
def test_the_list_filters_by_state_type_tag_and_search(agency_a, api_as, library, query, titles):
    assert listed(api_as(agency_a.rw_header).get(LIST, query)) == titles


def test_the_list_filters_by_client_and_by_store(agency_a, api_as, library):
    api = api_as(agency_a.rw_header)
    assert listed(api.get(LIST, {"store": agency_a.other_store.pk})) == ["Expiring ID"]
    assert listed(api.get(LIST, {"client": agency_a.client.pk})) == ["Old electricity bill", "Expired ID",
                                                                     "Expiring ID", "Valid licence"]


def test_the_list_filters_by_a_type_of_the_agencys_own(agency_a, api_as):
    with scopes_disabled():
        DocumentType.objects.create(agency=agency_a.agency, code="customs_declaration", name="Customs declaration")
    make_document(agency_a, title="Customs papers", type_code="customs_declaration")
    make_document(agency_a, title="Licence")
    assert listed(api_as(agency_a.rw_header).get(LIST, {"type": "customs_declaration"})) == ["Customs papers"]


@pytest.mark.parametrize(("parameter", "value", "message"), [
    ("state", "rotten", "Select a valid choice. rotten is not one of the available choices."),
    ("type", "passport", "Select a valid choice. passport is not one of the available choices."),
    ("client", "999999", "No client you can see has the id “999999”."),
    ("store", "abc", "No store you can see has the id “abc”."),
])
def test_a_filter_value_the_list_cannot_take_is_a_400_naming_the_parameter_and_the_value(agency_a, api_as,
                                                                                         parameter, value, message):
    response = api_as(agency_a.rw_header).get(LIST, {parameter: value})
    assert response.status_code == 400
    assert response.json() == {parameter: [message]}


def test_the_list_takes_as_many_queries_for_30_documents_as_for_3(agency_a, api_as, django_assert_max_num_queries):
    """Stores, versions and freshness come with the page: the queries do not grow with the documents."""
    api = api_as(agency_a.rw_header)
    for number in range(3):
        make_document(agency_a, title=f"Paper {number}", stores=[agency_a.assigned_store, agency_a.other_store])
    api.get(LIST)  # the first request of a client settles its session and key lookups
    with CaptureQueriesContext(connection) as few:
        assert len(listed(api.get(LIST, {"state": "valid", "tag": "x"}))) == 0
    with CaptureQueriesContext(connection) as few_unfiltered:
        assert len(listed(api.get(LIST))) == 3
    for number in range(3, 30):
        make_document(agency_a, title=f"Paper {number}", stores=[agency_a.assigned_store, agency_a.other_store])
    with django_assert_max_num_queries(len(few_unfiltered)):
        assert len(listed(api.get(LIST))) == 30
    with django_assert_max_num_queries(len(few)):
        assert len(listed(api.get(LIST, {"state": "valid", "tag": "x"}))) == 0


# -- one document ------------------------------------------------------------------------------------------------
def test_a_manager_changes_a_documents_details_and_the_trail_names_the_fields(agency_a, api_as):
    old_expiry = days_from_today(agency_a, 100)
    document = make_document(agency_a, title="Licence", expires_on=old_expiry)
    new_expiry = days_from_today(agency_a, 20)
    response = api_as(agency_a.manager).patch(detail(document), {
        "title": "Licence (renewed)", "expires_on": new_expiry.isoformat(), "tags": ["renewed"],
        "stores": [agency_a.assigned_store.pk, agency_a.other_store.pk]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["expires_on"], body["tags"], body["freshness"]["state"]) == (
        "Licence (renewed)", new_expiry.isoformat(), ["renewed"], "expiring_soon")
    assert sorted(body["stores"]) == sorted([agency_a.assigned_store.pk, agency_a.other_store.pk])
    with scopes_disabled():
        changed = DocumentEvent.objects.filter(document=document, action="changed").get()
    assert changed.detail == (f"title: Licence → Licence (renewed); expires_on: {old_expiry} → {new_expiry}; "
                              f"tags: — → renewed; stores: +1")


def test_a_refused_change_names_the_field_and_the_value_and_changes_nothing(agency_a, api_as):
    document = make_document(agency_a, title="Licence", issued_on=days_from_today(agency_a, -10))
    expires = days_from_today(agency_a, -20)
    response = api_as(agency_a.manager).patch(detail(document), {"title": "New title",
                                                                 "expires_on": expires.isoformat()}, format="json")
    assert response.status_code == 400
    assert response.json() == {"expires_on": [
        f"It expires on {expires.isoformat()}, before it was issued ({days_from_today(agency_a, -10).isoformat()})."]}
    assert api_as(agency_a.manager).get(detail(document)).json()["title"] == "Licence"


def test_an_operator_changes_a_document_of_their_store_and_the_store_beyond_them_stays(agency_a, api_as):
    document = make_document(agency_a, title="Shared licence", stores=[agency_a.assigned_store, agency_a.other_store])
    api = api_as(agency_a.operator)
    shown = api.get(detail(document)).json()
    assert shown["stores"] == [agency_a.assigned_store.pk]
    assert [store["name"] for store in shown["served_stores"]] == ["Assigned store A"]

    response = api.patch(detail(document), {"title": "Shared licence 2025", "stores": shown["stores"]},
                         format="json")
    assert response.status_code == 200, response.content
    with scopes_disabled():
        document.refresh_from_db()
        assert document.title == "Shared licence 2025"
        assert set(document.stores.all()) == {agency_a.assigned_store, agency_a.other_store}


@pytest.mark.parametrize("who", ["viewer", "ro_header"])
def test_a_viewer_and_a_read_only_key_read_a_document_but_may_not_change_or_delete_it(agency_a, api_as, who):
    document = make_document(agency_a, title="Licence")
    api = api_as(agency_a.ro_header if who == "ro_header" else agency_a.viewer)
    assert api.get(detail(document)).status_code == 200
    assert api.patch(detail(document), {"title": "Changed"}, format="json").status_code == 403
    assert api.delete(detail(document)).status_code == 403
    assert trail(document) == ["uploaded"]


# -- the trash ---------------------------------------------------------------------------------------------------
def test_a_deleted_document_goes_to_the_trash_and_a_manager_restores_it(agency_a, api_as):
    document = make_document(agency_a, title="Licence")
    operator, manager = api_as(agency_a.operator), api_as(agency_a.manager)

    assert operator.delete(detail(document)).status_code == 204
    assert manager.get(detail(document)).status_code == 404
    assert listed(manager.get(LIST)) == []
    trashed = manager.get(TRASH).json()["results"]
    assert [(row["title"], row["deleted_by"]) for row in trashed] == [("Licence", "operator.a@example.com")]
    state = manager.get(restore(document)).json()
    assert state["in_trash"] is True
    assert state["restorable_until"] == trashed[0]["restorable_until"]

    refused = operator.post(restore(document))
    assert refused.status_code == 403
    assert manager.get(detail(document)).status_code == 404

    restored = manager.post(restore(document))
    assert restored.status_code == 200, restored.content
    assert restored.json()["title"] == "Licence"
    assert listed(manager.get(LIST)) == ["Licence"]
    assert manager.get(TRASH).json()["results"] == []
    assert trail(document) == ["uploaded", "deleted", "restored"]


def test_the_trash_keeps_a_document_restorable_for_the_agencys_days(agency_a, api_as):
    document = make_document(agency_a, title="Licence")
    manager = api_as(agency_a.manager)
    manager.delete(detail(document))
    deleted_at = timezone.now() - datetime.timedelta(days=29, hours=23)
    with scopes_disabled():  # deleted then: the moment it goes for good was set then too
        AppealDocument.objects.filter(pk=document.pk).update(
            deleted_at=deleted_at, purge_after=deleted_at + datetime.timedelta(days=30))
    until = datetime.datetime.fromisoformat(manager.get(restore(document)).json()["restorable_until"])
    assert until == deleted_at + datetime.timedelta(days=30)
    assert manager.post(restore(document)).status_code == 200


def test_past_the_days_of_the_trash_a_restore_is_refused_saying_why(agency_a, api_as):
    document = make_document(agency_a, title="Licence")
    manager = api_as(agency_a.manager)
    manager.delete(detail(document))
    deleted_at = timezone.now() - datetime.timedelta(days=31)
    until = deleted_at + datetime.timedelta(days=30)
    with scopes_disabled():  # deleted then: the moment it goes for good was set then too
        AppealDocument.objects.filter(pk=document.pk).update(deleted_at=deleted_at, purge_after=until)

    response = manager.post(restore(document))
    assert response.status_code == 400
    shown = until.astimezone(zoneinfo.ZoneInfo(agency_a.agency.time_zone)).strftime("%Y-%m-%d %H:%M")
    assert response.json() == {"document": [
        f"“Licence” could be restored until {shown}; it can no longer be restored."]}
    assert manager.get(detail(document)).status_code == 404


def test_a_document_not_in_the_trash_is_not_restored(agency_a, api_as):
    document = make_document(agency_a, title="Licence")
    manager = api_as(agency_a.manager)
    assert manager.get(restore(document)).json() == {
        "id": document.pk, "title": "Licence", "in_trash": False, "deleted_at": None, "deleted_by": None,
        "restorable_until": None}
    response = manager.post(restore(document))
    assert response.status_code == 400
    assert response.json() == {"document": ["“Licence” is not in the trash."]}


def test_an_operator_sees_in_the_trash_only_the_documents_of_their_stores(agency_a, api_as):
    mine = make_document(agency_a, title="Mine")
    beyond = make_document(agency_a, title="Beyond", store=agency_a.other_store)
    manager = api_as(agency_a.manager)
    for document in (mine, beyond):
        manager.delete(detail(document))
    assert [row["title"] for row in api_as(agency_a.operator).get(TRASH).json()["results"]] == ["Mine"]
    assert api_as(agency_a.operator).get(restore(beyond)).status_code == 404
    assert {row["title"] for row in manager.get(TRASH).json()["results"]} == {"Mine", "Beyond"}


def test_a_refused_tag_is_named_by_its_place_in_a_list_of_messages(agency_a, api_as):
    document = make_document(agency_a, title="Licence")
    response = api_as(agency_a.manager).patch(detail(document), {"tags": ["original", "\x00"]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"tags": ["Tag 2: Null characters are not allowed."]}
