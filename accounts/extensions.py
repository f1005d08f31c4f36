"""The one extension seam: how a higher app adds to what a lower app shows or does, without being imported by it.

``accounts`` imports no domain app (and ``health`` imports neither ``alerts`` nor ``cases``), yet the store list
of the API filters by health, the store's admin page shows alerts and documents, the digest has a section per
app, and ``loaddemo`` loads every app's demo data. The mechanism is Django's app registry and one module
convention, nothing else:

* this module declares the **extension points** below, each with its contract;
* an installed app contributes to them from a module named ``contributions.py`` at its top; that module is
  imported once, for every installed app that has one, in ``INSTALLED_APPS`` order, the first time any
  point is read (as Django's admin finds ``admin.py``);
* a point's ``contributions()`` returns what was contributed to it, in that order.

An app without ``contributions.py`` contributes nothing. A ``contributions.py`` that exists but fails to import
raises, whatever the error (a ``ModuleNotFoundError`` raised inside it too): a broken app is never skipped.

Example, ``health/contributions.py``::

    import django_filters
    from django.utils.translation import gettext_lazy as _

    from accounts import extensions

    from . import demo
    from .filters import filter_stores_by_health
    from .panels import render_health_panel

    extensions.demo_data.contribute(demo.load)
    extensions.store_filters.contribute(
        ("health", django_filters.ChoiceFilter(choices=STATUSES, method=filter_stores_by_health,
                                               label=_("health")))
    )
    extensions.store_panels.contribute(extensions.StorePanel(title=_("Account health"),
                                                             render=render_health_panel))

Tests add a contribution for the length of a block with ``with point.contributed(item): ...``.
"""

import importlib
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.utils.module_loading import module_has_submodule

CONTRIBUTIONS_MODULE = "contributions"


class ExtensionPoint:
    """A named place where apps contribute items of one kind (the ``contract`` says which)."""

    def __init__(self, name, contract):
        self.name = name
        self.contract = contract
        self._items = []

    def __repr__(self):
        return f"<ExtensionPoint {self.name}>"

    def contribute(self, item):
        """Add ``item``; returns it, so that a function can be contributed with ``@point.contribute``."""
        self._items.append(item)
        return item

    def contributions(self):
        """Every item contributed by the installed apps (their ``contributions`` modules are imported first)."""
        discover()
        return tuple(self._items)

    @contextmanager
    def contributed(self, item):
        """Contribute ``item`` for the length of the block (for tests)."""
        discover()
        self._items.append(item)
        try:
            yield item
        finally:
            self._items.remove(item)


@dataclass(frozen=True)
class OverviewSection:
    """A section of the overview page: ``render(*, request, agency) -> str`` gives safe HTML (escaping what it
    shows) or an empty string when the section has nothing for this caller; ``order`` places it (red stores 10,
    open alerts 20, cases waiting for Amazon 30, documents going stale 40, reviews due 50). It reads with a
    fixed number of queries whatever the number of stores."""

    title: str
    order: int
    render: Callable


@dataclass(frozen=True)
class StorePanel:
    """A panel on a store's admin page: a title and ``render(*, request, store) -> str`` (safe HTML that
    escapes what it shows). ``request`` carries the caller (``accounts.tenancy.caller_of``): a panel shows only
    what that caller may see."""

    title: str
    render: Callable


admin_navigation = ExtensionPoint(
    "admin_navigation",
    "an accounts.platform.navigation.NavigationGroup: a group of the admin's sidebar (title, order, items); each "
    "item is shown only to people whose role may open it.",
)
overview_sections = ExtensionPoint(
    "overview_sections",
    "an OverviewSection of the admin's overview page (what needs the person today): shown in its order, each "
    "rendered for the request's caller, or left out when it has nothing for them.",
)
demo_data = ExtensionPoint(
    "demo_data",
    "a callable load(*, agency, people) that adds the app's demo rows to the demo agency; ``people`` maps each "
    "role to the demo users with it. Called inside the agency's scope and one transaction, by ``loaddemo``.",
)
store_filters = ExtensionPoint(
    "store_filters",
    "a pair (name, django_filters.Filter): a query parameter of the store list of the API (/api/v1/stores/); "
    "the filter narrows a queryset of the caller's visible stores.",
)
store_panels = ExtensionPoint(
    "store_panels",
    "a StorePanel shown on a store's admin change page, after its fields.",
)
digest_sections = ExtensionPoint(
    "digest_sections",
    "a callable section(*, agency, recipient, since) -> an object with title, html and text for the recipient's "
    "daily digest email, or None when the app has nothing for them.",
)
health_evaluated = ExtensionPoint(
    "health_evaluated",
    "a callable(*, agency, evaluated) called after the health app evaluated stores and wrote their StoreHealth rows "
    "(``evaluated``: those rows), in the same transaction and agency scope: the alerts app opens, updates and "
    "resolves its alerts from them. It must be safe to call twice with the same rows.",
)
review_sections = ExtensionPoint(
    "review_sections",
    "a callable section(*, agency, store, month) -> an object with title and rows for a store's monthly review, "
    "or None when the app has nothing for that store and month.",
)

_discovery = threading.Lock()
_discovered = False


def discover():
    """Import the ``contributions`` module of every installed app that has one, once."""
    global _discovered
    if _discovered:
        return
    with _discovery:
        if not _discovered:
            import_contributions(apps.get_app_configs())
            _discovered = True


def import_contributions(app_configs):
    """Import the ``contributions`` module of each of ``app_configs`` that has one; return the modules.

    An app without the module is passed over; any error raised while importing one that exists propagates.
    """
    modules = []
    for config in app_configs:
        if module_has_submodule(config.module, CONTRIBUTIONS_MODULE):
            modules.append(importlib.import_module(f"{config.name}.{CONTRIBUTIONS_MODULE}"))
    return modules
