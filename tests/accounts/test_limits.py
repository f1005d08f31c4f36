"""Limits and bad input: whatever a caller sends (a body too large in any content type, JSON nested without end,
numbers that are not ids, NUL characters in query parameters, too many search terms or people, endless notes),
the answer is a 4xx naming what was wrong, nothing is written, and never a 500, on SQLite and PostgreSQL alike."""

import io
import json
from urllib.parse import urlencode

import pytest
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from accounts import services
from accounts.free_text import FREE_TEXT_MAX_LENGTH
from accounts.models import Client, Store
from accounts.platform.api.fields import MAX_PEOPLE_PER_LIST
from accounts.platform.request_limits import RequestLimitsMiddleware
from accounts.platform.search import MAX_SEARCH_TERMS
from tests.factories import MembershipFactory, UserFactory

CLIENTS = "/api/v1/clients/"
STORES = "/api/v1/stores/"
MiB = 1024 * 1024
NUL = "\x00"


def client_names():
    with scopes_disabled():
        return sorted(Client.objects.values_list("name", flat=True))


def store_rows():
    with scopes_disabled():
        return sorted(Store.objects.values_list("id", "name", "client_id", "seller_id", "notes"))


def new_store(persona, **overrides):
    return {"name": "Lakeside Outdoor US", "client": persona.client.pk, "marketplace": "US",
            "seller_id": "A1LAKESIDE2024", **overrides}


class Unreadable(io.RawIOBase):
    """A request body that must never be read."""

    def read(self, size=-1):
        raise AssertionError("the body was read")

    readline = read


# -- the body's size, whatever its content type ----------------------------------------------------------------

def test_a_form_encoded_note_of_30_mb_is_a_413_with_a_json_body_and_nothing_is_stored(agency_a, api_as):
    before = client_names()
    body = urlencode({"name": "Big client", "notes": "x" * (30 * MiB)})
    response = api_as(agency_a.rw_header).post(CLIENTS, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert str(10 * MiB) in response.json()["detail"]
    assert client_names() == before


def test_a_multipart_body_over_the_limit_is_a_413_with_a_json_body_and_nothing_is_stored(agency_a, api_as,
                                                                                        settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = client_names()
    upload = io.BytesIO(b"x" * 5000)
    upload.name = "notes.txt"
    response = api_as(agency_a.rw_header).post(CLIENTS, {"name": "Big client", "attachment": upload},
                                               format="multipart")
    assert response.status_code == 413
    assert "1000" in response.json()["detail"]
    assert client_names() == before


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=xyz"])
def test_a_body_declared_over_the_limit_is_refused_before_a_byte_is_read(agency_a, api_as, content_type):
    before = client_names()
    response = api_as(agency_a.rw_header).generic("POST", CLIENTS, content_type=content_type,
                                                  CONTENT_LENGTH=str(30 * MiB), **{"wsgi.input": Unreadable()})
    assert response.status_code == 413
    assert "detail" in response.json()
    assert client_names() == before


@pytest.mark.parametrize("declared", [None, "10"], ids=["chunked, no Content-Length", "understated"])
def test_a_body_longer_than_it_declares_is_refused_once_past_the_limit(settings, declared):
    """Under ASGI the whole body reaches the application whatever its headers say; reading it stops at the
    limit."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    headers = [(b"content-type", b"application/x-www-form-urlencoded")]
    if declared is not None:
        headers.append((b"content-length", declared.encode()))
    scope = {"type": "http", "method": "POST", "path": "/api/v1/clients/", "headers": headers, "query_string": b""}

    def read_the_body(body):
        request = ASGIRequest(scope, io.BytesIO(body))
        return RequestLimitsMiddleware(lambda request: HttpResponse(request.read()))(request)

    assert read_the_body(b"x" * 1000).content == b"x" * 1000
    with pytest.raises(RequestDataTooBig):
        read_the_body(b"x" * 5000)


def test_a_form_over_the_limit_in_the_admin_is_refused_and_nothing_is_stored(agency_a, client_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = client_names()
    response = client_as(agency_a.owner).post("/admin/accounts/client/add/",
                                              {"name": "Big client", "notes": "x" * 5000})
    assert response.status_code == 400
    assert client_names() == before


def test_a_form_with_too_many_fields_is_a_400_with_a_json_body(agency_a, api_as, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = urlencode({"name": "Many fields", **{f"field{n}": "x" for n in range(20)}})
    response = api_as(agency_a.rw_header).post(CLIENTS, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "10" in response.json()["detail"]
    assert "Many fields" not in client_names()


# -- JSON nested without end, and numbers that are not ids --------------------------------------------------------

@pytest.mark.parametrize("path", [CLIENTS, STORES])
def test_json_nested_10000_levels_deep_is_a_400(agency_a, api_as, path):
    before = client_names(), store_rows()
    body = "[" * 10_000 + "]" * 10_000
    response = api_as(agency_a.rw_header).post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert (client_names(), store_rows()) == before


@pytest.mark.parametrize("number", ["1e400", "-1e400", "true", "[1]", '"1e400"', '"1.9"', "0", str(2**63)])
def test_a_client_id_that_is_not_an_id_is_refused_on_the_client_field(agency_a, api_as, number):
    before = store_rows()
    body = json.dumps(new_store(agency_a)).replace(f'"client": {agency_a.client.pk}', f'"client": {number}')
    response = api_as(agency_a.rw_header).post(STORES, body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["client"]
    assert store_rows() == before


def test_a_fractional_client_id_is_refused_rather_than_rounded_to_a_client(agency_a, api_as):
    before = store_rows()
    body = json.dumps(new_store(agency_a)).replace(f'"client": {agency_a.client.pk}',
                                                   f'"client": {agency_a.client.pk}.9')
    response = api_as(agency_a.rw_header).post(STORES, body, content_type="application/json")
    assert response.status_code == 400
    assert "client" in response.json()
    assert store_rows() == before


@pytest.mark.parametrize("value", ["1e400", "1.9", "-1", str(2**63)])
def test_a_client_filter_that_is_not_an_id_is_a_400_naming_it(agency_a, api_as, value):
    response = api_as(agency_a.rw_header).get(STORES, {"client": value})
    assert response.status_code == 400
    assert list(response.json()) == ["client"]


# -- NUL characters in query parameters ---------------------------------------------------------------------------

@pytest.mark.parametrize("path, parameter", [
    *[(STORES, name) for name in ("search", "seller_id", "ordering", "page", "page_size", "client", "marketplace",
                                  "status", "brand_registered", "format", "anything")],
    *[(CLIENTS, name) for name in ("search", "name", "ordering", "page", "page_size")],
])
def test_a_nul_character_in_a_query_parameter_is_a_400_naming_it(agency_a, api_as, path, parameter):
    response = api_as(agency_a.rw_header).get(f"{path}?" + urlencode({parameter: f"a{NUL}b"}))
    assert response.status_code == 400
    assert response.json() == {parameter: ["Null characters are not allowed."]}


def test_a_nul_character_in_a_query_parameters_name_is_a_400_naming_it(agency_a, api_as):
    response = api_as(agency_a.rw_header).get(f"{STORES}?" + urlencode({f"sea{NUL}rch": "x"}))
    assert response.status_code == 400
    assert list(response.json()) == [f"sea{NUL}rch"]


def test_a_nul_character_in_an_objects_query_parameter_is_a_400(agency_a, api_as):
    response = api_as(agency_a.rw_header).get(f"{STORES}{agency_a.assigned_store.pk}/?" + urlencode({"x": NUL}))
    assert response.status_code == 400
    assert list(response.json()) == ["x"]


@pytest.mark.parametrize("parameter", ["q", "client", "operator", "marketplace", "status", "selling_plan", "o",
                                       "client__id__exact"])
def test_a_nul_character_in_an_admin_filter_or_search_is_a_400_naming_it(agency_a, client_as, parameter):
    response = client_as(agency_a.owner).get("/admin/accounts/store/?" + urlencode({parameter: f"a{NUL}b"}))
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{parameter}: ")


@pytest.mark.parametrize("query", ["client=1e400", "client=1.9", "operator=1e400", "operator=1.9"])
def test_an_admin_filter_that_is_not_an_id_is_ignored(agency_a, client_as, query):
    response = client_as(agency_a.owner).get(f"/admin/accounts/store/?{query}")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2


@pytest.mark.parametrize("selected", [NUL, "1e400", "1.9", "abc", str(2**70)])
def test_rows_selected_for_an_admin_action_by_what_is_not_an_id_do_not_exist(agency_a, client_as, selected):
    response = client_as(agency_a.owner).post("/admin/accounts/apikey/", {
        "action": "revoke", "_selected_action": [selected, agency_a.ro_key.pk], "index": 0})
    assert response.status_code == 302
    with agency_a.scope():
        agency_a.ro_key.refresh_from_db()
        agency_a.rw_key.refresh_from_db()
    assert agency_a.ro_key.is_revoked and not agency_a.rw_key.is_revoked


# -- bounded lists: search terms, people -------------------------------------------------------------------------

def test_a_search_takes_a_bounded_number_of_terms(agency_a, api_as):
    api = api_as(agency_a.rw_header)
    allowed = api.get(STORES, {"search": " ".join(["store"] * MAX_SEARCH_TERMS)})
    refused = api.get(STORES, {"search": " ".join(["store"] * (MAX_SEARCH_TERMS + 1))})
    assert allowed.status_code == 200
    assert refused.status_code == 400
    assert list(refused.json()) == ["search"]
    assert str(MAX_SEARCH_TERMS) in refused.json()["search"][0]


def test_the_admins_search_takes_the_same_bounded_number_of_terms(agency_a, client_as):
    admin = client_as(agency_a.owner)
    stores = "/admin/accounts/store/"
    allowed = admin.get(stores, {"q": " ".join(["Assigned"] * MAX_SEARCH_TERMS)})
    assert allowed.status_code == 200 and "Assigned store A" in allowed.content.decode()
    refused = admin.get(stores, {"q": " ".join(["Assigned"] * (MAX_SEARCH_TERMS + 1))})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert f"At most {MAX_SEARCH_TERMS} search terms are allowed" in page
    assert "Assigned store A" not in page.split("result_list")[-1]


def test_operators_take_a_bounded_number_of_entries(agency_a, api_as):
    before = store_rows()
    emails = [f"person{n}@example.com" for n in range(MAX_PEOPLE_PER_LIST + 1)]
    with CaptureQueriesContext(connection) as queries:
        response = api_as(agency_a.rw_header).post(STORES, new_store(agency_a, operators=emails), format="json")
    assert response.status_code == 400
    assert response.json()["operators"] == [f"Ensure this field has no more than {MAX_PEOPLE_PER_LIST} elements."]
    assert not [query for query in queries if "person0@example.com" in query["sql"]]
    assert store_rows() == before


def operator_lookups(queries):
    return [query for query in queries if "accounts_user" in query["sql"] and '"email" IN' in query["sql"]]


def test_operators_are_deduplicated_and_looked_up_in_one_query(agency_a, api_as):
    operator = agency_a.operator.email
    entries = [operator, operator.upper(), f" {operator} "] * (MAX_PEOPLE_PER_LIST // 3)
    with CaptureQueriesContext(connection) as queries:
        response = api_as(agency_a.rw_header).post(STORES, new_store(agency_a, operators=entries), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["operators"] == [operator]
    assert len(operator_lookups(queries)) == 1


def test_every_stranger_among_the_operators_is_named_in_one_lookup(agency_a, api_as):
    strangers = [f"stranger{n}@example.com" for n in range(3)]
    with CaptureQueriesContext(connection) as queries:
        response = api_as(agency_a.rw_header).post(
            STORES, new_store(agency_a, operators=[agency_a.operator.email, *strangers]), format="json")
    assert response.status_code == 400
    assert [message.split("=")[1].split(" ")[0] for message in response.json()["operators"]] == strangers
    assert len(operator_lookups(queries)) == 1


# -- free text of bounded length -----------------------------------------------------------------------------------

def test_notes_up_to_the_maximum_length_are_accepted(agency_a, api_as):
    response = api_as(agency_a.rw_header).post(CLIENTS, {"name": "Long notes", "notes": "x" * FREE_TEXT_MAX_LENGTH},
                                               format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("path, payload", [(CLIENTS, {"name": "Long notes"}), (STORES, None)])
def test_longer_notes_are_refused_on_the_notes_field_by_the_api(agency_a, api_as, path, payload):
    before = client_names(), store_rows()
    payload = {**(payload or new_store(agency_a)), "notes": "x" * (FREE_TEXT_MAX_LENGTH + 1)}
    response = api_as(agency_a.rw_header).post(path, payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["notes"]
    assert (client_names(), store_rows()) == before


def test_longer_notes_are_refused_on_the_notes_field_by_the_services(agency_a):
    before = client_names(), store_rows()
    notes = "x" * (FREE_TEXT_MAX_LENGTH + 1)
    with agency_a.scope():
        with pytest.raises(ValidationError) as client_refused:
            services.client_create(agency=agency_a.agency, name="Long notes", notes=notes)
        with pytest.raises(ValidationError) as store_refused:
            services.store_update(agency=agency_a.agency, store=agency_a.other_store, notes=notes)
    assert list(client_refused.value.message_dict) == ["notes"]
    assert list(store_refused.value.message_dict) == ["notes"]
    assert str(FREE_TEXT_MAX_LENGTH) in client_refused.value.message_dict["notes"][0]
    assert (client_names(), store_rows()) == before


def test_longer_notes_are_refused_on_the_notes_field_by_the_admin(agency_a, client_as):
    before = client_names()
    response = client_as(agency_a.owner).post("/admin/accounts/client/add/", {
        "name": "Long notes", "notes": "x" * (FREE_TEXT_MAX_LENGTH + 1)})
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["notes"]
    assert client_names() == before


# -- a person added twice in the admin -----------------------------------------------------------------------------

def test_assigning_an_operator_twice_in_the_admin_is_refused_on_the_operator(agency_a, client_as):
    response = client_as(agency_a.owner).post("/admin/accounts/storeassignment/add/", {
        "store": agency_a.assigned_store.pk, "user": agency_a.operator.pk})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["user"]
    assert "Already responsible for store" in errors["user"][0]
    with agency_a.scope():
        assert list(agency_a.assigned_store.operators.all()) == [agency_a.operator]


def store_change_form(store, operators, existing=()):
    """The store's admin form as the browser posts it, with its assigned operators in the inline."""
    data = {"name": store.name, "client": store.client_id, "status": store.status,
            "marketplace": store.marketplace, "seller_id": store.seller_id, "registered_on": "2023-01-15",
            "selling_plan": store.selling_plan, "notes": "",
            "assignments-TOTAL_FORMS": str(len(existing) + len(operators)),
            "assignments-INITIAL_FORMS": str(len(existing)), "assignments-MIN_NUM_FORMS": "0",
            "assignments-MAX_NUM_FORMS": "1000"}
    for number, assignment in enumerate(existing):
        data.update({f"assignments-{number}-id": assignment.pk, f"assignments-{number}-store": store.pk,
                     f"assignments-{number}-user": assignment.user_id})
    for number, user in enumerate(operators, start=len(existing)):
        data.update({f"assignments-{number}-store": store.pk, f"assignments-{number}-user": user.pk})
    return data


def post_store_inline(client, store, operators):
    with scopes_disabled():
        existing = list(store.assignments.all())
    response = client.post(f"/admin/accounts/store/{store.pk}/change/", store_change_form(store, operators, existing))
    assert response.status_code == 200
    return response.context["inline_admin_formsets"][0].formset


def test_an_operator_already_assigned_added_again_in_the_stores_inline_is_refused_on_the_operator(agency_a,
                                                                                                  client_as):
    store = agency_a.assigned_store
    formset = post_store_inline(client_as(agency_a.owner), store, [agency_a.operator])
    assert [errors for errors in formset.errors if errors] == [
        {"user": [f"Already responsible for store {store}: {agency_a.operator}."]}]
    with agency_a.scope():
        assert list(store.operators.all()) == [agency_a.operator]


def test_an_operator_added_twice_in_one_submit_of_the_stores_inline_is_refused(agency_a, client_as):
    store = agency_a.assigned_store
    formset = post_store_inline(client_as(agency_a.owner), store, [agency_a.idle_operator] * 2)
    assert "duplicate" in formset.non_form_errors()[0]
    with agency_a.scope():
        assert list(store.operators.all()) == [agency_a.operator]


def test_a_new_member_of_the_agency_can_be_assigned_in_the_admin(agency_a, client_as):
    newcomer = UserFactory(email="newcomer@example.com")
    MembershipFactory(agency=agency_a.agency, user=newcomer, role="operator")
    response = client_as(agency_a.owner).post("/admin/accounts/storeassignment/add/", {
        "store": agency_a.assigned_store.pk, "user": newcomer.pk})
    assert response.status_code == 302
    with agency_a.scope():
        assert set(agency_a.assigned_store.operators.all()) == {agency_a.operator, newcomer}
