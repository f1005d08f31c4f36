"""The platform's own records and the audit trails of the accounts models."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from ..models import Agency, ApiKey, Client, Invitation, Membership, PlatformAccess, Store, StoreAssignment
from ..platform.admin_site import (
    ReadOnlyAdminMixin,
    RowsOutsideQuerysetNotFound,
    ThemeModelAdmin,
    register_audit_trail,
    site,
)


class SuperuserOnlyMixin(RowsOutsideQuerysetNotFound):
    """The platform's own records: no agency's staff see them, and to them every row's page is a 404."""

    platform_record = True  # listed in the sidebar's Platform group

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if self.has_module_permission(request) else queryset.none()

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)



@admin.register(PlatformAccess, site=site)
class PlatformAccessAdmin(SuperuserOnlyMixin, ReadOnlyAdminMixin, ThemeModelAdmin):
    list_display = ("at", "user", "method", "path")
    list_filter = ("method",)
    search_fields = ("user__email", "path")
    date_hierarchy = "at"


for _model, _admin in ((AccessAttempt, AccessAttemptAdmin), (AccessLog, AccessLogAdmin),
                       (AccessFailureLog, AccessFailureLogAdmin)):
    site.register(_model, type(_admin.__name__, (SuperuserOnlyMixin, _admin, ThemeModelAdmin), {}))

for _model in (Agency, Membership, Invitation, Client, Store, StoreAssignment, ApiKey):
    register_audit_trail(_model)
