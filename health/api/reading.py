"""Reading a store's health over the API: its latest status, evaluated afresh, and its snapshots' history.

* ``GET /api/v1/stores/{id}/health/``: the latest snapshot's date, the store's colour and worst metric, and every
  metric of the vocabulary with its value, target, colour and reason.
* ``GET /api/v1/health/snapshots/?store=&date_after=&date_before=``: the history, newest first, by cursor.

(``GET /api/v1/stores/?health=red`` is the store list's, contributed by ``health.contributions``.)
"""

from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from accounts.models import Store
from accounts.platform.api.filters import FilterBackend
from accounts.platform.api.mixins import TenantViewMixin
from accounts.platform.api.pagination import HistoryPagination
from accounts.selectors import visible_stores

from .. import selectors
from ..filters import SnapshotFilter
from ..models import HealthSnapshot
from .serializers import SnapshotSerializer, StoreHealthSerializer, store_health_data


class StoreHealthView(TenantViewMixin, generics.RetrieveAPIView):
    """A store's health now: its latest snapshot evaluated by the agency's health policy (a report's own target
    wins for that day), every metric with its value, target, colour and a reason in the caller's language."""

    serializer_class = StoreHealthSerializer
    queryset = Store.objects.none()  # the store is the object: the schema and the isolation suite read it here
    filter_backends = []

    def get_rows(self):
        return visible_stores(agency=self.agency, caller=self.caller)

    @extend_schema(summary=_("Read a store's health"))
    def get(self, request, *args, **kwargs):
        store = self.get_object()
        verdict = selectors.store_health(agency=self.agency, store=store)
        return Response(self.get_serializer(store_health_data(store, verdict)).data)


class SnapshotPagination(HistoryPagination):
    ordering = ("-date", "-pk")


class SnapshotListView(TenantViewMixin, generics.ListAPIView):
    """The daily snapshots of the stores the caller sees (an operator: their stores), newest first, paged by
    cursor. ``store`` must be a store the caller sees; ``date_after`` and ``date_before`` include their day."""

    serializer_class = SnapshotSerializer
    queryset = HealthSnapshot.objects.none()
    filter_backends = [FilterBackend]
    filterset_class = SnapshotFilter
    pagination_class = SnapshotPagination

    def get_rows(self):
        return selectors.snapshot_list(agency=self.agency, caller=self.caller)

    @extend_schema(summary=_("List health snapshots"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


urlpatterns = [
    # Any word in the id's place, as the store list's own routes take: what is not a store's id is the same 404.
    re_path(r"^stores/(?P<pk>[^/.]+)/health/$", StoreHealthView.as_view(), name="store-health"),
    path("health/snapshots/", SnapshotListView.as_view(), name="health-snapshot-list"),
]
