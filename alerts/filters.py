"""Filters of the alert list of the API: ``?status=&store=&severity=&rule=&kind=&overdue=`` (``?ordering=`` is the
platform's).

Each reads strictly (``accounts.platform.api.filters``): a status, severity, rule or kind that does not exist, or a
store the caller does not see, is a 400 naming the parameter and the value, never ignored. ``status``, ``severity``,
``rule`` and ``kind`` take several values (``?status=open&status=acknowledged``).
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.models import Store
from accounts.selectors import visible_stores
from accounts.tenancy import caller_of
from health import metrics
from health.filters import StoreFilter

from . import selectors
from .models import Alert
from .rules import AlertKind


def _stores_of_caller(request):
    """The stores the request's caller sees (none while the schema is generated, without a request)."""
    caller = caller_of(request) if request is not None else None
    if caller is None or caller.agency is None:
        return Store.objects.none()
    return visible_stores(agency=caller.agency, caller=caller)


class AlertFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Alert.Status.choices, label=_("status"))
    store = StoreFilter(queryset=_stores_of_caller, label=_("store"))
    severity = django_filters.MultipleChoiceFilter(choices=Alert.Severity.choices, label=_("severity"))
    rule = django_filters.MultipleChoiceFilter(choices=metrics.CHOICES, label=_("rule"))
    kind = django_filters.MultipleChoiceFilter(choices=AlertKind.choices, label=_("kind"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))

    class Meta:
        model = Alert
        fields = ["status", "store", "severity", "rule", "kind", "overdue"]

    def filter_overdue(self, alerts, name, overdue):
        """``true``: the open alerts past their due time that nobody acknowledged (``selectors.overdue``); ``false``:
        the others."""
        if overdue is None:
            return alerts
        late = selectors.overdue(alerts)
        return late if overdue else alerts.exclude(pk__in=late.values("pk"))
