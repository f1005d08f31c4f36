"""Which row of an agency the isolation suite points the other agency at, per model.

The walkers find a route's model from the URL resolver and look it up here. The rows come from each app's own
module, ``tests/<app>/isolation_rows.py`` (how to write one: ``tests/isolation/rows.py``), found by this module
for every app of the product. A model missing from them fails the suite (``UnmappedRoute``) with a message that
names the file to edit, so that a new route cannot escape it.
"""

import importlib
import importlib.util
import uuid

from django.db.models import Max
from django_scopes import scopes_disabled
from simple_history.models import HistoricalChanges

from .routes import UnmappedRoute

#: The apps of the product, each with (or, before it has models, without) ``tests/<app>/isolation_rows.py``.
PRODUCT_APPS = ("accounts", "documents", "health", "alerts", "cases", "reviews")
#: Models of Django and of libraries that the product's admin serves are registered by the platform's app.
PLATFORM_APP = "accounts"


def registry_file(app_label):
    """The file where the rows of an app's models are registered."""
    return f"tests/{app_label if app_label in PRODUCT_APPS else PLATFORM_APP}/isolation_rows.py"


#: The modules of ``tests/<app>/`` the registry reads: the rows of the app's models, and the payloads of its
#: routes that take rows inside their body (``PAYLOAD_ROUTES``, which an app may keep in a module of their own).
REGISTRY_MODULES = ("isolation_rows", "isolation_payloads")


def payload_file(app_label):
    """The file where an app registers the payloads of its routes that take rows inside their body."""
    return f"tests/{app_label if app_label in PRODUCT_APPS else PLATFORM_APP}/isolation_payloads.py"


def _row_modules():
    modules = []
    for app in PRODUCT_APPS:
        if not importlib.util.find_spec(f"tests.{app}"):
            continue
        for name in REGISTRY_MODULES:
            if importlib.util.find_spec(f"tests.{app}.{name}"):
                modules.append(importlib.import_module(f"tests.{app}.{name}"))
    return modules


ROW_MODULES = _row_modules()
TENANT_ROWS = {model: rows for module in ROW_MODULES for model, rows in getattr(module, "TENANT_ROWS", {}).items()}
PLATFORM_ROWS = {model: rows for module in ROW_MODULES
                 for model, rows in getattr(module, "PLATFORM_ROWS", {}).items()}
# API routes without an object id whose view serves no model, by URL name, with the reason there is no row of
# an agency to point them at. Any other route without a model fails the walker.
MODELLESS_API_ROUTES = {name: reason for module in ROW_MODULES
                        for name, reason in getattr(module, "MODELLESS_API_ROUTES", {}).items()}
# API routes that take rows of the agency inside their body (a bulk batch, a report naming a seller), by URL name,
# each with how to build a payload naming the persona's rows (``rows.PayloadRoute``).
PAYLOAD_ROUTES = {name: entry for module in ROW_MODULES
                  for name, entry in getattr(module, "PAYLOAD_ROUTES", {}).items()}


def is_historical(model):
    """A simple-history audit-trail model (``HistoricalStore``)."""
    return issubclass(model, HistoricalChanges)


def is_registered(model):
    if is_historical(model):
        return model.instance_type in TENANT_ROWS
    return model in TENANT_ROWS or model in PLATFORM_ROWS


def unmapped_message(what, model=None):
    about = f"its model {model.__module__}.{model.__name__}" if model is not None else "its model"
    where = registry_file(model._meta.app_label) if model is not None else "tests/<app>/isolation_rows.py"
    return (f"{what}: the isolation suite cannot find a row to test it with ({about} is unknown). "
            f"Add the model to TENANT_ROWS (or, for a platform model, PLATFORM_ROWS) in {where}, with a "
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
