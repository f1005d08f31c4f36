"""Filters every app's API uses: ids in the database's range, ``?search=`` of a bounded number of terms, and
strict reading of every list's filters and ``?ordering=``, their errors on the parameter.

A value a list cannot filter or sort by is a 400 naming the parameter, never silently dropped (which would
answer with the whole list, as if the filter had matched). django-filter's choice, number and date filters are
strict already; its yes-or-no filters are not (Django reads ``?brand_registered=maybe`` as "no filter"), so
``FilterBackend`` makes them strict for every list, whichever FilterSet the view declares.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters as drf_filters
from rest_framework.exceptions import ValidationError

from ..ids import MAX_ID
from ..search import search_terms_error

#: What a yes-or-no query parameter takes, in any case.
BOOLEAN_VALUES = {"true": True, "1": True, "false": False, "0": False}


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number in the range of the database's ids; a larger one is a 400 naming the filter,
    not a database overflow."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class BooleanValueField(forms.NullBooleanField):
    """A yes-or-no query parameter: ``true`` or ``false`` (``1`` or ``0``), in any case; empty leaves the filter
    off; anything else (``maybe``) is an error naming the value."""

    default_error_messages = {"invalid": _("“%(value)s” is not a boolean: use true or false.")}

    def __init__(self, **kwargs):
        # The value as sent: Django's and django-filter's yes-or-no widgets turn a value they do not know into
        # "no filter" before the field sees it.
        kwargs["widget"] = forms.TextInput
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, bool):
            return value
        found = BOOLEAN_VALUES.get(str(value).strip().lower())
        if found is None:
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})
        return found


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, with every yes-or-no filter of the list read strictly (``BooleanValueField``),
    also those of FilterSets that declare ``django_filters.BooleanFilter`` or that apps contribute."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            for list_filter in filterset.filters.values():  # this request's own copies of the class's filters
                if isinstance(list_filter, django_filters.BooleanFilter):
                    list_filter.field_class = BooleanValueField
                    list_filter.__dict__.pop("_field", None)  # a form field built before is built again
        return filterset


class SearchFilter(drf_filters.SearchFilter):
    """DRF's ``?search=``, of at most ``search.MAX_SEARCH_TERMS`` terms, with a refused search (a NUL character, too
    many terms) reported on the ``search`` parameter rather than as a bare list of messages."""

    def get_search_terms(self, request):
        try:
            terms = super().get_search_terms(request)
        except ValidationError as exc:
            raise ValidationError({self.search_param: exc.detail}) from exc
        refused = search_terms_error(len(terms))
        if refused:
            raise ValidationError({self.search_param: [refused]})
        return terms


class OrderingFilter(drf_filters.OrderingFilter):
    """DRF's ``?ordering=name,-status``, strict: an ordering the list does not offer is a 400 on the parameter
    that lists the ones it does (DRF drops it and answers in the default order). The schema lists them too, each
    ascending and (``-``) descending."""

    ordering_description = _("Fields to sort the results by, separated by commas; a leading “-” sorts in "
                             "descending order.")

    def allowed_orderings(self, queryset, view, request=None):
        """The values ``?ordering=`` takes on ``view``'s list: each field, then the same descending."""
        fields = [name for name, _label in self.get_valid_fields(queryset, view, {"request": request})]
        return [term for name in fields for term in (name, f"-{name}")]

    def get_ordering(self, request, queryset, view):
        if len(request.query_params.getlist(self.ordering_param)) > 1:
            # DRF would read the last one only: several orderings go in one value, separated by commas.
            raise ValidationError({self.ordering_param: [
                gettext("Give the ordering once; several fields go in one value, separated by commas.")]})
        return super().get_ordering(request, queryset, view)

    def remove_invalid_fields(self, queryset, fields, view, request):
        allowed = self.allowed_orderings(queryset, view, request)
        terms = [term for term in fields if term]  # "name," asks for name only
        unknown = [term for term in terms if term not in allowed]
        if unknown:
            raise ValidationError({self.ordering_param: [
                gettext("“%(value)s” is not an ordering of this list; use one of: %(allowed)s.")
                % {"value": term, "allowed": ", ".join(allowed)} for term in unknown]})
        return terms

    def get_schema_operation_parameters(self, view):
        queryset = getattr(view, "queryset", None)
        if queryset is None:
            queryset = view.get_queryset()
        allowed = self.allowed_orderings(queryset, view, getattr(view, "request", None))
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.ordering_param:
                # Several orderings go in one value, separated by commas (``?ordering=status,-name``).
                parameter.update(schema={"type": "array", "items": {"type": "string", "enum": allowed}},
                                 style="form", explode=False)
        return parameters
