"""Which row of an agency the isolation suite points the other agency at, per model.

The walkers find a route's model from the URL resolver and look it up here. A model missing from this file
fails the suite (``UnmappedRoute``), so that a new route cannot escape it. A later app adds its models next to
these, usually with its factory, e.g. in ``health``::

    TENANT_ROWS[HealthSnapshot] = TenantRows(
        row=lambda persona: HealthSnapshotFactory(agency=persona.agency, store=persona.assigned_store),
        beyond_operator=lambda persona: HealthSnapshotFactory(agency=persona.agency, store=persona.other_store),
    )

Historical (audit-trail) models need no entry: their row is the latest version of their instance model's row.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db.models import Max
from django_scopes import scopes_disabled
from simple_history.models import HistoricalChanges

from accounts.models import Agency, ApiKey, Client, Membership, PlatformAccess, Store, StoreAssignment, User
from tests.factories import ClientFactory, StoreAssignmentFactory, StoreFactory

from .routes import REGISTRY_FILE, UnmappedRoute


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


def _membership_of_owner(persona):
    with scopes_disabled():
        return Membership.objects.get(agency=persona.agency, user=persona.owner)


def _assignment_of_operator(persona):
    with scopes_disabled():
        return StoreAssignment.objects.get(agency=persona.agency, store=persona.assigned_store, user=persona.operator)


def _client_with_unassigned_store_only(persona):
    client = ClientFactory(agency=persona.agency, name=f"Client of unassigned stores {persona.agency.name}")
    StoreFactory(agency=persona.agency, client=client, name=f"Unassigned store of {client.name}")
    return client


TENANT_ROWS = {
    Agency: TenantRows(row=lambda persona: persona.agency,
                       reason="the tenant itself: another agency's id must be a 404 like any of its rows"),
    Membership: TenantRows(row=_membership_of_owner),
    Client: TenantRows(row=lambda persona: persona.client, beyond_operator=_client_with_unassigned_store_only),
    Store: TenantRows(row=lambda persona: persona.assigned_store, beyond_operator=lambda persona: persona.other_store),
    StoreAssignment: TenantRows(
        row=_assignment_of_operator,
        beyond_operator=lambda persona: StoreAssignmentFactory(store=persona.other_store, agency=persona.agency,
                                                               user=persona.manager),
    ),
    ApiKey: TenantRows(row=lambda persona: persona.rw_key),
    # People are global (one person may serve several agencies), but an agency sees only its own members:
    # the owner of the persona's agency belongs to no other agency, so for anyone else they do not exist.
    User: TenantRows(row=lambda persona: persona.owner,
                     reason="people are global, but staff see only the members of their own agency"),
}


@dataclass(frozen=True)
class PlatformRows:
    """A model of the platform (no agency owns its rows) that the admin still serves by id."""

    row: Callable
    reason: str


def _sign_in(persona):
    return {"username": persona.owner.email, "ip_address": "198.51.100.7", "user_agent": "isolation-suite"}


def _one_row(model, persona, **fields):
    """The persona's one row of a platform model, so that asking twice gives the same row."""
    return model.objects.filter(**_sign_in(persona)).first() or model.objects.create(**_sign_in(persona), **fields)


PLATFORM_ROWS = {
    PlatformAccess: PlatformRows(
        row=lambda persona: PlatformAccess.objects.get_or_create(user=persona.owner, method="GET",
                                                                 path="/admin/")[0],
        reason="the record of platform superusers looking across agencies; no agency owns it and only "
               "superusers may read it",
    ),
    AccessAttempt: PlatformRows(
        row=lambda persona: _one_row(AccessAttempt, persona, failures_since_start=1, get_data="", post_data=""),
        reason="django-axes' brute-force lockout counters, kept per sign-in name and address for the platform",
    ),
    AccessLog: PlatformRows(
        row=lambda persona: _one_row(AccessLog, persona),
        reason="django-axes' sign-in log, kept for the platform",
    ),
    AccessFailureLog: PlatformRows(
        row=lambda persona: _one_row(AccessFailureLog, persona),
        reason="django-axes' failed sign-in log, kept for the platform",
    ),
}


# API routes without an object id whose view serves no model, by URL name, with the reason there is no row of
# an agency to point them at. Any other route without a model fails the walker.
MODELLESS_API_ROUTES = {
    "api:marketplace-list": "Amazon's marketplace catalogue, the same for every agency",
}


def is_historical(model):
    """A simple-history audit-trail model (``HistoricalStore``)."""
    return issubclass(model, HistoricalChanges)


def is_registered(model):
    if is_historical(model):
        return model.instance_type in TENANT_ROWS
    return model in TENANT_ROWS or model in PLATFORM_ROWS


def unmapped_message(what, model=None):
    about = f"its model {model.__module__}.{model.__name__}" if model is not None else "its model"
    return (f"{what}: the isolation suite cannot find a row to test it with ({about} is unknown). "
            f"Add the model to TENANT_ROWS (or, for a platform model, PLATFORM_ROWS) in {REGISTRY_FILE}, with a "
            f"factory or persona row of the agency, so that other agencies are proven to get 404 for it.")


def row_of(model, persona, *, what=None):
    """The persona's row of ``model`` (created by the registry's factory when it has to be)."""
    if model is None or not is_registered(model):
        raise UnmappedRoute(unmapped_message(what or model, model))
    if is_historical(model):
        instance = row_of(model.instance_type, persona, what=what)
        return instance.history.order_by("-history_date", "-history_id").first()
    entry = TENANT_ROWS.get(model) or PLATFORM_ROWS[model]
    with scopes_disabled():
        return entry.row(persona)


def pk_of_no_row(model):
    """A primary key that no row of ``model`` has, in any agency."""
    if model._meta.pk.get_internal_type() == "UUIDField":
        return uuid.uuid4()
    with scopes_disabled():
        highest = model._base_manager.aggregate(highest=Max("pk"))["highest"] or 0
    return highest + 1_000_000


def row_beyond_operator(model, persona):
    entry = TENANT_ROWS[model]
    with scopes_disabled():
        return entry.beyond_operator(persona)


def models_narrowed_for_operators():
    return [model for model, entry in TENANT_ROWS.items() if entry.beyond_operator is not None]
