"""The admin's first page answers "what needs me today": the stores the person sees by status, client and
marketplace, the worst of them first, and the sections other apps contribute; at the cost of a fixed number of
queries whatever the number of stores."""

import re

import pytest
from django.db import connection
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext
from django.utils.html import format_html
from django_scopes import scopes_disabled

from accounts import extensions, store_statuses
from accounts.models import Client, Store, StoreAssignment, StoreStatus
from accounts.platform import overview
from tests.factories import AgencyFactory, ClientFactory, StoreAssignmentFactory, StoreFactory, UserFactory

MAX_QUERIES = 25


def add_store(persona, name, *, status="active", marketplace="US", client=None, operator=None):
    store = StoreFactory(agency=persona.agency, client=client or persona.client, name=name, status=status,
                         marketplace=marketplace)
    if operator is not None:
        StoreAssignmentFactory(store=store, agency=persona.agency, user=operator)
    return store


def figures_by_label(response, key):
    return {str(figure.label): figure for figure in response.context[key]}


def statuses_of(response):
    return {str(figure.label): figure.count for figure in response.context["statuses"]}


def attention_names(response):
    return [store.name for store, _tone in response.context["worst_stores"]]


# -- the rule ----------------------------------------------------------------------------------------------------


def test_stores_that_cannot_sell_need_attention_before_stores_at_risk_and_active_or_closed_ones_need_none():
    assert store_statuses.NEEDING_ATTENTION == ("suspended", "deactivated", "at_risk")
    assert set(store_statuses.NEEDING_ATTENTION) <= set(StoreStatus.values)
    assert not {"active", "closed"} & set(store_statuses.NEEDING_ATTENTION)
    assert set(store_statuses.NEEDING_AN_OPERATOR) == set(StoreStatus.values) - {"closed"}


# -- what the page counts ----------------------------------------------------------------------------------------


@pytest.fixture
def portfolio_a(agency_a, agency_b):
    """Agency A: besides the personas' two active stores (US, DE; one assigned to the operator), four stores of a
    second client, one per troubled status and a closed one. Agency B gets troubled stores of its own, which
    nobody of A may ever see."""
    second = ClientFactory(agency=agency_a.agency, name="Second client A")
    add_store(agency_a, "Suspended store A", status="suspended", marketplace="JP", client=second,
              operator=agency_a.operator)
    add_store(agency_a, "Deactivated store A", status="deactivated", marketplace="JP", client=second)
    add_store(agency_a, "At-risk store A", status="at_risk", marketplace="DE", client=second,
              operator=agency_a.operator)
    add_store(agency_a, "Closed store A", status="closed", marketplace="US", client=second)
    add_store(agency_b, "Suspended store B", status="suspended", marketplace="JP")
    add_store(agency_b, "At-risk store B", status="at_risk", marketplace="FR")
    return second


def test_a_manager_sees_every_store_of_the_agency_counted_by_status_client_and_marketplace(
        agency_a, portfolio_a, client_as):
    response = client_as(agency_a.manager).get("/admin/")

    assert response.status_code == 200
    assert statuses_of(response) == {"Active": 2, "At risk": 1, "Suspended": 1, "Deactivated": 1, "Closed": 1}
    figures = figures_by_label(response, "key_figures")
    assert {label: figure.count for label, figure in figures.items()} == {
        "Stores": 6, "Active": 2, "At risk": 1, "Suspended / deactivated": 2}
    clients = {row.label: (row.stores.count, row.needing_attention.count) for row in response.context["clients"]}
    assert clients == {"Second client A": (4, 3), "Client A": (2, 0)}
    assert list(clients) == ["Second client A", "Client A"]  # most stores first
    marketplaces = {row.label: (row.stores.count, row.needing_attention.count)
                    for row in response.context["marketplaces"]}
    assert marketplaces == {"US · United States": (2, 0), "DE · Germany": (2, 1), "JP · Japan": (2, 2)}
    assert response.context["without_operator"].count == 2  # the closed store needs nobody
    page = response.content.decode()
    assert "Suspended store A" in page and "Deactivated store A" in page
    assert "store B" not in page and "Agency B" not in page


def test_the_overview_speaks_the_readers_language(agency_a, portfolio_a):
    client = DjangoClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(agency_a.manager, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = "zh-hans"
    response = client.get("/admin/")

    assert response.headers["Content-Language"] == "zh-hans"
    assert "有风险" in statuses_of(response)  # the status's own translation
    assert "JP · 日本" in {row.label for row in response.context["marketplaces"]}


def test_an_operator_sees_only_the_stores_assigned_to_them(agency_a, portfolio_a, client_as):
    response = client_as(agency_a.operator).get("/admin/")

    assert response.status_code == 200
    assert response.context["own_stores_only"]
    figures = figures_by_label(response, "key_figures")
    assert figures["My stores"].count == 3
    assert statuses_of(response) == {"Active": 1, "At risk": 1, "Suspended": 1, "Deactivated": 0, "Closed": 0}
    assert attention_names(response) == ["Suspended store A", "At-risk store A"]
    assert {row.label: row.stores.count for row in response.context["clients"]} == {
        "Second client A": 2, "Client A": 1}
    assert response.context["without_operator"] is None  # operators do not assign stores
    page = response.content.decode()
    assert "My stores that need attention" in page
    assert "Deactivated store A" not in page and "Unassigned store A" not in page and "Closed store A" not in page


def test_an_operator_with_no_stores_is_told_so(agency_a, portfolio_a, client_as):
    response = client_as(agency_a.idle_operator).get("/admin/")

    assert response.status_code == 200
    assert figures_by_label(response, "key_figures")["My stores"].count == 0
    assert response.context["clients"] == [] and response.context["marketplaces"] == []
    assert "No store is assigned to you yet." in response.content.decode()


def test_a_viewer_reads_the_whole_agency_but_is_not_offered_stores_to_assign(agency_a, portfolio_a, client_as):
    response = client_as(agency_a.viewer).get("/admin/")

    assert response.status_code == 200
    assert figures_by_label(response, "key_figures")["Stores"].count == 6
    assert attention_names(response) == ["Suspended store A", "Deactivated store A", "At-risk store A"]
    assert response.context["without_operator"] is None
    assert "overview-without-operator" not in response.content.decode()


def test_a_manager_with_stores_of_their_own_sees_how_many(agency_a, portfolio_a, client_as):
    add_store(agency_a, "Manager's store A", operator=agency_a.manager)
    response = client_as(agency_a.manager).get("/admin/")

    assert response.context["assigned_to_me"].count == 1
    assert 'id="overview-assigned-to-me"' in response.content.decode()


# -- where the numbers lead --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "operator"])
def test_every_number_opens_the_store_list_of_exactly_the_stores_it_counts(role, agency_a, portfolio_a,
                                                                            client_as):
    browser = client_as(getattr(agency_a, role))
    response = browser.get("/admin/")
    context = response.context
    figures = [*context["key_figures"], *context["statuses"], context["all_needing_attention"]]
    for row in [*context["clients"], *context["marketplaces"]]:
        figures += [row.stores, row.needing_attention]
    if context["without_operator"] is not None:
        figures.append(context["without_operator"])

    assert len(figures) > 10
    for figure in figures:
        store_list = browser.get(figure.url)
        assert store_list.status_code == 200, figure
        assert store_list.context["cl"].result_count == figure.count, (str(figure.label), figure.url)


def test_the_attention_list_shows_the_worst_stores_first_and_links_to_all_of_them(agency_a, client_as):
    for number in range(overview.WORST_STORES + 5):
        status = ("at_risk", "deactivated", "suspended")[number % 3]
        add_store(agency_a, f"{status} {number:02}", status=status)
    response = client_as(agency_a.manager).get("/admin/")

    listed = [(store.status, store.name) for store, _tone in response.context["worst_stores"]]
    assert len(listed) == overview.WORST_STORES
    ranks = [store_statuses.NEEDING_ATTENTION.index(status) for status, _name in listed]
    assert ranks == sorted(ranks)  # suspended, then deactivated, then at risk
    assert listed[0] == ("suspended", "suspended 02")
    assert response.context["all_needing_attention"].count == overview.WORST_STORES + 5
    page = response.content.decode()
    assert 'id="overview-see-all"' in page and f"See all {overview.WORST_STORES + 5}" in page
    assert all(re.search(rf'<tr class="overview-store" data-store="{store.pk}"', page)
               for store, _tone in response.context["worst_stores"])


def test_the_client_breakdown_names_the_biggest_clients_and_counts_the_rest_as_others(agency_a, client_as):
    for number in range(overview.TOP_CLIENTS + 3):
        client = ClientFactory(agency=agency_a.agency, name=f"Client {number:02}")
        for store in range(number + 3):  # the later a client, the more stores: personas' Client A has the fewest
            add_store(agency_a, f"Store {number:02}-{store}", client=client,
                      status="at_risk" if store == 0 else "active")
    response = client_as(agency_a.manager).get("/admin/")

    rows = response.context["clients"]
    assert [row.label for row in rows[:3]] == ["Client 10", "Client 09", "Client 08"]
    assert len(rows) == overview.TOP_CLIENTS + 1
    others = rows[-1]
    assert others.label == "Other clients" and others.note == "4 more" and not others.stores.url
    # Clients 00, 01 and 02 (3, 4 and 5 stores, one at risk each) and the personas' Client A (2 active stores).
    assert (others.stores.count, others.needing_attention.count) == (3 + 4 + 5 + 2, 3)
    assert sum(row.stores.count for row in rows) == figures_by_label(response, "key_figures")["Stores"].count


# -- what other apps add -----------------------------------------------------------------------------------------


def test_contributed_sections_appear_in_their_order_and_one_with_nothing_to_say_is_left_out(agency_a, client_as):
    seen = []

    def alerts(*, request, agency):
        seen.append((request.user, agency))
        return format_html("<p>{}</p>", "Open alerts: 3 <red>")

    def reviews(*, request, agency):
        return format_html("<p>Reviews due: {}</p>", 2)

    def quiet(*, request, agency):
        return ""

    def blank(*, request, agency):
        return "  \n"

    with extensions.overview_sections.contributed(extensions.OverviewSection("Reviews due", 50, reviews)), \
            extensions.overview_sections.contributed(extensions.OverviewSection("Nothing here", 5, quiet)), \
            extensions.overview_sections.contributed(extensions.OverviewSection("Blank", 15, blank)), \
            extensions.overview_sections.contributed(extensions.OverviewSection("Open alerts", 20, alerts)):
        response = client_as(agency_a.operator).get("/admin/")

    page = response.content.decode()
    contributed_here = {"Reviews due", "Nothing here", "Blank", "Open alerts"}  # the apps' own may show too
    assert [title for title, _html in response.context["sections"] if title in contributed_here] == [
        "Open alerts", "Reviews due"]
    assert page.index("Open alerts: 3 &lt;red&gt;") < page.index("Reviews due: 2")
    assert page.index('id="overview-attention"') < page.index("Open alerts: 3")
    assert "Nothing here" not in page and "Blank" not in page
    assert seen == [(agency_a.operator, agency_a.agency)]


def test_a_section_that_returns_plain_text_is_escaped_not_trusted(agency_a, client_as):
    section = extensions.OverviewSection("Careless", 10, lambda *, request, agency: "<script>x()</script>")
    with extensions.overview_sections.contributed(section):
        page = client_as(agency_a.manager).get("/admin/").content.decode()

    assert "&lt;script&gt;x()&lt;/script&gt;" in page and "<script>x()</script>" not in page


# -- the platform's view -----------------------------------------------------------------------------------------


def test_the_platform_view_asks_to_pick_an_agency_and_counts_the_agencies(agency_a, agency_b):
    AgencyFactory(slug="dormant", name="Dormant agency", is_active=False)
    root = UserFactory(email="root@platform.example", is_superuser=True)
    client = DjangoClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = "en"

    response = client.get("/admin/")

    assert response.status_code == 200
    assert response.context["platform"] == {"agencies": 3, "active": 2}
    page = response.content.decode()
    assert "Pick an agency in the switcher" in page
    assert "Assigned store A" not in page and "Unassigned store B" not in page
    assert "key_figures" not in response.context


def test_a_platform_superuser_working_in_an_agency_sees_its_overview(agency_a, agency_b):
    root = UserFactory(email="root@platform.example", is_superuser=True, active_agency=agency_b.agency)
    client = DjangoClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = "en"

    response = client.get("/admin/")

    assert response.status_code == 200
    assert figures_by_label(response, "key_figures")["Stores"].count == 2
    assert "store A" not in response.content.decode()


# -- cost --------------------------------------------------------------------------------------------------------


def add_portfolio(persona, how_many, *, start):
    """``how_many`` stores in one go (``bulk_create``): spread over 40 clients, every marketplace and status, a
    third of them assigned to the persona's operator."""
    statuses = StoreStatus.values
    marketplaces = ["US", "CA", "UK", "DE", "FR", "IT", "ES", "JP"]
    with scopes_disabled():
        clients = list(Client.objects.filter(agency=persona.agency, name__startswith="Bulk client"))
        if not clients:
            clients = Client.objects.bulk_create(
                [Client(agency=persona.agency, name=f"Bulk client {number:02}") for number in range(40)])
        stores = Store.objects.bulk_create([
            Store(agency=persona.agency, client=clients[number % len(clients)], name=f"Bulk store {number:05}",
                  marketplace=marketplaces[number % len(marketplaces)], seller_id=f"BULK{number:010}",
                  status=statuses[number % len(statuses)])
            for number in range(start, start + how_many)
        ])
        StoreAssignment.objects.bulk_create([
            StoreAssignment(agency=persona.agency, store=store, user=persona.operator)
            for number, store in enumerate(stores) if number % 3 == 0
        ])


def queries_of(request):
    request()  # first-call writes (a session's language, a last-seen time) are not the page's cost
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("role", ["manager", "operator"])
def test_the_overview_issues_as_many_queries_for_1000_stores_as_for_10(role, agency_a, client_as,
                                                                      django_assert_max_num_queries):
    browser = client_as(getattr(agency_a, role))

    def page():
        return browser.get("/admin/")

    add_portfolio(agency_a, 10, start=0)
    few, few_response = queries_of(page)
    add_portfolio(agency_a, 990, start=10)
    many, many_response = queries_of(page)

    few_total = figures_by_label(few_response, "key_figures")
    many_total = figures_by_label(many_response, "key_figures")
    if role == "manager":
        assert few_total["Stores"].count == 12 and many_total["Stores"].count == 1002
    else:
        assert few_total["My stores"].count == 1 + 4 and many_total["My stores"].count == 5 + 330
    assert len(many_response.context["worst_stores"]) == overview.WORST_STORES
    assert len(many_response.context["clients"]) == overview.TOP_CLIENTS + 1
    assert few == many
    with django_assert_max_num_queries(MAX_QUERIES):
        page()
