"""The base of every app's API views: the caller's agency, narrowed to what the caller may see."""

from ...tenancy import caller_of
from .permissions import ManagesPortfolio


class TenantViewMixin:
    """Lists and objects of the caller's agency only, narrowed to the caller's stores (operators see their
    assigned stores' rows): another agency's id, or a store's row beyond the caller, is a 404.

    A view returns the rows from a selector that takes the caller (and narrows through the one visibility rule,
    ``accounts.selectors.visible_rows``) in ``get_rows()``; the isolation suite walks every route as an operator
    to prove none forgot::

        class SnapshotViewSet(TenantViewMixin, viewsets.ReadOnlyModelViewSet):
            queryset = HealthSnapshot.objects.none()   # tells the schema and the isolation suite the model

            def get_rows(self):
                return selectors.snapshot_list(agency=self.agency, caller=self.caller)
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
        return self.get_rows()
