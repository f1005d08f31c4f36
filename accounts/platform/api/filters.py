"""Filters every app's API uses: ids in the database's range, and ``?search=`` of a bounded number of terms,
its errors on the parameter."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters as drf_filters
from rest_framework.exceptions import ValidationError

from ..ids import MAX_ID
from ..search import search_terms_error


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number in the range of the database's ids; a larger one is a 400 naming the filter,
    not a database overflow."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


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
