"""The agency's portfolio: clients, stores and who works on them."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from .. import extensions, rules, selectors, services, store_statuses
from ..imports import ClientResource, StoreResource
from ..models import Client, Store, StoreAssignment, User
from ..platform.admin_imports import AgencyImportExportMixin
from ..platform.admin_site import (
    TenantAdmin,
    TenantInline,
    site,
)
from ..platform.ids import object_id_or_none
from ..tenancy import caller_of
from .bulk import AssignStoresAction


@admin.register(Client, site=site)
class ClientAdmin(AgencyImportExportMixin, TenantAdmin):
    resource_classes = [ClientResource]
    list_display = ("name", "legal_name", "contact_name", "contact_email", "report_language", "store_count")
    search_fields = ("name", "legal_name", "contact_name", "contact_email")
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            store_total=selectors.visible_store_count(caller=caller_of(request)))

    @admin.display(description=_("stores"), ordering="store_total")
    def store_count(self, obj):
        return obj.store_total

    def get_deleted_objects(self, objs, request):
        """A client is removed only without stores, as in the API: the confirmation page names the clients that
        still have stores (and nothing is deleted) instead of listing their stores as Django's protected rows."""
        deleted, counts, permissions_needed, protected = super().get_deleted_objects(objs, request)
        refused = selectors.client_removal_errors(agency=caller_of(request).agency, clients=objs)
        if refused:
            # Stores are never deleted, so Django would first say the person may not delete stores: the reason
            # that matters is that the client still has them.
            return deleted, counts, set(), refused
        return deleted, counts, permissions_needed, protected

    def delete_model(self, request, obj):
        services.client_delete(agency=caller_of(request).agency, client=obj)

    def delete_queryset(self, request, queryset):
        for client in queryset:
            services.client_delete(agency=caller_of(request).agency, client=client)


class StoreAssignmentInline(TenantInline):
    model = StoreAssignment
    fields = ("user", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    verbose_name = _("assigned operator")
    verbose_name_plural = _("assigned operators")

    def get_formset(self, request, obj=None, **kwargs):
        """The store's own operators stay valid choices of its rows, also one deactivated in the agency (who keeps
        the stores they had); the autocomplete still offers only the assignable people for a new row."""
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["user"].queryset = selectors.operators_a_store_may_keep(
                agency=caller_of(request).agency, store=obj)
        return formset


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
class StoreAdmin(AgencyImportExportMixin, AssignStoresAction, TenantAdmin):
    resource_classes = [StoreResource]
    # What a person scans a thousand stores by fits a 1280-pixel screen in either language; the seller id rides
    # under the name, and the selling plan, brand registry and dates are one click away on the store's page.
    list_display = ("store_label", "marketplace", "client", "status_label", "operator_list")
    list_filter = ("marketplace", ClientFilter, "status", OperatorFilter, "selling_plan", "brand_registered")
    search_fields = ("name", "seller_id", "client__name")
    list_select_related = ("client",)
    autocomplete_fields = ("client",)
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

    @display(description=_("store"), ordering="name", header=True)
    def store_label(self, obj):
        return obj.name, obj.seller_id

    @display(description=_("status"), ordering="status", label={status.value: tone for status, tone
                                                                 in store_statuses.TONES.items()})
    def status_label(self, obj):
        return obj.status, obj.get_status_display()

    def has_delete_permission(self, request, obj=None):
        """Stores are closed (status "closed"), never deleted: their history, cases and documents stay."""
        return False

    # -- operators write what they own (accounts.rules.store_fields_writable, as in the API) --------------
    def has_change_permission(self, request, obj=None):
        caller = caller_of(request)
        return bool(caller.agency is not None and self._writable_fields(caller))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        caller = caller_of(request)
        if obj is None or caller.can(self.write_power):
            return readonly
        writable = self._writable_fields(caller)
        form_fields = [name for _title, options in self.fieldsets for name in options["fields"]]
        return readonly + [name for name in form_fields if name not in writable and name not in readonly]

    @staticmethod
    def _writable_fields(caller):
        names = [field.name for field in Store._meta.get_fields() if getattr(field, "editable", False)]
        return rules.store_fields_writable(powers=caller.powers, fields=names)

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
    autocomplete_fields = ("store", "user")

    def related_choices(self, request, model):
        if model is User:
            return selectors.assignable_people(agency=caller_of(request).agency)
        return super().related_choices(request, model)
