"""Who may call an endpoint: a member or a key of an agency; writes need the view's power (``accounts.roles``)."""

from rest_framework import permissions

from ...roles import Power
from ...tenancy import caller_of


def _is_detail(view):
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
    return bool(lookup and lookup in getattr(view, "kwargs", {}))


class IsAgencyMember(permissions.BasePermission):
    """A caller of an agency (key or member). Reads for all of them; writes need ``power`` (by default: working
    on stores).

    On an object's own route the write check waits until the object was found among the caller's rows, so
    that another agency's id is a 404 for everyone (never a 403 that would confirm it exists).
    """

    power = Power.WORK_ON_STORES

    def has_permission(self, request, view):
        caller = caller_of(request)
        if not request.user or not request.user.is_authenticated or not caller.is_member:
            return False
        if request.method in permissions.SAFE_METHODS or _is_detail(view):
            return True
        return caller.can(self.power)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return caller_of(request).can(self.power)


class ManagesPortfolio(IsAgencyMember):
    """Creating, changing and removing clients and stores: read-write keys, owners and managers."""

    power = Power.MANAGE
