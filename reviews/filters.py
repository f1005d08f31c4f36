"""Filters of the review list of the API: ``?month=YYYY-MM&status=&store=&operator=&client=&issues_found=&overdue=``.

Each reads strictly (``accounts.platform.api.filters``): a month that is not ``YYYY-MM``, a status that does not
exist, or a store the caller does not see, is a 400 naming the parameter and the value, never ignored. ``status``
takes several values (``?status=submitted&status=returned``).
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Store
from accounts.platform.api.filters import IdFilter
from accounts.selectors import visible_stores
from accounts.tenancy import caller_of
from health.filters import StoreFilter

from . import workflow
from .models import StoreReview


def _stores_of_caller(request):
    """The stores the request's caller sees (none while the schema is generated, without a request)."""
    caller = caller_of(request) if request is not None else None
    if caller is None or caller.agency is None:
        return Store.objects.none()
    return visible_stores(agency=caller.agency, caller=caller)


class MonthField(forms.CharField):
    """A month written ``YYYY-MM``, as the date of its first day."""

    default_error_messages = {"invalid": _("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2026-10.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return month_of(value, error=ValidationError(self.error_messages["invalid"], code="invalid",
                                                     params={"value": value}))


def month_of(text, *, error):
    """The first day of the month ``text`` (``YYYY-MM``); raises ``error`` for anything else."""
    try:
        parsed = datetime.datetime.strptime(str(text).strip(), "%Y-%m")
    except ValueError:
        raise error from None
    if len(str(text).strip()) != 7:
        raise error
    return parsed.date()


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class ReviewFilter(django_filters.FilterSet):
    month = MonthFilter(field_name="cycle__month", label=_("month"))
    status = django_filters.MultipleChoiceFilter(choices=StoreReview.Status.choices, label=_("status"))
    store = StoreFilter(queryset=_stores_of_caller, label=_("store"))
    operator = IdFilter(field_name="reviewer_id", label=_("reviewer"))
    client = IdFilter(field_name="store__client_id", label=_("client"))
    issues_found = django_filters.BooleanFilter(label=_("issues found"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))

    class Meta:
        model = StoreReview
        fields = ["month", "status", "store", "operator", "client", "issues_found", "overdue"]

    def filter_overdue(self, reviews, name, overdue):
        """``true``: the reviews past their cycle's due day that the reviewer still owes (``workflow.is_overdue``);
        ``false``: the others."""
        agency = caller_of(self.request).agency
        if overdue is None or agency is None:
            return reviews
        today = agency.today()
        late = reviews.filter(cycle__due_on__lt=today, status__in=list(workflow.OWED))
        return late if overdue else reviews.exclude(pk__in=late.values("pk"))
