"""Reads of agencies, clients, stores and keys. Each takes the agency explicitly; the scope is the safety net.

**Who sees which stores** is declared once, here: ``visible_stores(*, agency, caller)``. Owners, managers,
viewers, API keys and the product itself see every store of the agency; an operator sees the stores assigned
to them. Every model that hangs off a store says how it reaches it (``TenantModel.store_path``), and
``visible_rows(queryset, caller=...)`` narrows any queryset of such a model through the same rule: admin lists
and foreign-key choices, API lists, objects and reference fields, and the selectors of every app use it.
"""

from django.db.models import Count, Q

from . import rules
from .models import Client, Membership, Store, User, normalise_email
from .roles import Power, Role, roles_with


def visible_stores(*, agency, caller):
    """The stores of ``agency`` that ``caller`` may see."""
    stores = Store.objects.filter(agency=agency)
    if caller.agency is None or caller.agency.pk != agency.pk:
        return stores.none()
    if caller.sees_all_stores:
        return stores
    if caller.user is None:
        return stores.none()
    return stores.filter(assignments__user=caller.user)


def _is_multi_valued(model, path):
    """Whether the lookup ``path`` from ``model`` crosses a one-to-many or many-to-many relation."""
    for name in path.split("__"):
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        if field.one_to_many or field.many_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def visible_rows(queryset, *, caller):
    """The rows of ``queryset`` that ``caller`` may see: those of the stores it sees (``visible_stores``), for a
    model with a ``store_path``; rows that belong to no store are left as they are. Filter ``queryset`` by the
    agency first: this narrows within it."""
    model = queryset.model
    path = getattr(model, "store_path", None)
    if path is None or caller.sees_all_stores:
        return queryset
    if caller.agency is None:
        return queryset.none()
    stores = visible_stores(agency=caller.agency, caller=caller).values("pk")
    if _is_multi_valued(model, path):
        # Through a one-to-many path (a client's stores) a row would come once per store: match by id instead.
        matching = model._default_manager.filter(agency=caller.agency, **{f"{path}__in": stores})
        return queryset.filter(pk__in=matching.values("pk"))
    return queryset.filter(**{f"{path}__in": stores})


def store_list(*, agency, caller):
    """The stores of the agency that ``caller`` sees, with their clients and operators."""
    stores = Store.objects.filter(agency=agency).select_related("client").prefetch_related("operators")
    return visible_rows(stores, caller=caller)


def client_list(*, agency, caller):
    """The clients of the agency that ``caller`` sees (an operator: the clients of their stores)."""
    return visible_rows(Client.objects.filter(agency=agency), caller=caller)


def visible_store_count(*, caller):
    """An expression counting a client's stores that ``caller`` sees, for ``Client`` querysets
    (``.annotate(store_total=visible_store_count(caller=caller))``): an operator is not told how many stores
    a client has beyond theirs."""
    if caller.sees_all_stores:
        return Count("stores")
    return Count("stores", filter=Q(stores__in=visible_stores(agency=caller.agency, caller=caller).values("pk")))


def members(*, agency):
    """The people of an agency, whatever their role; nobody without an agency."""
    if agency is None:
        return User.objects.none()
    return User.objects.filter(memberships__agency=agency).distinct()


def assignable_people(*, agency):
    """The people who can be made responsible for the agency's stores (not its viewers)."""
    return User.objects.filter(memberships__agency=agency,
                               memberships__role__in=roles_with(Power.TAKE_STORES)).distinct()


def account_of(*, email):
    """The person whose account is ``email`` (looked up as sign-in does: the stored, lower-cased address), or
    ``None``. Not scoped: people are global; only the holder of an invitation's link asks it."""
    return User.objects.filter(email=normalise_email(email)).first()


def is_member(*, agency, email):
    """Whether someone with this email address (any spelling) is a member of the agency."""
    return Membership.objects.filter(agency=agency, user__email__iexact=email).exists()


def membership_removal_errors(*, agency, memberships):
    """``rules.removal_errors`` for removing ``memberships`` from the agency together (``{}`` when allowed)."""
    leaving = {membership.pk for membership in memberships}
    owners = set(Membership.objects.filter(agency=agency, role=Role.OWNER).values_list("pk", flat=True))
    return rules.removal_errors(owners=len(owners), owners_leaving=len(owners & leaving))


def portfolio_summary(*, agency, caller):
    """``{"stores": n, "by_status": {...}, "by_marketplace": {...}}`` of the stores ``caller`` sees, in two
    queries."""
    stores = visible_stores(agency=agency, caller=caller)
    by_status = dict(stores.order_by().values_list("status").annotate(n=Count("id")))
    by_marketplace = dict(stores.order_by().values_list("marketplace").annotate(n=Count("id")))
    return {"stores": sum(by_status.values()), "by_status": by_status, "by_marketplace": by_marketplace}
