"""``GET /api/v1/``: the API's endpoints, each list's name with its absolute address (as DRF's API root lists
a router's). Found in the URLconf, so that a route an app adds is listed without being named here."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .permissions import IsAgencyMember


def _takes_parameters(pattern):
    if isinstance(pattern, RoutePattern):
        return bool(pattern.converters)
    return isinstance(pattern, RegexPattern) and pattern.regex.groups > 0


def endpoint_paths(root_name, urlconf=None):
    """``[(name, path)]`` of the routes that take no parameters (the API's lists) in the namespace of the route
    named ``root_name`` (``api:root``), in URLconf order; a route's name is its path below the root's
    (``stores``, ``health/snapshots``)."""
    namespace = root_name.rpartition(":")[0]

    def descend(patterns, namespaces):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from descend(entry.url_patterns, namespaces + ((entry.namespace,) if entry.namespace else ()))
            elif isinstance(entry, URLPattern) and entry.name and not _takes_parameters(entry.pattern):
                yield reverse(":".join((*namespaces, entry.name)), urlconf=urlconf)

    _prefix, namespace_resolver = get_resolver(urlconf).namespace_dict[namespace]
    root = reverse(root_name, urlconf=urlconf)
    paths = dict.fromkeys(descend(namespace_resolver.url_patterns, (namespace,)))  # once each, in order
    return [(path.removeprefix(root).strip("/"), path) for path in paths if path != root]


class ApiRootView(APIView):
    """The API's endpoints: the name of each list, with its address."""

    permission_classes = [IsAgencyMember]

    @extend_schema(summary=_("List the endpoints"), responses=OpenApiResponse(
        {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}},
        _("Each endpoint's name with its absolute address.")))
    def get(self, request):
        endpoints = endpoint_paths(request.resolver_match.view_name, getattr(request, "urlconf", None))
        return Response({name: request.build_absolute_uri(path) for name, path in endpoints})
