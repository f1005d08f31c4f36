"""Reads of agencies, clients, stores and keys. Each takes the agency explicitly; the scope is the safety net."""

from .models import ApiKey, Client, Membership, Store


def store_list(*, agency, operator=None):
    """The stores of an agency that a person may see: all of them, or an operator's assigned ones."""
    stores = Store.objects.filter(agency=agency).select_related("client")
    if operator is not None:
        stores = stores.filter(assignments__user=operator)
    return stores


def client_list(*, agency, operator=None):
    """The agency's clients; an operator sees the clients of their assigned stores only."""
    clients = Client.objects.filter(agency=agency)
    if operator is not None:
        clients = clients.filter(stores__assignments__user=operator).distinct()
    return clients


def membership_list(*, agency):
    return Membership.objects.filter(agency=agency).select_related("user")


def assignable_people(*, agency):
    """The people who can be made responsible for the agency's stores (not its viewers)."""
    from .models import User
    from .roles import ASSIGNABLE_ROLES

    return User.objects.filter(memberships__agency=agency, memberships__role__in=ASSIGNABLE_ROLES).distinct()


def api_key_list(*, agency):
    return ApiKey.objects.filter(agency=agency)


def portfolio_summary(*, agency):
    """``{"stores": n, "by_status": {...}, "by_marketplace": {...}}`` for the agency, in two queries."""
    from django.db.models import Count

    stores = Store.objects.filter(agency=agency)
    by_status = dict(stores.order_by().values_list("status").annotate(n=Count("id")))
    by_marketplace = dict(stores.order_by().values_list("marketplace").annotate(n=Count("id")))
    return {"stores": sum(by_status.values()), "by_status": by_status, "by_marketplace": by_marketplace}
