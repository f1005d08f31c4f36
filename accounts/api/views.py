from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import marketplaces, selectors, services
from ..filters import ClientFilter, StoreFilter
from ..models import Client, Store
from .permissions import IsAgencyMember, ManagesPortfolio
from .serializers import ClientSerializer, StoreSerializer


class AgencyViewMixin:
    """Lists and objects come from a selector for the caller's agency: another agency's id is a 404."""

    permission_classes = [ManagesPortfolio]

    @property
    def agency(self):
        return self.request.agency

    @property
    def operator(self):
        return self.request.tenant.operator


class ClientViewSet(AgencyViewMixin, viewsets.ModelViewSet):
    """The agency's clients (brand owners). A client with stores cannot be deleted."""

    serializer_class = ClientSerializer
    filterset_class = ClientFilter
    search_fields = ["name", "legal_name", "contact_name"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]
    queryset = Client.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Client.objects.none()
        return selectors.client_list(agency=self.agency, operator=self.operator)

    def perform_create(self, serializer):
        serializer.instance = services.client_create(agency=self.agency, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.client_update(agency=self.agency, client=serializer.instance,
                                                     **serializer.validated_data)

    def perform_destroy(self, instance):
        services.client_delete(agency=self.agency, client=instance)


class StoreViewSet(AgencyViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The agency's seller accounts. Stores are not deleted (their history matters): set ``status`` to
    ``closed`` instead."""

    serializer_class = StoreSerializer
    filterset_class = StoreFilter
    search_fields = ["name", "seller_id", "client__name"]
    ordering_fields = ["name", "marketplace", "status", "registered_on", "created_at"]
    ordering = ["name", "marketplace"]
    queryset = Store.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Store.objects.none()
        return selectors.store_list(agency=self.agency, operator=self.operator).prefetch_related("operators")

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
