"""Inside one agency, an operator sees only the stores assigned to them, over the API and in the admin."""

import re
from urllib.parse import urlencode

import pytest
from django.contrib.admin.utils import get_fields_from_path
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django_scopes import scopes_disabled

from accounts.models import Store, TenantModel
from accounts.platform.admin_site import site
from tests.factories import StoreAssignmentFactory, StoreFactory

from .addresses import admin_object_values, admin_url, api_object_values, change_link, is_redirect_route, listed_ids
from .exposure import leaked
from .registry import TENANT_ROWS, models_narrowed_for_operators, pk_of_no_row, row_beyond_operator, row_of
from .routes import admin_object_routes, api_routes

OPERATORS = ("operator", "idle_operator")


def store_detail(store):
    return reverse("api:store-detail", args=[store.pk])


def test_an_operator_sees_exactly_their_assigned_store(agency_a, api_as, client_as):
    assigned, unassigned = agency_a.assigned_store, agency_a.other_store
    api = api_as(agency_a.operator)
    assert listed_ids(api.get(reverse("api:store-list"))) == {assigned.pk}
    assert listed_ids(api.get(reverse("api:client-list"))) == {agency_a.client.pk}
    assert api.get(store_detail(assigned)).status_code == 200
    assert api.get(store_detail(unassigned)).status_code == 404

    admin = client_as(agency_a.operator)
    stores = admin.get(admin_url(type(assigned), "changelist")).content.decode()
    assert change_link(assigned) in stores
    assert change_link(unassigned) not in stores
    assert admin.get(change_link(assigned)).status_code == 200
    for view in ("change", "history", "delete"):
        assert admin.get(admin_url(type(unassigned), view, unassigned.pk)).status_code == 404, view


def test_an_operator_with_no_assigned_store_sees_no_store(agency_a, api_as, client_as):
    assigned, unassigned = agency_a.assigned_store, agency_a.other_store
    api = api_as(agency_a.idle_operator)
    assert listed_ids(api.get(reverse("api:store-list"))) == set()
    assert listed_ids(api.get(reverse("api:client-list"))) == set()
    for store in (assigned, unassigned):
        assert api.get(store_detail(store)).status_code == 404, store

    admin = client_as(agency_a.idle_operator)
    stores = admin.get(admin_url(type(assigned), "changelist"))
    assert stores.status_code == 200
    assert change_link(assigned) not in stores.content.decode()
    assert change_link(unassigned) not in stores.content.decode()
    for store in (assigned, unassigned):
        for view in ("change", "history", "delete"):
            assert admin.get(admin_url(type(store), view, store.pk)).status_code == 404, (store, view)


@pytest.mark.parametrize("model", models_narrowed_for_operators(), ids=lambda model: model._meta.label)
def test_operators_never_reach_a_row_of_a_store_not_assigned_to_them(model, agency_a, api_as, client_as):
    """Every API route and admin page of ``model`` (found by the walkers): a row that belongs to a store the
    operator is not assigned to is a 404 and is in no list, while the agency's owner does see it."""
    row = row_beyond_operator(model, agency_a)
    api_objects = [r for r in api_routes() if r.object_parameters and r.api_model is model]
    api_lists = [r for r in api_routes() if not r.object_parameters and "get" in r.methods and r.api_model is model]
    admin_pages = [r for r in admin_object_routes() if r.model_admin.model is model and not is_redirect_route(r)]
    assert api_objects or admin_pages or TENANT_ROWS[model].served_through, (
        f"no route serves {model._meta.label}, so nothing was checked")
    assert row_of(model, agency_a) != row, "the operators' own row and the row beyond them must differ"

    owner_api, owner_admin = api_as(agency_a.owner), client_as(agency_a.owner)
    for route in api_objects:
        assert owner_api.get(route.url(api_object_values(route, row))).status_code == 200, route.label
    for route in admin_pages:
        # 403 where the page is nobody's (a store's delete page: stores are closed, never deleted): the row is
        # found, only the page is refused, so the operators' 404 below still says "no such row" to them alone.
        answer = owner_admin.get(route.url(admin_object_values(route, row)))
        never_deleted = ((route.pattern.name or "").endswith("_delete")
                         and not route.model_admin.has_delete_permission(answer.wsgi_request))
        assert answer.status_code == (403 if never_deleted else 200), f"{route.label}: {answer.status_code}"

    for role in OPERATORS:
        api, admin = api_as(agency_a.staff[role]), client_as(agency_a.staff[role])
        for route in api_objects:
            url = route.url(api_object_values(route, row))
            assert api.get(url).status_code == 404, f"GET {url} as A's {role}"
        for route in api_lists:
            answer = api.get(route.url({}))
            assert answer.status_code == 200, f"{route.label} as A's {role}: {answer.status_code}"
            assert row.pk not in listed_ids(answer), f"{route.label} lists it to A's {role}"
        for route in admin_pages:
            url = route.url(admin_object_values(route, row))
            assert admin.get(url).status_code == 404, f"GET {url} as A's {role}"
        if site.is_registered(model):
            changelist = admin.get(admin_url(model, "changelist"))
            assert change_link(row) not in changelist.content.decode(), f"the {model._meta.label} list of A's {role}"


def test_every_model_of_a_store_is_checked_for_operators():
    """A model that hangs off a store (``store_path``) has a row beyond the operators in the registry, so the test
    above walks its routes; a model that does not, has none (operators see its rows like everyone else)."""
    registered = [model for model in TENANT_ROWS if issubclass(model, TenantModel)]
    of_a_store = {model for model in registered if model.store_path is not None}
    assert of_a_store, "no model of a store is registered, so nothing would be checked for operators"
    assert of_a_store == set(models_narrowed_for_operators()), (
        f"give these a beyond_operator row in their app's tests/<app>/isolation_rows.py (or no store_path): "
        f"{sorted(m._meta.label for m in of_a_store ^ set(models_narrowed_for_operators()))}")


def store_filters():
    """``(model, field path)`` of every changelist filter of the admin over a relation to a store (``("store",
    SomeFilter)``, ``"stores"``), found in what each registered ModelAdmin declares, so that a later list with such
    a filter is walked too."""
    found = []
    for model, model_admin in site._registry.items():
        for entry in model_admin.list_filter:
            path = entry[0] if isinstance(entry, (tuple, list)) else entry
            if isinstance(path, str) and get_fields_from_path(model, path)[-1].related_model is Store:
                found.append((model, path))
    return found


def store_parameter_of(changelist, path):
    """The query parameter of the filter over ``path`` of a changelist's answer, as its form sends it."""
    return next(spec.lookup_kwarg for spec in changelist.context["cl"].filter_specs
                if getattr(spec, "field_path", None) == path)


def store_parameter(client, model, path):
    """The query parameter of ``model``'s list filter over ``path``, read from the changelist, not guessed."""
    return store_parameter_of(client.get(admin_url(model, "changelist")), path)


def filtered_by_store(client, model, path, store):
    """The changelist of ``model`` filtered through its filter over ``path`` by ``store`` (a store, or whatever
    was typed into the address), as the filter's own form sends it."""
    value = store.pk if isinstance(store, Store) else store
    return client.get(f"{admin_url(model, 'changelist')}?{urlencode({store_parameter(client, model, path): value})}")


def selected_in_filter(page, store):
    """Whether the filter's select shows ``store`` as the chosen one (its id and its label)."""
    label = re.escape(escape(str(store)))
    return re.search(rf'<option value="{store.pk}"[^>]*selected[^>]*>\s*{label}\s*</option>', page) is not None


def chosen_in_filter(answer, model, path):
    """Whether the select of the store filter over ``path`` has a chosen option (the empty one aside)."""
    parameter = store_parameter_of(answer, path)
    select = re.search(rf'<select name="{re.escape(parameter)}"[^>]*>(.*?)</select>', answer.content.decode(), re.S)
    assert select, f"the {model._meta.label} list has no select named {parameter}"
    return re.search(r'<option value="[^"]+"[^>]*\bselected\b', select.group(1)) is not None


STORE_FILTERS = store_filters()
STORE_FILTER_IDS = [f"{model._meta.label}.{path}" for model, path in STORE_FILTERS]


def test_the_store_filters_are_found():
    """The walkers below have lists to walk."""
    assert STORE_FILTERS, "no changelist filter over a store was found, so no store filter would be checked"


@pytest.mark.parametrize(("model", "path"), STORE_FILTERS, ids=STORE_FILTER_IDS)
def test_a_store_filter_names_no_store_an_operator_does_not_see(model, path, agency_a, client_as):
    """A list filtered by a store the operators are not assigned to (its id typed into the address) shows them
    neither the store's name nor its rows, and is no error; the manager sees the store chosen in the filter and its
    row, and the operator the same for their own store."""
    assert model in models_narrowed_for_operators(), f"{model._meta.label}: a store filter, but no row beyond operators"
    beyond, own = row_beyond_operator(model, agency_a), row_of(model, agency_a)
    other, assigned = agency_a.other_store, agency_a.assigned_store

    manager = filtered_by_store(client_as(agency_a.manager), model, path, other)
    assert manager.status_code == 200, f"the manager's {model._meta.label} list by store: {manager.status_code}"
    assert selected_in_filter(manager.content.decode(), other), f"the manager's {path} filter does not name the store"
    assert change_link(beyond) in manager.content.decode(), f"the manager's {model._meta.label} list by store"

    operator = filtered_by_store(client_as(agency_a.operator), model, path, assigned)
    assert chosen_in_filter(operator, model, path), f"the operator's {path} filter shows no store chosen"
    assert selected_in_filter(operator.content.decode(), assigned), f"the operator's {path} filter, their own store"
    assert change_link(own) in operator.content.decode(), f"the operator's {model._meta.label} list by their own store"

    for role in OPERATORS:
        answer = filtered_by_store(client_as(agency_a.staff[role]), model, path, other)
        where = f"the {model._meta.label} list by a store not assigned to A's {role}"
        assert answer.status_code == 200, f"{where}: {answer.status_code}"
        page = answer.content.decode()
        assert not leaked(page, {other.name}), f"{where} names the store"
        assert not chosen_in_filter(answer, model, path), f"{where} shows a store chosen"
        assert change_link(beyond) not in page, f"{where} links its row"
        assert answer.context["cl"].result_count == 0, f"{where} lists rows"


@pytest.mark.parametrize(("model", "path"), STORE_FILTERS, ids=STORE_FILTER_IDS)
def test_a_store_filter_answers_an_unknown_store_as_one_not_assigned(model, path, agency_a, client_as):
    """An id of no store, and what cannot be an id (a word, a fraction, a number past the ids), are "no such store"
    for everyone: an empty list with nothing chosen, never an error, the same answer an operator gets for a store
    of the agency that is not theirs, so that the answer does not tell which stores exist."""
    row_beyond_operator(model, agency_a), row_of(model, agency_a)
    for role in ("manager", "operator"):
        client = client_as(agency_a.staff[role])
        for value in (pk_of_no_row(Store), "shop", "1.5", "9" * 30, "-1"):
            answer = filtered_by_store(client, model, path, value)
            where = f"the {model._meta.label} list by store {value!r} as A's {role}"
            assert answer.status_code == 200, f"{where}: {answer.status_code} {answer.get('Location', '')}"
            assert answer.context["cl"].result_count == 0, f"{where} lists rows"
            assert not chosen_in_filter(answer, model, path), f"{where} shows a store chosen"


@pytest.mark.parametrize("role", ["manager", "operator"])
@pytest.mark.parametrize(("model", "path"), STORE_FILTERS, ids=STORE_FILTER_IDS)
def test_a_list_filtered_by_store_reads_as_many_queries_for_60_stores_as_for_10(model, path, role, agency_a,
                                                                                 client_as):
    """The filter names the chosen store in one query, whatever the number of stores of the agency or of the person
    (house rule 5)."""
    row_of(model, agency_a)
    client = client_as(agency_a.staff[role])
    user = agency_a.staff[role]

    def queries_with(extra_stores):
        with scopes_disabled():
            for _ in range(extra_stores):
                store = StoreFactory(agency=agency_a.agency, client=agency_a.client)
                StoreAssignmentFactory(agency=agency_a.agency, store=store, user=user)
        filtered_by_store(client, model, path, agency_a.assigned_store)  # a session's first writes are behind it
        with CaptureQueriesContext(connection) as captured:
            answer = filtered_by_store(client, model, path, agency_a.assigned_store)
        assert selected_in_filter(answer.content.decode(), agency_a.assigned_store)
        return len(captured)

    few = queries_with(10)
    many = queries_with(50)
    assert few == many, f"{few} queries with 10 more stores, {many} with 60"
