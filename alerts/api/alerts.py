"""Alerts over the API: the list and one alert with its transitions.

* ``GET /api/v1/alerts/?status=&store=&severity=&rule=&kind=&overdue=``
* ``GET /api/v1/alerts/{id}/``

Both read the alerts of the stores the caller sees (an operator: theirs; ``selectors.alert_list``): another agency's
alert, or one of a store beyond an operator, is a 404.
"""

from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.settings import api_settings

from ..filters import AlertFilter
from ..models import Alert
from .access import AlertViewMixin
from .serializers import AlertDetailSerializer, AlertSerializer


class AlertListView(AlertViewMixin, generics.ListAPIView):
    """The alerts of the stores the caller sees (an operator: their stores), newest first, every status unless
    ``status`` narrows them, each with its store, values when it opened and latest, due time, whether it is overdue
    and the moves its status allows.

    Filters: ``status`` (open, acknowledged, resolved), ``store`` (the id of a store the caller sees), ``severity``
    (red, yellow), ``rule`` (a metric's key), ``kind``, each repeatable; ``overdue`` (true: open, unacknowledged and
    past due). A value the list does not take is a 400 naming the parameter."""

    queryset = Alert.objects.none()
    serializer_class = AlertSerializer
    filter_backends = api_settings.DEFAULT_FILTER_BACKENDS
    filterset_class = AlertFilter
    search_fields = ["store__name", "store__seller_id"]
    ordering_fields = ["first_seen_at", "last_seen_at", "due_at"]
    ordering = ["-first_seen_at", "-pk"]

    @extend_schema(summary=_("List alerts"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AlertDetailView(AlertViewMixin, generics.RetrieveAPIView):
    """One alert, with every move of its status (from, to, when, who or what, why), oldest first."""

    queryset = Alert.objects.none()
    serializer_class = AlertDetailSerializer

    @extend_schema(summary=_("Read an alert"))
    def get(self, request, *args, **kwargs):
        alert = self.find_alert()
        return Response(self.get_serializer(self.alerts_with_transitions().get(pk=alert.pk)).data)


# Any word in the id's place, as the other routes of the API take: what is not an id is the same 404.
urlpatterns = [
    path("alerts/", AlertListView.as_view(), name="alert-list"),
    re_path(r"^alerts/(?P<pk>[^/.]+)/$", AlertDetailView.as_view(), name="alert-detail"),
]
