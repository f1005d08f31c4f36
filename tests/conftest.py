"""Personas every test can use: two agencies (A and B), each with an owner, a manager, an operator with one
assigned store, an operator with none, a viewer, a read-write API key and a read-only API key.

``agency_a`` / ``agency_b`` are ``Persona`` objects; ``client_as(persona_member)`` gives a signed-in Django
test client; ``api_as(header)`` a DRF client that sends an API key.
"""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled
from rest_framework.test import APIClient

from tests.factories import (
    AgencyFactory,
    ClientFactory,
    MembershipFactory,
    StoreAssignmentFactory,
    StoreFactory,
    UserFactory,
    make_api_key,
)


@dataclass
class Persona:
    agency: object
    owner: object
    manager: object
    operator: object
    idle_operator: object
    viewer: object
    client: object
    assigned_store: object
    other_store: object
    rw_key: object
    rw_header: str
    ro_key: object
    ro_header: str

    @property
    def staff(self):
        return {"owner": self.owner, "manager": self.manager, "operator": self.operator,
                "idle_operator": self.idle_operator, "viewer": self.viewer}

    def scope(self):
        return scope(agency=self.agency)


def build_persona(letter):
    agency = AgencyFactory(slug=f"agency-{letter}", name=f"Agency {letter.upper()}")
    people = {}
    for role_name, role in (("owner", "owner"), ("manager", "manager"), ("operator", "operator"),
                            ("idle_operator", "operator"), ("viewer", "viewer")):
        user = UserFactory(email=f"{role_name}.{letter}@example.com", full_name=f"{role_name} {letter}")
        MembershipFactory(agency=agency, user=user, role=role)
        people[role_name] = user
    client = ClientFactory(agency=agency, name=f"Client {letter.upper()}")
    assigned = StoreFactory(agency=agency, client=client, name=f"Assigned store {letter.upper()}")
    other = StoreFactory(agency=agency, client=client, name=f"Unassigned store {letter.upper()}", marketplace="DE")
    StoreAssignmentFactory(store=assigned, agency=agency, user=people["operator"])
    rw_key, rw_header = make_api_key(agency, access="read_write", name=f"ERP {letter}")
    ro_key, ro_header = make_api_key(agency, access="read", name=f"Reporting {letter}")
    return Persona(agency=agency, client=client, assigned_store=assigned, other_store=other, rw_key=rw_key,
                   rw_header=rw_header, ro_key=ro_key, ro_header=ro_header, **people)


@pytest.fixture
def agency_a(db):
    return build_persona("a")


@pytest.fixture
def agency_b(db):
    return build_persona("b")


@pytest.fixture
def client_as(db):
    """``client_as(user)``: a Django test client signed in as that person, in English."""

    def make(user):
        client = DjangoClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        client.cookies["django_language"] = "en"
        return client

    return make


@pytest.fixture
def api_as(db):
    """``api_as(header_or_user)``: a DRF client with an ``Authorization: Api-Key`` header, or signed in."""

    def make(credential):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if isinstance(credential, str):
            client.credentials(HTTP_AUTHORIZATION=credential)
        else:
            client.force_login(credential, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture
def unscoped():
    """For assertions that look across agencies (what a test checks, not what the product does)."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: counters kept there (throttles, reset emails per person) belong to one
    test, not to whichever test used the same ids before it."""
    cache.clear()
