"""Every URL pattern of the project, found by walking Django's URL resolver.

The isolation tests never list routes by hand: they walk ``get_resolver()`` and sort what they find into API
routes (``/api/v1/``) and admin routes (``/admin/``), so a route added later by any app is walked too. A route
that takes an object id is then mapped to its model (a DRF view's queryset or serializer, a ModelAdmin's
model); ``tests/isolation/registry.py`` (from each app's ``tests/<app>/isolation_rows.py``) says which row of
an agency to point the route at. A route whose model
cannot be mapped fails the suite with ``UnmappedRoute`` instead of escaping it.

Two admin routes take rows in their parameters rather than their path, and are walked by what the admins declare:
the autocomplete answers (``/admin/autocomplete/?app_label=&model_name=&field_name=``), once per autocomplete field
of every registered ModelAdmin and of its inlines (``autocomplete_fields``), and every changelist's actions
(``admin_actions``: what ``get_actions`` offers a person), which take the selected rows' ids.
"""

import re
from dataclasses import dataclass
from functools import cached_property

from django.contrib.admin import ModelAdmin
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from rest_framework.relations import ManyRelatedField, RelatedField

API_PREFIX = "/api/v1/"
ADMIN_PREFIX = "/admin/"

_ROUTE_PARAMETER = re.compile(r"<(?:[^>:]+:)?(?P<name>\w+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^()]*\)")
_POSITIONAL_GROUP = re.compile(r"\((?!\?)[^()]*\)")


class UnmappedRoute(AssertionError):
    """A route takes an object id but the suite cannot tell which model, or has no row of that model."""


def is_object_parameter(name):
    """Parameters that carry a row's id (``pk``, ``object_id``, ``store_pk``, ``version_id``); positional
    groups count too. ``app_label`` or a catch-all ``url`` name no row."""
    return isinstance(name, int) or name in {"pk", "id"} or name.endswith(("_pk", "_id"))


@dataclass(frozen=True)
class Route:
    """One URL pattern with the chain of resolvers above it."""

    chain: tuple
    namespace: str

    @property
    def pattern(self):
        return self.chain[-1]

    @property
    def callback(self):
        return self.pattern.callback

    @property
    def name(self):
        """``namespace:name`` as ``reverse()`` takes it, or ``None`` for a nameless pattern."""
        if not self.pattern.name:
            return None
        return f"{self.namespace}:{self.pattern.name}" if self.namespace else self.pattern.name

    @cached_property
    def template(self):
        """The path with its parameters left in, e.g. ``/admin/accounts/store/<path:object_id>/change/``."""
        return "/" + "".join(_readable(p.pattern) for p in self.chain)

    @property
    def label(self):
        return f"{self.name or '(nameless)'} {self.template}"

    @cached_property
    def parameters(self):
        """Names of the keyword parameters, and 0, 1, ... for positional regex groups, in path order."""
        names = []
        position = 0
        for pattern in self.chain:
            if isinstance(pattern.pattern, RoutePattern):
                names += [m["name"] for m in _ROUTE_PARAMETER.finditer(str(pattern.pattern))]
            elif isinstance(pattern.pattern, RegexPattern):
                regex = pattern.pattern.regex
                if regex.groupindex:
                    names += sorted(regex.groupindex, key=regex.groupindex.get)
                else:
                    names += list(range(position, position + regex.groups))
                    position += regex.groups
        return tuple(names)

    @property
    def object_parameters(self):
        return tuple(name for name in self.parameters if is_object_parameter(name))

    def url(self, values):
        """The path with ``values`` (by parameter name or position) filled in; checked against the resolver."""
        position = iter(range(10_000))
        parts = []
        for pattern in self.chain:
            text = str(pattern.pattern)
            if isinstance(pattern.pattern, RoutePattern):
                text = _ROUTE_PARAMETER.sub(lambda m: str(values[m["name"]]), text)
            else:
                text = text.removeprefix("^").removesuffix("$").removesuffix("\\Z")
                text = _NAMED_GROUP.sub(lambda m: str(values[m["name"]]), text)
                text = _POSITIONAL_GROUP.sub(lambda m: str(values[next(position)]), text)
            parts.append(text)
        url = "/" + "".join(parts)
        match = resolve(url)
        assert match.func is self.callback, f"{url} does not resolve to {self.label} but to {match.func}"
        return url

    # -- API views ---------------------------------------------------------------------------------------
    @property
    def view_class(self):
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def methods(self):
        """HTTP methods the route answers, lower case (a viewset's action map, or a view's handlers)."""
        actions = getattr(self.callback, "actions", None)
        if actions:
            return tuple(actions)
        view_class = self.view_class
        if view_class is None:
            return ()
        return tuple(m for m in view_class.http_method_names if m not in {"options", "head"} and hasattr(view_class, m))

    @cached_property
    def api_model(self):
        """The model a DRF view serves: its ``queryset``'s model, else its serializer's ``Meta.model``."""
        view_class = self.view_class
        if view_class is None:
            return None
        queryset = getattr(view_class, "queryset", None)
        if queryset is not None:
            return queryset.model
        serializer_class = self.serializer_class
        return getattr(getattr(serializer_class, "Meta", None), "model", None)

    @cached_property
    def serializer_class(self):
        view_class = self.view_class
        if view_class is None or not hasattr(view_class, "get_serializer_class"):
            return None
        view = view_class(**getattr(self.callback, "initkwargs", {}) or {})
        view.request, view.format_kwarg, view.kwargs = None, None, {}
        view.action = None
        try:
            return view.get_serializer_class()
        except (AssertionError, AttributeError, TypeError):
            return None

    # -- admin views -------------------------------------------------------------------------------------
    @cached_property
    def model_admin(self):
        """The ModelAdmin behind an admin route: ``wrap()``'s ``model_admin``, else the bound view method
        (simple-history's version view, the user admin's password view)."""
        view = self.callback
        while view is not None:
            owner = getattr(view, "model_admin", None) or getattr(view, "__self__", None)
            if isinstance(owner, ModelAdmin):
                return owner
            view = getattr(view, "__wrapped__", None)
        return None


def _readable(pattern):
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        text = text.removeprefix("^").removesuffix("$")
    return text


def walk(urlconf=None):
    """Every URL pattern reachable from the root URLconf (or ``urlconf``), depth first, in resolver order."""

    def descend(patterns, chain, namespaces):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                spaces = namespaces + ((entry.namespace,) if entry.namespace else ())
                yield from descend(entry.url_patterns, chain + (entry,), spaces)
            elif isinstance(entry, URLPattern):
                yield Route(chain=chain + (entry,), namespace=":".join(namespaces))

    return list(descend(get_resolver(urlconf).url_patterns, (), ()))


def api_routes(urlconf=None):
    return [route for route in walk(urlconf) if route.template.startswith(API_PREFIX)]


def admin_routes(urlconf=None):
    return [route for route in walk(urlconf) if route.template.startswith(ADMIN_PREFIX)]


def admin_object_routes(urlconf=None):
    """Admin routes of one row of a model: change, delete, history, simple-history's version view, the
    password form, and the old ``<id>/`` address that redirects to the change form."""
    return [route for route in admin_routes(urlconf) if route.object_parameters and route.model_admin is not None]


def admin_site_object_routes(urlconf=None):
    """Site-wide admin routes that take a row's id without belonging to one ModelAdmin (``view_on_site``)."""
    return [route for route in admin_routes(urlconf) if route.object_parameters and route.model_admin is None]


def reference_fields(serializer_class):
    """``[(field name, relation field, target model, many)]`` of the writable relations of a serializer."""
    if serializer_class is None:
        return []
    found = []
    for name, field in serializer_class().fields.items():
        relation = field.child_relation if isinstance(field, ManyRelatedField) else field
        if field.read_only or not isinstance(relation, RelatedField) or relation.queryset is None:
            continue
        found.append((name, relation, relation.queryset.model, isinstance(field, ManyRelatedField)))
    return found


# -- rows in parameters: autocomplete fields and actions ---------------------------------------------------
@dataclass(frozen=True)
class AutocompleteField:
    """A relation an admin form fills with the autocomplete: ``model``'s field ``field_name``."""

    model: type
    field_name: str

    @property
    def related_model(self):
        return self.model._meta.get_field(self.field_name).related_model

    @property
    def label(self):
        return f"{self.model._meta.label}.{self.field_name}"

    def parameters(self, term=""):
        """The query of ``/admin/autocomplete/`` for this field, as Django's autocomplete widget sends it."""
        return {"app_label": self.model._meta.app_label, "model_name": self.model._meta.model_name,
                "field_name": self.field_name, "term": term}


def autocomplete_fields(admin_site):
    """Every autocomplete field of every ModelAdmin registered on ``admin_site`` and of its inlines, once per
    relation (an admin and an inline may both fill it), in registry order."""
    found = {}
    for model_admin in admin_site._registry.values():
        inlines = [inline(model_admin.model, admin_site) for inline in model_admin.inlines]
        for form_admin in (model_admin, *inlines):
            for name in form_admin.autocomplete_fields:
                found.setdefault((form_admin.model, name), AutocompleteField(form_admin.model, name))
    return list(found.values())


def admin_actions(model_admin, request):
    """The names of the actions ``model_admin``'s changelist offers the person of ``request``."""
    return list(model_admin.get_actions(request))


# -- a list's import and export ------------------------------------------------------------------------------
#: The pages django-import-export adds to a ModelAdmin, by the end of their URL names.
TRANSFER_VIEWS = ("import", "process_import", "export")


def admin_transfer_routes(urlconf=None):
    """The import and export pages of every admin list that has them (``<app>_<model>_import``, ``_process_import``,
    ``_export``): they take no id in their path, but a file of rows, or give one."""
    return [route for route in admin_routes(urlconf)
            if route.model_admin is not None and not route.object_parameters
            and (route.pattern.name or "").endswith(tuple(f"_{view}" for view in TRANSFER_VIEWS))]


def transfer_view(route):
    """``import``, ``process_import`` or ``export``: which of a list's transfer pages ``route`` is."""
    prefix = f"{route.model_admin.model._meta.app_label}_{route.model_admin.model._meta.model_name}_"
    return route.pattern.name.removeprefix(prefix)
