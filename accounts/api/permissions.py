from rest_framework import permissions


def _tenant(request):
    return getattr(request._request, "tenant", None)


class IsAgencyMember(permissions.BasePermission):
    """A caller of an agency (key or member). Reads for all of them; writes need a read-write key or a role
    that writes. Objects of other agencies never reach here: querysets are filtered, so they are 404."""

    def has_permission(self, request, view):
        tenant = _tenant(request)
        if tenant is None or not request.user or not request.user.is_authenticated or not tenant.is_member:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return tenant.can_write


class ManagesPortfolio(IsAgencyMember):
    """Creating, changing and removing clients and stores: read-write keys, owners and managers."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return _tenant(request).can_manage_portfolio
