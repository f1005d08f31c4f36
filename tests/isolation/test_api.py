"""Over the API (/api/v1/), another agency's rows do not exist: every route, every caller, every method.

Routes come from the URL resolver (``routes.api_routes``); a route whose model is not in the registry fails.
"""

import io
import zipfile

import pytest
from django.utils import translation
from django_scopes import scope, scopes_disabled

from .addresses import api_object_values, listed_ids
from .exposure import leaked
from .registry import MODELLESS_API_ROUTES, row_of, unmapped_message
from .routes import UnmappedRoute, api_routes, reference_fields

OBJECT_ROUTES = [route for route in api_routes() if route.object_parameters]
COLLECTION_ROUTES = [route for route in api_routes() if not route.object_parameters and "get" in route.methods]
METHODS = ("get", "put", "patch", "delete", "options")


def route_id(route):
    return route.name or route.template


def api_model(route):
    model = route.api_model
    if model is None:
        raise UnmappedRoute(unmapped_message(route.label))
    return model


def send(client, method, url, payload=None):
    if method in ("get", "options", "delete"):
        return getattr(client, method)(url)
    if not isinstance(payload, dict | list):
        payload = {}  # a file read back (a download) is no body to send: an empty one is
    return getattr(client, method)(url, payload or {}, format="json")


def file_contents(response):
    """A downloaded file as the check compares it: its bytes, except for a spreadsheet (an export written when asked,
    whose zip entries and properties carry that moment): then the contents of its parts but the properties."""
    data = b"".join(response.streaming_content)
    if "spreadsheetml" not in response.get("Content-Type", ""):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.startswith("docProps/")}


def representation(client, url):
    response = client.get(url)
    if response.streaming:  # a file (a document's download, an export)
        assert response.status_code == 200, f"GET {url}: {response.status_code}"
        return file_contents(response)
    assert response.status_code == 200, f"GET {url}: {response.status_code} {response.content[:300]!r}"
    return response.json()


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=route_id)
def test_another_agencys_row_is_not_found_whoever_asks_and_however(route, agency_a, agency_b, api_as,
                                                                    api_callers_of_b, strings_of_a):
    """Every read and write is a 404 for every caller of agency B, whatever their role or key (a write they
    could not make anyway is still a 404, never a 403 that confirms the row exists). A method the route does
    not have (405) and OPTIONS give the very answer an id that exists nowhere gets."""
    row = row_of(api_model(route), agency_a, what=route.label)
    url = route.url(api_object_values(route, row))
    nowhere = route.url(api_object_values(route, row, absent=True))
    before = representation(api_as(agency_a.owner), url)

    for caller, client in api_callers_of_b:
        for method in METHODS:
            answer = send(client, method, url, before)
            unknown = send(client, method, nowhere, before)
            where = f"{method.upper()} {url} as agency B's {caller}"
            if method != "options" and unknown.status_code != 405:
                assert answer.status_code == 404, f"{where}: {answer.status_code}, expected 404"
            else:
                assert (answer.status_code, answer.content) == (unknown.status_code, unknown.content), (
                    f"{where} answers {answer.status_code} {answer.content[:200]!r}, but an id that exists "
                    f"nowhere gets {unknown.status_code} {unknown.content[:200]!r}")
                assert method == "options" or not 200 <= answer.status_code < 300, f"{where}: {answer.status_code}"
            assert not leaked(answer.content.decode(), strings_of_a), f"{where} shows agency A's rows"

    assert representation(api_as(agency_a.owner), url) == before, f"{route.label}: agency B changed A's row"


@pytest.mark.parametrize("route", COLLECTION_ROUTES, ids=route_id)
def test_lists_never_show_another_agencys_rows(route, agency_a, agency_b, api_as, api_callers_of_b, strings_of_a):
    url = route.url({})
    if route.api_model is None and route.name in MODELLESS_API_ROUTES:
        # Nothing of an agency is listed here (see the reason in the registry); still, nothing of A may show.
        for caller, client in api_callers_of_b:
            answer = client.get(url)
            assert answer.status_code == 200, f"GET {url} as agency B's {caller}: {answer.status_code}"
            assert not leaked(answer.content.decode(), strings_of_a), f"GET {url} as agency B's {caller}"
        return
    model = api_model(route)
    row_a, row_b = row_of(model, agency_a, what=route.label), row_of(model, agency_b, what=route.label)
    query = {"page_size": 500}
    assert row_a.pk in listed_ids(api_as(agency_a.owner).get(url, query)), f"{url}: A's owner does not see A's row"
    assert row_b.pk in listed_ids(api_as(agency_b.owner).get(url, query)), f"{url}: B's owner does not see B's row"

    for caller, client in api_callers_of_b:
        answer = client.get(url, query)
        where = f"GET {url} as agency B's {caller}"
        assert answer.status_code == 200, f"{where}: {answer.status_code}"
        assert row_a.pk not in listed_ids(answer), f"{where} lists agency A's {model.__name__} {row_a.pk}"
        shown = leaked(answer.content.decode(), strings_of_a)
        assert not shown, f"{where} shows agency A's {shown}"


WRITE_CASES = [
    pytest.param(route, method, id=f"{method.upper()} {route_id(route)}")
    for route in api_routes()
    for method in route.methods
    if method in ("post", "put", "patch") and reference_fields(route.serializer_class)
]


def test_the_api_has_payloads_that_reference_rows():
    """The next test is about payload references; it must have something to check."""
    assert WRITE_CASES


@pytest.mark.parametrize(("route", "method"), WRITE_CASES)
def test_a_payload_naming_another_agencys_row_is_a_field_error_and_writes_nothing(route, method, agency_a, agency_b,
                                                                                 api_as):
    """Creating or changing B's row with a reference to A's row (a client, an operator, ...) answers 400 with an
    error on that field, as for an id that does not exist, and changes nothing."""
    model = api_model(route)
    row_b = row_of(model, agency_b, what=route.label)
    url = route.url(api_object_values(route, row_b)) if route.object_parameters else route.url({})
    with scope(agency=agency_b.agency):
        serializer = route.serializer_class(row_b, context={"request": None})
        writable = {name for name, field in serializer.fields.items() if not field.read_only}
        current = {name: value for name, value in serializer.data.items() if name in writable}

    for name, relation, target, many in reference_fields(route.serializer_class):
        row_a = row_of(target, agency_a, what=f"{route.label} field {name}")
        value = relation.to_representation(row_a)
        payload = {name: [value] if many else value}
        if method != "patch":
            payload = {**current, **payload}
        for caller, client in (("owner (signed in)", api_as(agency_b.owner)),
                               ("read-write API key", api_as(agency_b.rw_header))):
            # Compared in one language: a row's representation may carry words (a reason, a label), and the
            # request leaves its own language active in this thread.
            with scopes_disabled(), translation.override("en"):
                rows_before = model._base_manager.count()
                state_before = serializer.to_representation(model._base_manager.get(pk=row_b.pk))
            answer = send(client, method, url, payload)
            where = f"{method.upper()} {url} with agency A's {target.__name__} in {name!r} as B's {caller}"
            assert answer.status_code == 400, f"{where}: {answer.status_code} {answer.content[:300]!r}"
            assert name in answer.json(), f"{where}: the error is not on {name!r}: {answer.json()}"
            with scopes_disabled(), translation.override("en"):
                assert model._base_manager.count() == rows_before, f"{where} created a row"
                assert serializer.to_representation(model._base_manager.get(pk=row_b.pk)) == state_before, (
                    f"{where} changed B's row")
