"""Addresses of one row: filling a route's URL parameters for a row, and reading ids back from a list."""

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.views.generic import RedirectView
from simple_history.admin import SimpleHistoryAdmin

from .registry import pk_of_no_row
from .routes import UnmappedRoute


# -- API -------------------------------------------------------------------------------------------------
def api_object_values(route, row, *, absent=False):
    """URL parameters that point ``route`` at ``row`` (or, ``absent``, at an id no row has)."""
    values = {}
    for name in route.parameters:
        if name in ("pk", "id"):
            values[name] = pk_of_no_row(type(row)) if absent else row.pk
        elif isinstance(name, str) and name.endswith(("_pk", "_id")) and hasattr(row, f"{name[:-3]}_id"):
            # A nested route (``stores/<store_pk>/snapshots/<pk>/``): the parent is the row's own parent.
            values[name] = getattr(row, f"{name[:-3]}_id")
        else:
            raise UnmappedRoute(f"{route.label}: the isolation suite does not know how to fill the URL parameter "
                                f"{name!r} from a {type(row).__name__}; teach tests/isolation/addresses.py.")
    return values


def listed_ids(response):
    body = response.json()
    items = body.get("results", body) if isinstance(body, dict) else body
    return {item.get("id", item.get("pk")) for item in items if isinstance(item, dict)}


# -- admin -----------------------------------------------------------------------------------------------
def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def change_link(row):
    return admin_url(type(row), "change", quote(row.pk))


def latest_version(row):
    return row.history.order_by("-history_date", "-history_id").first()


def admin_object_values(route, row):
    """URL parameters that point an admin object page at ``row``."""
    values = {}
    versions = isinstance(route.model_admin, SimpleHistoryAdmin) and (route.pattern.name or "").endswith(
        "_simple_history")
    for name in route.parameters:
        if name in ("object_id", "id", "pk") or (versions and name == 0):
            values[name] = quote(row.pk)
        elif versions and name == 1:
            values[name] = latest_version(row).history_id
        else:
            raise UnmappedRoute(f"{route.label}: the isolation suite does not know how to fill the URL parameter "
                                f"{name!r}; teach tests/isolation/addresses.py.")
    return values


def admin_values_of_no_row(route, model):
    return {name: pk_of_no_row(model) for name in route.parameters if name in ("object_id", "id", "pk", 0)}


def is_redirect_route(route):
    view_class = getattr(route.callback, "view_class", None)
    return view_class is not None and issubclass(view_class, RedirectView)
