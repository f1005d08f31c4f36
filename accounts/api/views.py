from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import marketplaces, selectors, services
from ..filters import ClientFilter, store_filterset
from ..models import Client, Store
from ..platform.api.mixins import TenantViewMixin
from ..platform.api.permissions import IsAgencyMember
from .serializers import ClientSerializer, StoreSerializer


class ClientViewSet(TenantViewMixin, viewsets.ModelViewSet):
    """The agency's clients (brand owners). A client with stores cannot be deleted."""

    serializer_class = ClientSerializer
    filterset_class = ClientFilter
    search_fields = ["name", "legal_name", "contact_name"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]
    queryset = Client.objects.none()

    def get_rows(self):
        return selectors.client_list(agency=self.agency, caller=self.caller)

    def perform_create(self, serializer):
        serializer.instance = services.client_create(agency=self.agency, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.client_update(agency=self.agency, client=serializer.instance,
                                                     **serializer.validated_data)

    def perform_destroy(self, instance):
        services.client_delete(agency=self.agency, client=instance)


class StoreViewSet(TenantViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The agency's seller accounts. Stores are not deleted (their history matters): set ``status`` to
    ``closed`` instead. Operators change the ``notes`` and ``status`` of the stores assigned to them; changing
    anything else is for those who manage the portfolio."""

    serializer_class = StoreSerializer
    search_fields = ["name", "seller_id", "client__name"]
    ordering_fields = ["name", "marketplace", "status", "registered_on", "created_at"]
    ordering = ["name", "marketplace"]
    queryset = Store.objects.none()

    @property
    def filterset_class(self):
        return store_filterset()

    def get_permissions(self):
        if self.action in ("update", "partial_update"):
            # Working on a store one sees is enough to change it; which fields, the serializer asks the rule
            # (``rules.store_fields_writable``). Adding stores is managing the portfolio.
            return [IsAgencyMember()]
        return super().get_permissions()

    def get_rows(self):
        return selectors.store_list(agency=self.agency, caller=self.caller)

    def perform_create(self, serializer):
        serializer.instance = services.store_create(agency=self.agency, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.store_update(agency=self.agency, store=serializer.instance,
                                                    **serializer.validated_data)


class MarketplaceSerializer(serializers.Serializer):
    code = serializers.CharField()
    amazon_id = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField()
    time_zone = serializers.CharField()
    domain = serializers.CharField()


class MarketplaceListView(APIView):
    """Amazon marketplaces the product knows, with their marketplace ids, regions and time zones."""

    permission_classes = [IsAgencyMember]

    @extend_schema(responses=MarketplaceSerializer(many=True), summary=_("List marketplaces"))
    def get(self, request):
        rows = [
            {"code": m.code, "amazon_id": m.amazon_id, "name": str(m.name), "region": str(m.region),
             "time_zone": m.time_zone, "domain": m.domain}
            for m in marketplaces.all_marketplaces()
        ]
        return Response(MarketplaceSerializer(rows, many=True).data)
