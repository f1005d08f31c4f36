"""The walkers themselves: every route of the project is mapped, and a route that cannot be mapped fails.

This module doubles as a URLconf (``urlpatterns`` below) holding the project's routes plus routes over a model
the registry does not know, standing for a route some later app adds without extending the suite.
"""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import include, path, reverse
from rest_framework import generics, serializers

from accounts.models import Client, Membership, Store, StoreAssignment
from accounts.platform.admin_site import site
from tests.accounts import isolation_rows as accounts_rows

from .addresses import admin_object_values, api_object_values
from .registry import (
    MODELLESS_API_ROUTES,
    PLATFORM_ROWS,
    ROW_MODULES,
    TENANT_ROWS,
    is_registered,
    registry_file,
    row_of,
    unmapped_message,
)
from .routes import (
    UnmappedRoute,
    admin_actions,
    admin_object_routes,
    admin_site_object_routes,
    api_routes,
    autocomplete_fields,
)
from .test_admin import AUTOCOMPLETE_FIELDS


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
                problems.append(unmapped_message(route.label, model))
        elif route.name not in MODELLESS_API_ROUTES:
            problems.append(f"{route.label}: serves no model and is not in MODELLESS_API_ROUTES of the app's "
                            f"tests/<app>/isolation_rows.py")
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
    assert not unknown, f"add the models of these routes to their app's tests/<app>/isolation_rows.py: {unknown}"
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
    # ContentType is Django's: the platform's (accounts') registry is the file to edit.
    with pytest.raises(UnmappedRoute, match=r"Add the model to TENANT_ROWS .* tests/accounts/isolation_rows\.py"):
        row_of(added[0].api_model, agency_a, what=added[0].label)

    pages = [route for route in admin_object_routes(__name__) if route.model_admin.admin_site is later_admin]
    assert {route.pattern.name for route in pages} >= {"contenttypes_contenttype_change",
                                                       "contenttypes_contenttype_delete"}
    for route in pages:
        with pytest.raises(UnmappedRoute, match="contenttypes.models.ContentType"):
            row_of(route.model_admin.model, agency_a, what=route.label)


def test_an_unmapped_model_of_an_app_names_that_apps_own_registry_file():
    """Each app registers its rows in its own test module: the message tells a developer which one to edit."""

    class HealthModel:
        class _meta:  # noqa: N801 - stands for a model's options
            app_label = "health"

    message = unmapped_message("GET /api/v1/health/snapshots/1/", HealthModel)
    assert "tests/health/isolation_rows.py" in message
    assert registry_file("health") == "tests/health/isolation_rows.py"
    assert registry_file("axes") == registry_file("contenttypes") == "tests/accounts/isolation_rows.py"


def test_the_registry_gathers_the_rows_of_each_apps_own_module():
    assert accounts_rows in ROW_MODULES
    assert Client in accounts_rows.TENANT_ROWS
    assert accounts_rows.TENANT_ROWS.items() <= TENANT_ROWS.items()
    assert accounts_rows.PLATFORM_ROWS.items() <= PLATFORM_ROWS.items()


def test_the_walkers_find_the_autocomplete_fields_and_the_actions_of_the_admin(agency_a, client_as):
    """The isolation tests walk what the admins declare: the portfolio's autocomplete fields (on an admin and on
    an inline) and its bulk actions are among what they find."""
    assert AUTOCOMPLETE_FIELDS == autocomplete_fields(site)
    assert {"accounts.Store.client", "accounts.StoreAssignment.store", "accounts.StoreAssignment.user"} <= {
        field.label for field in AUTOCOMPLETE_FIELDS}
    owner = client_as(agency_a.owner).get(reverse("admin:index")).wsgi_request
    assert "assign_to_operator" in admin_actions(site._registry[Store], owner)
    assert "hand_over_stores" in admin_actions(site._registry[Membership], owner)


def test_an_autocomplete_field_or_an_action_added_later_is_walked(agency_a, client_as):
    """A later app's admin declares an autocomplete field, another on an inline, and an action: the walkers find
    all three without being told, so the isolation tests would ask them as every member of the other agency."""

    class LaterAssignmentInline(admin.TabularInline):
        model = StoreAssignment
        autocomplete_fields = ("user",)

    class LaterStoreAdmin(admin.ModelAdmin):
        autocomplete_fields = ("client",)
        inlines = [LaterAssignmentInline]
        actions = ["close_stores"]

        @admin.action(description="Close the selected stores")
        def close_stores(self, request, queryset):
            queryset.update(status="closed")

    later = admin.AdminSite(name="later_portfolio")
    later.register(Store, LaterStoreAdmin)

    found = autocomplete_fields(later)
    assert {field.label for field in found} == {"accounts.Store.client", "accounts.StoreAssignment.user"}
    assert {field.related_model for field in found} == {Client, type(agency_a.owner)}
    owner = client_as(agency_a.owner).get(reverse("admin:index")).wsgi_request
    assert "close_stores" in admin_actions(later._registry[Store], owner)
