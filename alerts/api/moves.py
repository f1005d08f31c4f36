"""Acknowledging and resolving an alert over the API.

* ``GET|POST /api/v1/alerts/{id}/acknowledge/``: whether the alert can be acknowledged now; acknowledging it (with
  an optional ``note``);
* ``GET|POST /api/v1/alerts/{id}/resolve/``: whether it can be resolved now; resolving it (a ``note`` is required:
  400 on ``note`` without one).

A move goes through ``services.alert_acknowledge`` / ``services.alert_resolve``. One the alert's status does not
allow (``services.MOVES``: a resolved alert, an acknowledged one acknowledged again) is a 409 whose body names the
current status and the moves it allows. Operators move only the alerts of their stores (any other is a 404); viewers
and read-only keys get a 403.
"""

from django.core.exceptions import ValidationError
from django.urls import re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from .. import services
from ..models import Alert
from ..powers import WORK_ON_ALERTS
from .access import AlertViewMixin
from .serializers import (
    AlertDetailSerializer,
    MoveRefusedSerializer,
    MoveSerializer,
    MoveStateSerializer,
    allowed_moves,
)

NOTE_REQUIRED = OpenApiResponse(
    {"type": "object", "properties": {"note": {"type": "array", "items": {"type": "string"}}}},
    _("The note is missing (to resolve) or too long."))
REFUSED = OpenApiResponse(MoveRefusedSerializer, _(
    "The alert's status does not allow the move: the body names the current status and the moves it allows."))


class AlertMoveView(AlertViewMixin, generics.GenericAPIView):
    """A move of one alert (``to_status``, made by ``service``)."""

    queryset = Alert.objects.none()
    serializer_class = MoveSerializer
    http_method_names = ["get", "post", "options"]
    to_status = None
    service = None

    def state(self, alert):
        moves = allowed_moves(alert)
        may = self.caller.can(WORK_ON_ALERTS)  # a viewer or a read-only key reads, never moves
        return MoveStateSerializer({"id": alert.pk, "status": alert.status, "allowed_moves": moves,
                                    "allowed": may and str(self.to_status) in moves}).data

    def read(self, request):
        return Response(self.state(self.find_alert()))

    def move(self, request):
        alert = self.find_alert()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            self.service(agency=self.agency, caller=self.caller, alert=alert,
                               note=serializer.validated_data["note"])
        except ValidationError as error:
            if "status" not in getattr(error, "message_dict", {}):
                raise
            current = self.get_rows().get(pk=alert.pk)  # as the refusing service found it, under its lock
            return Response({"status": error.message_dict["status"], "current_status": current.status,
                             "allowed_moves": allowed_moves(current)}, status=status.HTTP_409_CONFLICT)
        moved = self.alerts_with_transitions().get(pk=alert.pk)
        return Response(AlertDetailSerializer(moved, context=self.get_serializer_context()).data)


class AcknowledgeView(AlertMoveView):
    """Whether the alert can be acknowledged now; acknowledging it."""

    to_status = Alert.Status.ACKNOWLEDGED
    service = staticmethod(services.alert_acknowledge)

    @extend_schema(summary=_("Read whether an alert can be acknowledged"), responses=MoveStateSerializer)
    def get(self, request, *args, **kwargs):
        return self.read(request)

    @extend_schema(summary=_("Acknowledge an alert"), responses={200: AlertDetailSerializer, 409: REFUSED})
    def post(self, request, *args, **kwargs):
        """Say that someone is on the alert (it stops its escalation), with an optional ``note``, recorded as the
        transition's reason. Only an open alert can be acknowledged."""
        return self.move(request)


class ResolveView(AlertMoveView):
    """Whether the alert can be resolved now; resolving it."""

    to_status = Alert.Status.RESOLVED
    service = staticmethod(services.alert_resolve)

    @extend_schema(summary=_("Read whether an alert can be resolved"), responses=MoveStateSerializer)
    def get(self, request, *args, **kwargs):
        return self.read(request)

    @extend_schema(summary=_("Resolve an alert"),
                   responses={200: AlertDetailSerializer, 400: NOTE_REQUIRED, 409: REFUSED})
    def post(self, request, *args, **kwargs):
        """Resolve the alert by hand, saying why in ``note`` (required), recorded as the transition's reason. An
        open or acknowledged alert can be resolved; if the metric is still red, the next evaluation opens a new
        alert."""
        return self.move(request)


urlpatterns = [
    re_path(r"^alerts/(?P<pk>[^/.]+)/acknowledge/$", AcknowledgeView.as_view(), name="alert-acknowledge"),
    re_path(r"^alerts/(?P<pk>[^/.]+)/resolve/$", ResolveView.as_view(), name="alert-resolve"),
]
