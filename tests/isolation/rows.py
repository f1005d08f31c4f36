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

A POST route whose body carries rows inside it (a bulk batch) registers how to build such a body, in
``tests/<app>/isolation_payloads.py`` (or ``isolation_rows.py``)::

    PAYLOAD_ROUTES = {
        "api:health-snapshot-bulk": PayloadRoute(
            payload=lambda persona: {"snapshots": [{"store": persona.assigned_store.pk, "date": "2025-01-01"}]},
            references=("store", "seller_id"),
        ),
    }

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
    ``served_through``: for a row that no route serves by its own id (a link row between two others), the route
    that reaches it instead, and why: the walk then checks the pages and lists the model has, if any.
    """

    row: Callable
    beyond_operator: Callable | None = None
    reason: str = ""
    served_through: str = ""


@dataclass(frozen=True)
class PlatformRows:
    """A model of the platform (no agency owns its rows) that the admin still serves by id."""

    row: Callable
    reason: str


@dataclass(frozen=True)
class PayloadRoute:
    """A POST route whose body names rows of the agency inside it (rows of a batch, a seller id in a document),
    where the walkers cannot find them as serializer fields.

    ``payload``: ``payload(persona)`` → a body that the persona's own writers may send, naming the persona's rows.
    ``references``: the names under which the answer reports a reference it does not know (a 400 body's key, or
    the ``field`` of an entry in it), e.g. ``("store", "seller_id")``.
    """

    payload: Callable
    references: tuple
