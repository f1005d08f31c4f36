"""How an app tells the isolation suite which rows of an agency to test its routes with.

Each app of the product registers its models in its own test module, ``tests/<app>/isolation_rows.py``, which
the suite finds by itself (``tests/isolation/registry.py``)::

    # tests/health/isolation_rows.py
    from tests.isolation.rows import TenantRows

    TENANT_ROWS = {
        HealthSnapshot: TenantRows(
            row=lambda persona: HealthSnapshotFactory(agency=persona.agency, store=persona.assigned_store),
            beyond_operator=lambda persona: HealthSnapshotFactory(agency=persona.agency, store=persona.other_store),
        ),
    }
    # optional: PLATFORM_ROWS = {...}, MODELLESS_API_ROUTES = {"api:...": "why no agency's row is behind it"}

Historical (audit-trail) models need no entry: their row is the latest version of their instance model's row.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TenantRows:
    """How to get rows of one model for a persona (an agency of ``tests/conftest.py``).

    ``row``: a row of the agency that the agency's owner may open; another agency must get 404 for it.
    ``beyond_operator``: a row of the agency that belongs to a store not assigned to the agency's operators,
    so that they must not see it either; ``None`` when operators see the model's rows like everyone else.
    ``reason``: why a model that is not tenant-owned is here.
    """

    row: Callable
    beyond_operator: Callable | None = None
    reason: str = ""


@dataclass(frozen=True)
class PlatformRows:
    """A model of the platform (no agency owns its rows) that the admin still serves by id."""

    row: Callable
    reason: str
