"""Filters of the health API: the snapshot history's (``?store=&date_after=&date_before=``) and the ``?health=``
filter that the health app adds to the store list (``accounts.extensions.store_filters``, from
``health.contributions``)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Store
from accounts.platform.ids import object_id_or_none
from accounts.selectors import visible_stores
from accounts.tenancy import caller_of

from . import selectors
from .models import HealthSnapshot
from .thresholds import Colour


class StoreChoiceField(forms.ModelChoiceField):
    """A store among those the caller sees, by its id. Another agency's store, one beyond an operator, a word and
    an id out of range get the same error, naming the value."""

    default_error_messages = {"invalid_choice": _("No store you can see has the id “%(value)s”.")}

    def to_python(self, value):
        if value not in self.empty_values and object_id_or_none(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": value})
        return super().to_python(value)


def _stores_of_caller(request):
    """The stores the request's caller sees (none while the schema is generated, without a request)."""
    caller = caller_of(request) if request is not None else None
    if caller is None or caller.agency is None:
        return Store.objects.none()
    return visible_stores(agency=caller.agency, caller=caller)


class StoreFilter(django_filters.ModelChoiceFilter):
    field_class = StoreChoiceField


class SnapshotFilter(django_filters.FilterSet):
    store = StoreFilter(queryset=_stores_of_caller, label=_("store"))
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("from date"))
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("to date"))

    class Meta:
        model = HealthSnapshot
        fields = ["store", "date_after", "date_before"]


def filter_stores_by_health(stores, name, colours):
    """``?health=red&health=yellow``: the stores whose last evaluated colour is one of those (never evaluated:
    "no data")."""
    if not colours:
        return stores
    return selectors.stores_with_health(stores, colours)


def health_store_filter():
    """The ``?health=`` filter of the store list."""
    return django_filters.MultipleChoiceFilter(choices=Colour.choices, method=filter_stores_by_health,
                                               label=_("health"))
