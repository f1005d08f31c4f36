"""The agency's portfolio: clients, stores and who works on them."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils.translation import gettext_lazy as _

from .. import extensions, selectors, services
from ..models import Client, Store, StoreAssignment, User
from ..platform.admin_site import (
    TenantAdmin,
    TenantInline,
    site,
)
from ..platform.ids import object_id_or_none
from ..tenancy import caller_of


@admin.register(Client, site=site)
class ClientAdmin(TenantAdmin):
    list_display = ("name", "legal_name", "contact_name", "contact_email", "store_count")
    search_fields = ("name", "legal_name", "contact_name", "contact_email")
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            store_total=selectors.visible_store_count(caller=caller_of(request)))

    @admin.display(description=_("stores"), ordering="store_total")
    def store_count(self, obj):
        return obj.store_total

    def delete_model(self, request, obj):
        services.client_delete(agency=caller_of(request).agency, client=obj)


class StoreAssignmentInline(TenantInline):
    model = StoreAssignment
    fields = ("user", "created_at")
    readonly_fields = ("created_at",)
    verbose_name = _("assigned operator")
    verbose_name_plural = _("assigned operators")


class OperatorFilter(admin.SimpleListFilter):
    title = _("operator")
    parameter_name = "operator"

    def lookups(self, request, model_admin):
        users = selectors.members(agency=caller_of(request).agency).order_by("email")
        return [("none", _("No operator"))] + [(str(u.pk), str(u)) for u in users]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(assignments__isnull=True)
        if value and object_id_or_none(value) is not None:
            return queryset.filter(assignments__user_id=object_id_or_none(value)).distinct()
        return queryset


class ClientFilter(admin.SimpleListFilter):
    title = _("client")
    parameter_name = "client"

    def lookups(self, request, model_admin):
        clients = TenantAdmin.agency_rows(request, Client.objects.order_by("name"))
        return [(str(client.pk), client.name) for client in clients]

    def queryset(self, request, queryset):
        value = self.value()
        if value and object_id_or_none(value) is not None:
            return queryset.filter(client_id=object_id_or_none(value))
        return queryset


@admin.register(Store, site=site)
class StoreAdmin(TenantAdmin):
    list_display = ("name", "marketplace", "seller_id", "client", "status", "selling_plan", "brand_registered",
                    "operator_list", "registered_on")
    list_filter = ("marketplace", ClientFilter, "status", OperatorFilter, "selling_plan", "brand_registered")
    search_fields = ("name", "seller_id", "client__name")
    list_select_related = ("client",)
    readonly_fields = ("amazon_marketplace_id", "created_at", "updated_at")
    inlines = [StoreAssignmentInline]
    fieldsets = (
        (None, {"fields": ("name", "client", "status")}),
        (_("Seller account"), {"fields": ("marketplace", "amazon_marketplace_id", "seller_id", "registered_on",
                                          "selling_plan", "brand_registered")}),
        (_("Notes"), {"fields": ("notes", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("operators")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The store's page, with the panels other apps contribute (``accounts.extensions.store_panels``)."""
        store = self.get_object(request, unquote(object_id))
        panels = []
        if store is not None:
            panels = [(panel.title, panel.render(request=request, store=store))
                      for panel in extensions.store_panels.contributions()]
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "store_panels": panels})

    @admin.display(description=_("operators"))
    def operator_list(self, obj):
        return ", ".join(str(user) for user in obj.operators.all()) or "—"

    @admin.display(description=_("Amazon marketplace id"))
    def amazon_marketplace_id(self, obj):
        return obj.amazon_marketplace_id or "—"


@admin.register(StoreAssignment, site=site)
class StoreAssignmentAdmin(TenantAdmin):
    list_display = ("store", "user", "created_at")
    list_select_related = ("store", "user")
    search_fields = ("store__name", "user__email")

    def related_choices(self, request, model):
        if model is User:
            return selectors.assignable_people(agency=caller_of(request).agency)
        return super().related_choices(request, model)
