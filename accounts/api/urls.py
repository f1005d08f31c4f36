from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ClientViewSet, MarketplaceListView, StoreViewSet

router = SimpleRouter()
router.register("clients", ClientViewSet, basename="client")
router.register("stores", StoreViewSet, basename="store")

urlpatterns = [
    path("marketplaces/", MarketplaceListView.as_view(), name="marketplace-list"),
    *router.urls,
]
