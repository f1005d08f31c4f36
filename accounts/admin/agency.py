"""The agency's own settings page."""

from django.contrib import admin

from ..models import Agency
from ..platform.admin_site import (
    TenantAdmin,
    site,
)
from ..roles import Power
from ..tenancy import caller_of


@admin.register(Agency, site=site)
class AgencyAdmin(TenantAdmin):
    """Owners edit their agency's settings; only the platform creates or removes agencies."""

    write_power = Power.ADMINISTER
    exclude = ()
    list_display = ("name", "slug", "time_zone", "default_language", "is_active")
    search_fields = ("name", "slug")
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        queryset = Agency.objects.all()
        caller = caller_of(request)
        if caller.agency is not None:
            return queryset.filter(pk=caller.agency.pk)
        return queryset if caller.is_platform else queryset.none()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            fields += ["slug", "is_active"]
        return fields

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and caller_of(request).agency is None

    def get_form(self, request, obj=None, change=False, **kwargs):
        # An agency is its own tenant: no agency to preset on it.
        return super(TenantAdmin, self).get_form(request, obj, change=change, **kwargs)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return super(TenantAdmin, self).get_history_queryset(request, history_manager, pk_name, object_id)
