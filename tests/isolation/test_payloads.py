"""Rows named inside a body (a bulk batch of snapshots, a report naming a seller id) are another agency's rows
too: sent by any caller of agency B, agency A's references are unknown, and nothing is written.

``test_api.py`` proves the references of serializer fields; the rows of a batch are not fields, so every POST
route whose body could carry them (it has no serializer the walker can read, or one with nested rows, lists or
JSON) must register how to build a body naming an agency's rows (``PAYLOAD_ROUTES``, see
``tests/isolation/rows.py``), also when it is listed in ``MODELLESS_API_ROUTES`` (which only says that no row
of an agency stands behind its address). A route that does not fails the suite, naming the file to edit.
"""

import pytest
from django_scopes import scopes_disabled
from rest_framework import serializers

from .registry import PAYLOAD_ROUTES, TENANT_ROWS, payload_file
from .routes import api_routes, reference_fields

#: Fields of a serializer that can carry references the walker cannot see.
_NESTING = (serializers.BaseSerializer, serializers.ListField, serializers.DictField, serializers.JSONField,
            serializers.HStoreField)


def carries_rows_inside(serializer_class):
    """Whether a body of this serializer may name rows where ``reference_fields`` cannot find them: no serializer
    to read at all, or a nested serializer, list, dict or JSON field."""
    if serializer_class is None:
        return True
    return any(isinstance(field, _NESTING) for field in serializer_class().fields.values())


def app_of(route):
    view_class = route.view_class
    return view_class.__module__.split(".")[0] if view_class is not None else "accounts"


PAYLOAD_CASES = [
    route for route in api_routes()
    if "post" in route.methods and not route.object_parameters
    and not reference_fields(route.serializer_class) and carries_rows_inside(route.serializer_class)
]


def route_id(route):
    return route.name or route.template


def names_reference(body, references):
    """Whether an error body reports one of ``references``: as a key, or as an entry's ``field``."""
    if isinstance(body, dict):
        if body.get("field") in references or any(key in references for key in body):
            return True
        return any(names_reference(value, references) for value in body.values())
    if isinstance(body, list):
        return any(names_reference(value, references) for value in body)
    return False


def tenant_row_counts():
    with scopes_disabled():
        return {model.__name__: model._base_manager.count() for model in TENANT_ROWS}


def test_the_api_has_routes_that_take_rows_inside_their_body():
    """The next test is about such routes; it must have something to check."""
    assert PAYLOAD_CASES


@pytest.mark.parametrize("route", PAYLOAD_CASES, ids=route_id)
def test_agency_as_rows_inside_a_body_are_unknown_to_every_caller_of_agency_b(route, agency_a, agency_b, api_as,
                                                                           api_callers_of_b):
    entry = PAYLOAD_ROUTES.get(route.name)
    assert entry is not None, (
        f"{route.label} takes a body that may name an agency's rows where the isolation suite cannot see them. "
        f"Register it in PAYLOAD_ROUTES of {payload_file(app_of(route))} (tests.isolation.rows.PayloadRoute: how "
        f"to build a body naming a persona's rows, and the names its errors report references under), so that "
        f"other agencies are proven to be refused.")
    url = route.url({})
    payload_a, payload_b = entry.payload(agency_a), entry.payload(agency_b)

    for caller, client in api_callers_of_b:
        before = tenant_row_counts()
        answer = client.post(url, payload_a, format="json")
        where = f"POST {url} with agency A's rows as agency B's {caller}"
        if answer.status_code == 403:
            # Refused for the caller's role, whatever the rows: the same answer as for agency B's own rows.
            own = client.post(url, payload_b, format="json")
            assert own.status_code == 403, f"{where}: 403, but {own.status_code} for B's own rows"
        elif answer.status_code != 404:
            assert answer.status_code == 400, f"{where}: {answer.status_code} {answer.content[:300]!r}"
            assert names_reference(answer.json(), entry.references), (
                f"{where}: the error names none of {entry.references}: {answer.json()}")
        assert tenant_row_counts() == before, f"{where} wrote rows"

    # The body is one agency A's own writers may send: the refusals above were about the agency, not the body.
    own = api_as(agency_a.rw_header).post(url, payload_a, format="json")
    assert 200 <= own.status_code < 300, f"POST {url} with A's rows as A's key: {own.status_code} {own.content[:300]!r}"
