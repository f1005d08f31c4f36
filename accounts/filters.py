import django_filters
from django.utils.translation import gettext_lazy as _

from . import marketplaces
from .models import Client, Store, StoreStatus


class StoreFilter(django_filters.FilterSet):
    marketplace = django_filters.MultipleChoiceFilter(choices=marketplaces.CHOICES, label=_("marketplace"))
    status = django_filters.MultipleChoiceFilter(choices=StoreStatus.choices, label=_("status"))
    client = django_filters.NumberFilter(field_name="client_id", label=_("client"))
    seller_id = django_filters.CharFilter(label=_("seller id"))
    brand_registered = django_filters.BooleanFilter(label=_("brand registered"))

    class Meta:
        model = Store
        fields = ["marketplace", "status", "client", "seller_id", "brand_registered"]


class ClientFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name"))

    class Meta:
        model = Client
        fields = ["name"]
