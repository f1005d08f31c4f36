"""The admin's first page: what needs the person today, in the active agency.

``AgencyAdminSite.index`` renders ``admin/overview.html`` with ``overview_context(request)``:

1. the stores the person sees (``selectors.portfolio_overview``: an operator, their own) by status, client and
   marketplace, every number a link to the store list filtered to exactly the stores it counts;
2. the stores that need attention, worst first (a bounded list, with a link to all of them);
3. the sections the domain apps contribute (``extensions.overview_sections``: red stores, open alerts, cases
   waiting for Amazon, documents going stale, reviews due), in their order, each left out when it has nothing
   for this person.

The platform's all-agencies view has no agency, hence no stores: it asks to pick one in the switcher.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import extensions, marketplaces, selectors, store_statuses
from ..roles import Power
from ..store_statuses import StoreStatus
from ..tenancy import caller_of

#: How many clients the breakdown names (the others are one row) and how many stores the attention list shows.
TOP_CLIENTS = 8
WORST_STORES = 20

# The store list's filters (``accounts.admin.stores.StoreAdmin.list_filter``), by their query parameters.
STATUS_PARAMETER = "status__exact"
STATUSES_PARAMETER = "status__in"
MARKETPLACE_PARAMETER = "marketplace__exact"
CLIENT_PARAMETER = "client"
OPERATOR_PARAMETER = "operator"
NO_OPERATOR = "none"

#: The store list's filters for the stores needing attention, and for those left without an operator.
NEEDING_ATTENTION = {STATUSES_PARAMETER: ",".join(store_statuses.NEEDING_ATTENTION)}
WITHOUT_OPERATOR = {OPERATOR_PARAMETER: NO_OPERATOR, STATUSES_PARAMETER: ",".join(store_statuses.NEEDING_AN_OPERATOR)}

#: Stores that cannot sell: one figure on the page, red.
STATUSES_THAT_CANNOT_SELL = (StoreStatus.SUSPENDED, StoreStatus.DEACTIVATED)

# The colour of a status's share of the status bar, by its tone (``store_statuses.TONES``, as its label's).
BAR_COLOURS = {"success": "bg-green-500", "warning": "bg-orange-400", "danger": "bg-red-600"}
NUMBER_COLOURS = {"success": "text-green-700", "warning": "text-orange-700", "danger": "text-red-700"}


@dataclass(frozen=True)
class Figure:
    """A number on the page and the store list it opens: ``tone`` colours it, ``share`` is its percentage of
    the person's stores."""

    label: str
    count: int
    url: str
    tone: str = ""
    share: float = 0.0

    @property
    def bar_colour(self):
        return BAR_COLOURS.get(self.tone, "bg-base-300")

    @property
    def number_colour(self):
        return NUMBER_COLOURS.get(self.tone, "")


@dataclass(frozen=True)
class BreakdownRow:
    """A row of the client or marketplace table: its stores and those needing attention, each with its link
    (empty for the "other clients" row, which no filter of the store list selects)."""

    label: str
    stores: Figure
    needing_attention: Figure
    note: str = ""


def store_list_url(**filters):
    """The admin's store list, filtered by ``filters`` (query parameters of the store list)."""
    url = reverse("admin:accounts_store_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def overview_context(request):
    """The template context of the overview page for ``request``'s person."""
    caller = caller_of(request)
    if caller.agency is None:
        return {"platform": selectors.agencies_at_a_glance()}
    agency = caller.agency
    portfolio = selectors.portfolio_overview(agency=agency, caller=caller, top_clients=TOP_CLIENTS,
                                             worst_stores=WORST_STORES)
    own_stores_only = not caller.sees_all_stores
    return {
        "agency": agency,
        "today": agency.today(),
        "own_stores_only": own_stores_only,
        "portfolio": portfolio,
        "key_figures": key_figures(portfolio, own_stores_only=own_stores_only),
        "statuses": status_figures(portfolio),
        "clients": client_rows(portfolio),
        "marketplaces": marketplace_rows(portfolio),
        "worst_stores": [(store, store_statuses.TONES.get(store.status, "")) for store in portfolio.worst_stores],
        "all_needing_attention": Figure(label=_("Needs attention"), count=portfolio.needing_attention,
                                        url=store_list_url(**NEEDING_ATTENTION)),
        "without_operator": _figure_or_none(_("Without an operator"), portfolio.without_operator,
                                            store_list_url(**WITHOUT_OPERATOR), tone="warning"),
        "assigned_to_me": _figure_or_none(_("Assigned to you"), portfolio.assigned_to_caller,
                                          store_list_url(**{OPERATOR_PARAMETER: caller.user.pk})
                                          if caller.is_person else ""),
        "may_assign": caller.can(Power.MANAGE),
        "sections": contributed_sections(request=request, agency=agency),
    }


def key_figures(portfolio, *, own_stores_only):
    """The four cards at the top: all the person's stores, then the active, at-risk and stopped ones."""
    by_status = portfolio.by_status
    cannot_sell = sum(by_status[status] for status in STATUSES_THAT_CANNOT_SELL)
    return [
        Figure(label=_("My stores") if own_stores_only else _("Stores"), count=portfolio.stores,
               url=store_list_url(), tone="primary", share=100.0 if portfolio.stores else 0.0),
        _status_figure(portfolio, StoreStatus.ACTIVE),
        _status_figure(portfolio, StoreStatus.AT_RISK),
        Figure(label=_("Suspended / deactivated"), count=cannot_sell,
               url=store_list_url(**{STATUSES_PARAMETER: ",".join(STATUSES_THAT_CANNOT_SELL)}),
               tone="danger", share=_share(cannot_sell, portfolio.stores)),
    ]


def status_figures(portfolio):
    """One figure per store status, in ``StoreStatus`` order, for the status bar and its legend."""
    return [_status_figure(portfolio, status) for status in StoreStatus]


def client_rows(portfolio):
    """The clients with the most stores, then one row for the others (when there are any)."""
    rows = [
        BreakdownRow(
            label=client.name,
            stores=Figure(label=client.name, count=client.stores,
                          url=store_list_url(**{CLIENT_PARAMETER: client.client_id})),
            needing_attention=Figure(
                label=client.name, count=client.needing_attention, tone="warning",
                url=store_list_url(**{CLIENT_PARAMETER: client.client_id}, **NEEDING_ATTENTION)),
        )
        for client in portfolio.top_clients
    ]
    if portfolio.other_clients > 0:
        label = gettext("Other clients")
        rows.append(BreakdownRow(
            label=label,
            note=gettext("%(count)s more") % {"count": portfolio.other_clients},
            stores=Figure(label=label, count=portfolio.other_client_stores, url=""),
            needing_attention=Figure(label=label, count=portfolio.other_client_stores_needing_attention, url="",
                                     tone="warning"),
        ))
    return rows


def marketplace_rows(portfolio):
    """Every marketplace the person's stores are on, most stores first, named in the reader's language."""
    rows = []
    for entry in portfolio.by_marketplace:
        known = marketplaces.marketplace(entry.code)
        label = f"{entry.code} · {known.name}" if known else entry.code
        rows.append(BreakdownRow(
            label=label,
            stores=Figure(label=label, count=entry.stores,
                          url=store_list_url(**{MARKETPLACE_PARAMETER: entry.code})),
            needing_attention=Figure(
                label=label, count=entry.needing_attention, tone="warning",
                url=store_list_url(**{MARKETPLACE_PARAMETER: entry.code}, **NEEDING_ATTENTION)),
        ))
    return rows


def contributed_sections(*, request, agency):
    """``[(title, html)]`` of the contributed overview sections, in their ``order``, without those that have
    nothing for this person (an empty or blank render)."""
    sections = sorted(extensions.overview_sections.contributions(), key=lambda section: section.order)
    rendered = [(section.title, section.render(request=request, agency=agency)) for section in sections]
    return [(title, html) for title, html in rendered if html and str(html).strip()]


def _status_figure(portfolio, status):
    count = portfolio.by_status[status]
    return Figure(label=StoreStatus(status).label, count=count, url=store_list_url(**{STATUS_PARAMETER: status}),
                  tone=store_statuses.TONES.get(status, ""), share=_share(count, portfolio.stores))


def _figure_or_none(label, count, url, tone=""):
    return None if count is None else Figure(label=label, count=count, url=url, tone=tone)


def _share(count, total):
    return round(100.0 * count / total, 1) if total else 0.0
