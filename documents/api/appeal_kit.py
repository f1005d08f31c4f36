"""A store's appeal kit over the API: ``GET /api/v1/stores/{id}/appeal-kit/``."""

from django.urls import re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from accounts.models import Store
from accounts.selectors import visible_stores

from .. import selectors
from .access import LibraryViewMixin
from .serializers import AppealKitSerializer, appeal_kit_data


class StoreAppealKitView(LibraryViewMixin, generics.RetrieveAPIView):
    """A store's appeal kit: for each document type the agency requires ready and fresh (the policy's kit), its
    state (ready, expiring_soon, expired, stale or missing) and the freshest document of the type that serves the
    store, with the last day it is good and why; then the types missing, stale (or expired) and expiring soon,
    and whether the whole kit is ready."""

    queryset = Store.objects.none()  # the store is the object: the schema and the isolation suite read it here
    serializer_class = AppealKitSerializer

    def get_rows(self):
        return visible_stores(agency=self.agency, caller=self.caller)

    @extend_schema(summary=_("Read a store's appeal kit"))
    def get(self, request, *args, **kwargs):
        store = self.get_object()
        kit = selectors.appeal_kit(agency=self.agency, store=store, catalogue=self.catalogue)
        return Response(AppealKitSerializer(appeal_kit_data(store=store, kit=kit, catalogue=self.catalogue)).data)


urlpatterns = [
    # Any word in the id's place, as the store list's own routes take: what is not a store's id is the same 404.
    re_path(r"^stores/(?P<pk>[^/.]+)/appeal-kit/$", StoreAppealKitView.as_view(), name="store-appeal-kit"),
]
