"""Over the library's API another agency's documents do not exist, and an operator sees only the documents that
serve one of their assigned stores.

The isolation suite (``tests/isolation``) walks every route with the rows of ``tests/documents/isolation_rows.py``;
these tests add what it cannot see by itself: nothing is recorded or handed out for a refused download, a trashed
document of A stays where it is, B's filters and policy cannot name A's rows, and an operator's view of a document
that also serves a store beyond them.
"""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from documents.models import AppealDocument, DocumentEvent, DocumentPolicy, DocumentType, DocumentVersion
from tests.documents.factories import make_document, pdf_file

LIST = reverse("api:document-list")


@pytest.fixture
def api_as(api_as):
    """The personas' API clients, in English also when signed in (a person's own language would win otherwise)."""

    def make(credential):
        client = api_as(credential)
        client.cookies["django_language"] = "en"
        return client

    return make


@pytest.fixture
def document_of_a(agency_a):
    return make_document(agency_a, title="Licence of agency A")


def routes_of(document):
    """Every read of one document's metadata and files, and the restore, by name."""
    with scopes_disabled():
        version = DocumentVersion.objects.get(document=document)
    return {
        "detail": reverse("api:document-detail", args=[document.pk]),
        "versions": reverse("api:document-versions", args=[document.pk]),
        "download": reverse("api:document-download", args=[document.pk]),
        "version download": reverse("api:document-version-download", kwargs={"document_pk": document.pk,
                                                                             "pk": version.pk}),
        "events": reverse("api:document-events", args=[document.pk]),
        "restore": reverse("api:document-restore", args=[document.pk]),
    }


def trail(document):
    with scopes_disabled():
        return list(DocumentEvent.objects.filter(document=document).order_by("pk").values_list("action", flat=True))


def callers_of(persona, api_as):
    callers = {f"{role} (signed in)": api_as(user) for role, user in persona.staff.items()}
    callers.update({"read-write key": api_as(persona.rw_header), "read-only key": api_as(persona.ro_header)})
    return callers


# -- another agency ----------------------------------------------------------------------------------------------
def test_agency_bs_staff_and_keys_get_404_on_every_read_and_write_of_as_document(agency_a, agency_b, api_as,
                                                                                 document_of_a):
    routes = routes_of(document_of_a)
    for caller, api in callers_of(agency_b, api_as).items():
        for name, url in routes.items():
            answer = api.get(url)
            assert (answer.status_code, answer.json()) == (404, {"detail": "Not found."}), f"GET {name} as {caller}"
        for method, url, body in (("patch", routes["detail"], {"title": "Taken"}),
                                  ("delete", routes["detail"], None),
                                  ("post", routes["versions"], {"file": pdf_file(marker=b"b")}),
                                  ("post", routes["restore"], None)):
            answer = getattr(api, method)(url, body, format="multipart" if method == "post" else "json")
            assert answer.status_code == 404, f"{method.upper()} {url} as {caller}: {answer.status_code}"
    with scopes_disabled():
        document_of_a.refresh_from_db()
        assert (document_of_a.title, document_of_a.deleted_at) == ("Licence of agency A", None)
        assert DocumentVersion.objects.filter(document=document_of_a).count() == 1
    assert trail(document_of_a) == ["uploaded"], "a refused download or change was recorded"


def test_as_document_in_the_trash_stays_there_and_out_of_bs_trash(agency_a, agency_b, api_as, document_of_a):
    assert api_as(agency_a.manager).delete(reverse("api:document-detail", args=[document_of_a.pk])).status_code == 204
    for caller, api in callers_of(agency_b, api_as).items():
        trash = api.get(reverse("api:document-trash"))
        assert trash.status_code == 200
        assert trash.json()["results"] == [], caller
        assert api.post(reverse("api:document-restore", args=[document_of_a.pk])).status_code == 404, caller
    with scopes_disabled():
        assert AppealDocument.objects.get(pk=document_of_a.pk).in_trash


def test_b_cannot_name_as_client_or_store_in_a_filter_or_an_upload(agency_a, agency_b, api_as, document_of_a):
    api = api_as(agency_b.rw_header)
    for parameter, row in (("client", agency_a.client), ("store", agency_a.assigned_store)):
        answer = api.get(LIST, {parameter: row.pk})
        assert answer.status_code == 400
        assert list(answer.json()) == [parameter]
    with scopes_disabled():
        before = AppealDocument.objects.count()
    answer = api.post(LIST, {"client": agency_a.client.pk, "stores": [agency_a.assigned_store.pk],
                             "type_code": "business_licence", "title": "Taken", "file": pdf_file(marker=b"b")},
                      format="multipart")
    assert answer.status_code == 400
    assert {"client", "stores"} <= set(answer.json())
    with scopes_disabled():
        assert AppealDocument.objects.count() == before


def test_b_cannot_put_as_own_type_in_its_appeal_kit(agency_a, agency_b, api_as):
    with scopes_disabled():
        DocumentType.objects.create(agency=agency_a.agency, code="customs_of_a", name="Customs papers of A")
    answer = api_as(agency_b.rw_header).patch(reverse("api:document-policy"), {"appeal_kit": ["customs_of_a"]},
                                              format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == ["appeal_kit"]
    with scopes_disabled():
        assert not DocumentPolicy.objects.filter(agency=agency_b.agency, appeal_kit=["customs_of_a"]).exists()
    types_of_b = api_as(agency_b.owner).get(reverse("api:document-type-list")).json()
    assert "customs_of_a" not in {row["code"] for row in types_of_b}


def test_as_appeal_kit_is_not_found_for_b(agency_a, agency_b, api_as, document_of_a):
    for caller, api in callers_of(agency_b, api_as).items():
        answer = api.get(reverse("api:store-appeal-kit", args=[agency_a.assigned_store.pk]))
        assert answer.status_code == 404, caller


# -- operators ---------------------------------------------------------------------------------------------------
def test_an_operator_sees_only_the_documents_that_serve_one_of_their_stores(agency_a, api_as):
    mine = make_document(agency_a, title="Licence of my store")
    shared = make_document(agency_a, title="Licence of both stores",
                           stores=[agency_a.assigned_store, agency_a.other_store])
    beyond = make_document(agency_a, title="Licence of the other store", store=agency_a.other_store)

    operator = api_as(agency_a.operator)
    listed = {row["id"]: row for row in operator.get(LIST).json()["results"]}
    assert set(listed) == {mine.pk, shared.pk}
    assert listed[shared.pk]["stores"] == [agency_a.assigned_store.pk]
    assert "Unassigned store A" not in operator.get(LIST).content.decode()
    for name, url in routes_of(beyond).items():
        assert operator.get(url).status_code == 404, name
    assert operator.get(LIST, {"store": agency_a.other_store.pk}).status_code == 400
    assert trail(beyond) == ["uploaded"]

    assert {row["id"] for row in api_as(agency_a.manager).get(LIST).json()["results"]} == {mine.pk, shared.pk,
                                                                                         beyond.pk}


def test_an_operator_with_no_store_sees_no_document(agency_a, api_as, document_of_a):
    idle = api_as(agency_a.idle_operator)
    assert idle.get(LIST).json()["results"] == []
    for name, url in routes_of(document_of_a).items():
        assert idle.get(url).status_code == 404, name
