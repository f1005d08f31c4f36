"""Callers of agency B and what identifies agency A, for the isolation tests.

The personas themselves (``agency_a``, ``agency_b``, ``client_as``, ``api_as``) come from ``tests/conftest.py``.
"""

import pytest

from .exposure import identifying_strings


@pytest.fixture
def strings_of_a(agency_a):
    return identifying_strings(agency_a)


@pytest.fixture
def staff_of_b(agency_b, client_as):
    """``[(role, signed-in Django client)]`` for every member of agency B."""
    return [(role, client_as(user)) for role, user in agency_b.staff.items()]


@pytest.fixture
def api_callers_of_b(agency_b, api_as):
    """``[(who, DRF client)]``: every member of agency B signed in, and both of B's API keys."""
    callers = [(f"{role} (signed in)", api_as(user)) for role, user in agency_b.staff.items()]
    callers += [("read-write API key", api_as(agency_b.rw_header)), ("read-only API key", api_as(agency_b.ro_header))]
    return callers
