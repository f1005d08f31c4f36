from rest_framework import permissions

from ..tenancy import request_tenant as _tenant


def _is_detail(view):
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
    return bool(lookup and lookup in getattr(view, "kwargs", {}))


class IsAgencyMember(permissions.BasePermission):
    """A caller of an agency (key or member). Reads for all of them; writes need a read-write key or a role
    that writes.

    On an object's own route the write check waits until the object was found among the caller's rows, so
    that another agency's id is a 404 for everyone (never a 403 that would confirm it exists).
    """

    capability = "can_write"

    def has_permission(self, request, view):
        tenant = _tenant(request)
        if tenant is None or not request.user or not request.user.is_authenticated or not tenant.is_member:
            return False
        if request.method in permissions.SAFE_METHODS or _is_detail(view):
            return True
        return bool(getattr(tenant, self.capability))

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(getattr(_tenant(request), self.capability))


class ManagesPortfolio(IsAgencyMember):
    """Creating, changing and removing clients and stores: read-write keys, owners and managers."""

    capability = "can_manage_portfolio"
