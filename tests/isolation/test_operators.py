"""Inside one agency, an operator sees only the stores assigned to them, over the API and in the admin."""

import pytest
from django.urls import reverse

from accounts.models import TenantModel
from accounts.platform.admin_site import site

from .addresses import admin_object_values, admin_url, api_object_values, change_link, is_redirect_route, listed_ids
from .registry import TENANT_ROWS, models_narrowed_for_operators, row_beyond_operator, row_of
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
