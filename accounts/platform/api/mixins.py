"""The base of every app's API views: the caller's agency, narrowed to what the caller may see."""

from ...selectors import visible_rows
from ...tenancy import caller_of
from .permissions import ManagesPortfolio


class TenantViewMixin:
    """Lists and objects of the caller's agency only, narrowed to the caller's stores (operators see their
    assigned stores' rows): another agency's id, or a store's row beyond the caller, is a 404.

    A view names its selector in ``get_rows()``; this mixin filters the result through the one visibility rule
    (``accounts.selectors.visible_rows``), so a view cannot forget it::

        class SnapshotViewSet(TenantViewMixin, viewsets.ReadOnlyModelViewSet):
            queryset = HealthSnapshot.objects.none()   # tells the schema and the isolation suite the model

            def get_rows(self):
                return selectors.snapshot_list(agency=self.agency)
    """

    permission_classes = [ManagesPortfolio]

    @property
    def caller(self):
        return caller_of(self.request)

    @property
    def agency(self):
        return self.caller.agency

    def get_rows(self):
        raise NotImplementedError(f"{type(self).__name__} returns the agency's rows from get_rows()")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or self.agency is None:
            return self.queryset.none()
        return visible_rows(self.get_rows(), caller=self.caller)
