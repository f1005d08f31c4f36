"""The walkers themselves: every route of the project is mapped, and a route that cannot be mapped fails.

This module doubles as a URLconf (``urlpatterns`` below) holding the project's routes plus routes over a model
the registry does not know, standing for a route some later app adds without extending the suite.
"""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import include, path
from rest_framework import generics, serializers

from accounts.models import Client, Store
from accounts.platform.admin_site import site

from .addresses import admin_object_values, api_object_values
from .registry import MODELLESS_API_ROUTES, is_registered, row_of
from .routes import REGISTRY_FILE, UnmappedRoute, admin_object_routes, admin_site_object_routes, api_routes


class ContentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContentType
        fields = ["id", "app_label", "model"]


class ContentTypeDetail(generics.RetrieveAPIView):
    serializer_class = ContentTypeSerializer

    def get_queryset(self):
        return ContentType.objects.all()


later_admin = admin.AdminSite(name="later_admin")
later_admin.register(ContentType)

urlpatterns = [
    path("", include("config.urls")),
    path("api/v1/content-types/<int:pk>/", ContentTypeDetail.as_view(), name="content-type-detail"),
    path("admin/later-app/", later_admin.urls),
]


def problems_of_api_routes(routes):
    problems = []
    for route in routes:
        model = route.api_model
        if route.object_parameters or model is not None:
            if model is None or not is_registered(model):
                problems.append(f"{route.label}: serves {model}, which is not in {REGISTRY_FILE}")
        elif route.name not in MODELLESS_API_ROUTES:
            problems.append(f"{route.label}: serves no model and is not in MODELLESS_API_ROUTES of {REGISTRY_FILE}")
    return problems


def test_every_api_route_maps_to_a_model_of_the_registry():
    routes = api_routes()
    assert {Client, Store} <= {route.api_model for route in routes if route.object_parameters}
    assert not problems_of_api_routes(routes)


def test_every_admin_page_of_one_row_maps_to_a_model_of_the_registry():
    routes = admin_object_routes()
    assert {route.model_admin.model for route in routes} == set(site._registry), (
        "every registered ModelAdmin has pages of one row, and the walker finds them all")
    unknown = [route.label for route in routes if not is_registered(route.model_admin.model)]
    assert not unknown, f"add the models of these routes to {REGISTRY_FILE}: {unknown}"
    site_wide = admin_site_object_routes()
    assert [set(route.parameters) for route in site_wide] == [{"content_type_id", "object_id"}]


def test_the_walkers_fill_every_object_route_for_a_row_of_each_agency(agency_a):
    for route in api_routes():
        if route.object_parameters:
            url = route.url(api_object_values(route, row_of(route.api_model, agency_a, what=route.label)))
            assert url.startswith("/api/v1/")
    for route in admin_object_routes():
        url = route.url(admin_object_values(route, row_of(route.model_admin.model, agency_a, what=route.label)))
        assert url.startswith("/admin/")


@pytest.mark.urls("tests.isolation.test_walker")
def test_a_route_added_later_over_an_unknown_model_fails_the_suite(agency_a):
    """A later app adds an API route and an admin over a model the registry does not know: the walkers find
    both routes, and mapping them fails with a message that tells the developer what to add."""
    added = [route for route in api_routes(__name__) if route.name == "content-type-detail"]
    assert len(added) == 1 and added[0].api_model is ContentType
    assert problems_of_api_routes(added)
    with pytest.raises(UnmappedRoute, match=r"Add the model to TENANT_ROWS .* tests/isolation/registry\.py"):
        row_of(added[0].api_model, agency_a, what=added[0].label)

    pages = [route for route in admin_object_routes(__name__) if route.model_admin.admin_site is later_admin]
    assert {route.pattern.name for route in pages} >= {"contenttypes_contenttype_change",
                                                       "contenttypes_contenttype_delete"}
    for route in pages:
        with pytest.raises(UnmappedRoute, match="contenttypes.models.ContentType"):
            row_of(route.model_admin.model, agency_a, what=route.label)
