"""The accounts app's rows for the isolation suite (see ``tests/isolation/rows.py``): the tenant's own models,
people, and the platform's records that the admin serves."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django_scopes import scopes_disabled

from accounts import services
from accounts.models import (
    Agency,
    ApiKey,
    Client,
    Invitation,
    Membership,
    PlatformAccess,
    Store,
    StoreAssignment,
    UnsentTask,
    User,
)
from tests.factories import ClientFactory, StoreAssignmentFactory, StoreFactory
from tests.isolation.rows import PlatformRows, TenantRows


def _membership_of_owner(persona):
    with scopes_disabled():
        return Membership.objects.get(agency=persona.agency, user=persona.owner)


def _assignment_of_operator(persona):
    with scopes_disabled():
        return StoreAssignment.objects.get(agency=persona.agency, store=persona.assigned_store, user=persona.operator)


def _client_with_unassigned_store_only(persona):
    """The same client each time it is asked for: its only store is assigned to nobody."""
    name = f"Client of unassigned stores {persona.agency.name}"
    client = Client.objects.filter(agency=persona.agency, name=name).first()
    if client is None:
        client = ClientFactory(agency=persona.agency, name=name)
        StoreFactory(agency=persona.agency, client=client, name=f"Unassigned store of {client.name}")
    return client


def _invitation(persona):
    """A pending invitation of the agency (the same row each time it is asked for)."""
    email = f"invitee.{persona.agency.slug}@example.com"
    found = Invitation.objects.filter(agency=persona.agency, email=email).first()
    return found or services.invitation_create(agency=persona.agency, email=email, role="operator",
                                               invited_by=persona.owner, link_for=lambda token: token)


def _assignment_beyond_operators(persona):
    """The manager made responsible for the store no operator has (the same row each time)."""
    found = StoreAssignment.objects.filter(agency=persona.agency, store=persona.other_store, user=persona.manager)
    return found.first() or StoreAssignmentFactory(store=persona.other_store, agency=persona.agency,
                                                   user=persona.manager)


def _unsent_task(persona):
    """A task of the agency the broker could not take (the same row each time it is asked for)."""
    return UnsentTask.objects.get_or_create(
        agency=persona.agency, task_name="accounts.tasks.agency_portfolio_summary",
        defaults={"kwargs": {"agency_id": persona.agency.pk}, "last_error": "OperationalError: refused"})[0]


TENANT_ROWS = {
    Agency: TenantRows(row=lambda persona: persona.agency,
                       reason="the tenant itself: another agency's id must be a 404 like any of its rows"),
    Membership: TenantRows(row=_membership_of_owner),
    Client: TenantRows(row=lambda persona: persona.client, beyond_operator=_client_with_unassigned_store_only),
    Store: TenantRows(row=lambda persona: persona.assigned_store, beyond_operator=lambda persona: persona.other_store),
    StoreAssignment: TenantRows(
        row=_assignment_of_operator,
        beyond_operator=_assignment_beyond_operators,
    ),
    ApiKey: TenantRows(row=lambda persona: persona.rw_key),
    Invitation: TenantRows(row=_invitation),
    UnsentTask: TenantRows(row=_unsent_task),
    # People are global (one person may serve several agencies), but an agency sees only its own members:
    # the owner of the persona's agency belongs to no other agency, so for anyone else they do not exist.
    User: TenantRows(row=lambda persona: persona.owner,
                     reason="people are global, but staff see only the members of their own agency"),
}


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
    "api:root": "the API's own endpoints and their addresses, the same for every agency",
}
