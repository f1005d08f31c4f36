"""Filters of the store and client lists of the API. Other apps add store filters through the extension seam
(``accounts.extensions.store_filters``, e.g. ``?health=red``)."""

import copy
import functools

import django_filters
from django.utils.translation import gettext_lazy as _

from . import extensions, marketplaces
from .models import Client, Store, StoreStatus
from .platform.api.filters import IdFilter


class StoreFilter(django_filters.FilterSet):
    marketplace = django_filters.MultipleChoiceFilter(choices=marketplaces.CHOICES, label=_("marketplace"))
    status = django_filters.MultipleChoiceFilter(choices=StoreStatus.choices, label=_("status"))
    client = IdFilter(field_name="client_id", label=_("client"))
    seller_id = django_filters.CharFilter(label=_("seller id"))
    brand_registered = django_filters.BooleanFilter(label=_("brand registered"))

    class Meta:
        model = Store
        fields = ["marketplace", "status", "client", "seller_id", "brand_registered"]


def store_filterset():
    """``StoreFilter`` with the filters contributed by the installed apps."""
    return _store_filterset(extensions.store_filters.contributions())


@functools.cache
def _store_filterset(contributed):
    if not contributed:
        return StoreFilter
    clashes = {name for name, _filter in contributed} & set(StoreFilter.base_filters)
    if clashes:
        raise ValueError(f"store filters contributed under names the store list has already: {sorted(clashes)}")
    filters = {name: copy.deepcopy(store_filter) for name, store_filter in contributed}
    return type("StoreFilter", (StoreFilter,), filters)


class ClientFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name"))

    class Meta:
        model = Client
        fields = ["name"]
