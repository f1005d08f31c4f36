"""Property-based tests of the whole REST API against its own OpenAPI schema (schemathesis).

Every operation the schema documents, including those added later, gets 100 generated requests that follow
the schema and 50 that break it, all made with agency A's read-write key. Whatever the request, the answer is
never a server error, its status code is one the schema documents for the operation, and its body matches the
schema documented for that status code.
"""

import contextlib
from dataclasses import dataclass

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st
from schemathesis import DataGenerationMethod
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from werkzeug.test import Client as WerkzeugClient

CHECKS = (not_a_server_error, status_code_conformance, response_schema_conformance)
FORM_MEDIA_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
SUPPRESSED_HEALTH_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much,
                            HealthCheck.data_too_large]


@contextlib.contextmanager
def connection_kept_open():
    """Django closes the database connection around each request it serves; inside a test that would end the
    test's transaction. Its own test client avoids this the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class InTestTransaction:
    """The product's WSGI application, serving each request inside the running test's transaction.

    Built with ``get_wsgi_application()`` rather than imported from ``config.wsgi``, which would default to
    the production settings: this one runs with the test settings pytest-django configured.
    """

    def __init__(self):
        self.handler = get_wsgi_application()

    def __call__(self, environ, start_response):
        with connection_kept_open():
            body = self.handler(environ, start_response)
            try:
                content = b"".join(body)
            finally:
                body.close()
        return [content]


def product_schema():
    """The OpenAPI document /api/schema/ serves, generated the same way (no request, no database)."""
    return SchemaGenerator().get_schema(request=None, public=True)


application = InTestTransaction()
schema = schemathesis.from_dict(product_schema(), app=application)


def collection_path(path):
    """``/api/v1/stores/`` for ``/api/v1/stores/{id}/``: where the objects of an item path are listed."""
    return path.split("{", 1)[0]


def existing_ids(path, header):
    """Ids of the objects listed at ``path`` (a paginated list), as agency A's key sees them."""
    response = WerkzeugClient(application).get(path, query_string={"page_size": 500},
                                               headers={"Authorization": header})
    if response.status_code != 200:
        return []
    body = response.get_json(silent=True)
    rows = body.get("results", []) if isinstance(body, dict) else body
    return [row["id"] for row in rows or [] if isinstance(row, dict) and isinstance(row.get("id"), int)]


def point_at_existing_objects(case, data, header):
    """Random ids almost never exist, so half the time an ``{id}`` in the path, and an integer reference in
    the body whose name has a collection (``client`` -> ``/api/v1/clients/``), is swapped for the id of an
    object that does. Works for any operation that follows the API's conventions."""
    if case.path_parameters and "id" in case.path_parameters and data.draw(st.booleans(), label="existing id"):
        ids = existing_ids(collection_path(case.operation.path), header)
        if ids:
            case.path_parameters["id"] = data.draw(st.sampled_from(ids), label="id")
    if isinstance(case.body, dict):
        base = collection_path(case.operation.path).rstrip("/").rsplit("/", 1)[0]
        for name, value in list(case.body.items()):
            collection = f"{base}/{name}s/"
            if isinstance(value, int) and collection in schema.raw_schema["paths"]:
                if data.draw(st.booleans(), label=f"existing {name}"):
                    ids = existing_ids(collection, header)
                    if ids:
                        case.body[name] = data.draw(st.sampled_from(ids), label=name)


@dataclass
class Caller:
    header: str
    foreign_seller_ids: list


@pytest.fixture
def erp(agency_a, agency_b):
    """Agency A's ERP with its read-write key; agency B's stores exist, so that they could leak (and must not)."""
    return Caller(header=agency_a.rw_header,
                  foreign_seller_ids=[agency_b.assigned_store.seller_id, agency_b.other_store.seller_id])


def has_nothing_to_break(context):
    """An operation without parameters or body: no request to it can break its schema."""
    definition = context.operation.definition.raw
    return not definition.get("parameters") and "requestBody" not in definition


def call_and_check(case, data, caller):
    point_at_existing_objects(case, data, caller.header)
    # The key is the caller: generated credentials (a random key or session cookie) are not.
    case.cookies = {}
    response = case.call(headers={"Authorization": caller.header})
    case.validate_response(response, checks=CHECKS)
    text = response.get_data(as_text=True)
    assert not [seller_id for seller_id in caller.foreign_seller_ids if seller_id in text], "agency B leaked"


@schema.parametrize(data_generation_methods=[DataGenerationMethod.positive])
@schema.given(data=st.data())
@settings(max_examples=100, deadline=None, suppress_health_check=SUPPRESSED_HEALTH_CHECKS)
def test_every_api_operation_answers_generated_requests_as_its_schema_documents(case, data, erp):
    call_and_check(case, data, erp)


@schema.exclude(has_nothing_to_break).parametrize(data_generation_methods=[DataGenerationMethod.negative])
@schema.given(data=st.data())
@settings(max_examples=50, deadline=None, suppress_health_check=SUPPRESSED_HEALTH_CHECKS)
def test_requests_that_break_the_schema_get_a_documented_answer_never_a_server_error(case, data, erp):
    # A form can only be sent as fields and values; a schema-breaking form of another shape cannot be sent.
    assume(case.media_type not in FORM_MEDIA_TYPES or isinstance(case.body, dict))
    # A request the list cannot read (``?brand_registered=maybe``, an unknown ``ordering``) is a documented 400;
    # one the schema's types cannot express as wrong (``?brand_registered=False``) may also be read: either way it
    # gets a documented answer and never a server error.
    call_and_check(case, data, erp)


def test_the_fuzzed_schema_is_the_one_the_api_serves(db):
    served = WerkzeugClient(application).get("/api/schema/", query_string={"format": "json"})
    assert served.status_code == 200
    assert set(served.get_json()["paths"]) == set(schema.raw_schema["paths"])
    assert len(schema.raw_schema["paths"]) >= 4
