"""Reads of agencies, clients, stores and keys. Each takes the agency explicitly; the scope is the safety net.

**Who sees which stores** is declared once, here: ``visible_stores(*, agency, caller)``. Owners, managers,
viewers, API keys and the product itself see every store of the agency; an operator sees the stores assigned
to them. Every model that hangs off a store says how it reaches it (``TenantModel.store_path``), and
``visible_rows(queryset, caller=...)`` narrows any queryset of such a model through the same rule: admin lists
and foreign-key choices, API lists, objects and reference fields, and the selectors of every app use it.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Value, When

from . import rules, store_statuses
from .models import Agency, Client, Membership, Store, StoreAssignment, StoreStatus, User, normalise_email
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
    """The people who can be made responsible for the agency's stores (not its viewers, nor members deactivated
    there)."""
    return User.objects.filter(memberships__agency=agency, memberships__is_active=True,
                               memberships__role__in=roles_with(Power.TAKE_STORES)).distinct()


def operators_a_store_may_keep(*, agency, store):
    """Who a form of ``store`` accepts as its operators: the assignable people, and those responsible for it already
    (a member deactivated in the agency keeps the stores they had, though nobody is offered them for a new one)."""
    kept = StoreAssignment.objects.filter(agency=agency, store=store).values("user_id")
    return User.objects.filter(Q(pk__in=assignable_people(agency=agency).values("pk")) | Q(pk__in=kept))


def account_of(*, email):
    """The person whose account is ``email`` (looked up as sign-in does: the stored, lower-cased address), or
    ``None``. Not scoped: people are global; only the holder of an invitation's link asks it."""
    return User.objects.filter(email=normalise_email(email)).first()


def is_member(*, agency, email):
    """Whether someone with this email address (any spelling) is a member of the agency."""
    return Membership.objects.filter(agency=agency, user__email__iexact=email).exists()


def client_removal_errors(*, agency, clients):
    """``rules.client_removal_errors`` for each of ``clients`` of ``agency``, in one query: the messages, ``[]``
    when they may all go."""
    clients = list(clients)
    with_stores = set(Store.objects.filter(agency=agency, client__in=clients).values_list("client_id", flat=True))
    return [message for client in clients
            for message in rules.client_removal_errors(name=client.name,
                                                       has_stores=client.pk in with_stores).get("client", [])]


def membership_removal_errors(*, agency, memberships):
    """``rules.removal_errors`` for removing ``memberships`` from the agency together (``{}`` when allowed)."""
    leaving = {membership.pk for membership in memberships}
    # Deactivated owners cannot act as owners, so they do not count as the owner the agency keeps.
    owners = set(Membership.objects.filter(agency=agency, role=Role.OWNER, is_active=True)
                 .values_list("pk", flat=True))
    return rules.removal_errors(owners=len(owners), owners_leaving=len(owners & leaving))


def portfolio_summary(*, agency, caller):
    """``{"stores": n, "by_status": {...}, "by_marketplace": {...}}`` of the stores ``caller`` sees, in two
    queries."""
    stores = visible_stores(agency=agency, caller=caller)
    by_status = dict(stores.order_by().values_list("status").annotate(n=Count("id")))
    by_marketplace = dict(stores.order_by().values_list("marketplace").annotate(n=Count("id")))
    return {"stores": sum(by_status.values()), "by_status": by_status, "by_marketplace": by_marketplace}


@dataclass(frozen=True)
class ClientPortfolio:
    """One client's stores among those a caller sees: how many, and how many of them need attention."""

    client_id: int
    name: str
    stores: int
    needing_attention: int


@dataclass(frozen=True)
class MarketplacePortfolio:
    """The stores a caller sees on one marketplace (its code): how many, and how many need attention."""

    code: str
    stores: int
    needing_attention: int


@dataclass(frozen=True)
class PortfolioOverview:
    """The stores a caller sees, at a glance (``portfolio_overview``).

    ``by_status`` has every ``StoreStatus`` value, in that order, 0 where none; ``top_clients`` are the clients
    with the most stores (their share of ``clients``; the rest are ``other_clients``); ``worst_stores`` are the
    first of the ``needing_attention`` stores (``store_statuses.NEEDING_ATTENTION``), worst first, with their
    client and operators loaded. ``without_operator`` (stores nobody is responsible for, closed ones aside:
``store_statuses.NEEDING_AN_OPERATOR``) is counted for callers
    who assign stores, ``assigned_to_caller`` for a person who sees every store and may be assigned some;
    ``None`` otherwise.
    """

    stores: int
    by_status: dict
    clients: int
    top_clients: list
    by_marketplace: list
    needing_attention: int
    worst_stores: list
    without_operator: int | None = None
    assigned_to_caller: int | None = None

    @property
    def other_clients(self):
        return self.clients - len(self.top_clients)

    @property
    def other_client_stores(self):
        return self.stores - sum(client.stores for client in self.top_clients)

    @property
    def other_client_stores_needing_attention(self):
        return self.needing_attention - sum(client.needing_attention for client in self.top_clients)


def portfolio_overview(*, agency, caller, top_clients=8, worst_stores=20):
    """A ``PortfolioOverview`` of the stores of ``agency`` that ``caller`` sees, in at most eight queries
    whatever their number: one per breakdown (status, top clients, client count, marketplace), the worst stores
    and their operators, and one count each for ``without_operator`` and ``assigned_to_caller``."""
    stores = visible_stores(agency=agency, caller=caller).order_by()
    needs_attention = Q(status__in=store_statuses.NEEDING_ATTENTION)

    counted = dict(stores.values_list("status").annotate(n=Count("id")))
    by_status = {status: counted.get(status, 0) for status in StoreStatus.values}
    total = sum(by_status.values())
    needing_attention = sum(by_status[status] for status in store_statuses.NEEDING_ATTENTION)

    per_client = (stores.values("client_id", "client__name")
                  .annotate(n=Count("id"), attention=Count("id", filter=needs_attention))
                  .order_by("-n", "client__name", "client_id")[:top_clients])
    per_marketplace = (stores.values("marketplace")
                       .annotate(n=Count("id"), attention=Count("id", filter=needs_attention))
                       .order_by("-n", "marketplace"))
    worst_first = Case(*(When(status=status, then=Value(rank))
                         for rank, status in enumerate(store_statuses.NEEDING_ATTENTION)),
                       output_field=IntegerField())
    worst = (stores.filter(needs_attention).select_related("client").prefetch_related("operators")
             .annotate(severity=worst_first).order_by("severity", "name", "marketplace", "pk")[:worst_stores])

    without_operator = assigned_to_caller = None
    if caller.can(Power.MANAGE):
        without_operator = stores.filter(assignments__isnull=True,
                                         status__in=store_statuses.NEEDING_AN_OPERATOR).count()
    if caller.is_person and caller.sees_all_stores and caller.can(Power.TAKE_STORES):
        assigned_to_caller = stores.filter(assignments__user=caller.user).count()

    return PortfolioOverview(
        stores=total,
        by_status=by_status,
        clients=stores.aggregate(n=Count("client_id", distinct=True))["n"],
        top_clients=[ClientPortfolio(client_id=row["client_id"], name=row["client__name"], stores=row["n"],
                                     needing_attention=row["attention"]) for row in per_client],
        by_marketplace=[MarketplacePortfolio(code=row["marketplace"], stores=row["n"],
                                             needing_attention=row["attention"]) for row in per_marketplace],
        needing_attention=needing_attention,
        worst_stores=list(worst),
        without_operator=without_operator,
        assigned_to_caller=assigned_to_caller,
    )


def agencies_at_a_glance():
    """``{"agencies": n, "active": m}``: how many agencies the platform serves, for its operator's overview."""
    return Agency.objects.aggregate(agencies=Count("id"), active=Count("id", filter=Q(is_active=True)))
