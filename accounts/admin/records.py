"""Base admin of records created then revoked, never edited."""


from ..platform.admin_site import (
    TenantAdmin,
)
from ..roles import Power
from ..tenancy import caller_of


class RevocableRecordAdmin(TenantAdmin):
    """Records that only those who administer the agency see (API keys, invitations): created, then revoked
    with the ``revoke`` action, never edited nor deleted (their audit trail keeps what happened)."""

    write_power = Power.ADMINISTER

    def has_module_permission(self, request):
        caller = caller_of(request)
        return caller.is_platform or caller.can(Power.ADMINISTER)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self._can_write(request):
            actions.pop("revoke", None)
        return actions
