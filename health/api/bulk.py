"""``POST /api/v1/health/snapshots/bulk/``: the ERP's daily metrics, thousands of rows a request.

The body is decoded with msgspec (in C) and the rows go, as plain dicts, through the one validation and upsert of
every source (``health.services.snapshots_upsert``, ``health.ingestion``): no serializer per row. The serializers
below only document the body for the schema.
"""

import msgspec
from django.conf import settings
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.platform.api.exceptions import RequestTooLarge
from accounts.platform.api.parsers import LimitedJSONParser
from accounts.platform.api.permissions import IsAgencyMember
from accounts.tenancy import caller_of

from .. import metrics, services
from ..ingestion import BatchRejected
from ..ingestion.validation import COUNT_MAX, STATUS_MAX_LENGTH
from ..metrics import Kind, ReportStatus
from ..models import Source

SNAPSHOTS = "snapshots"


# -- the documented body -----------------------------------------------------------------------------------------
class WarningStateSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("Amazon's warning type, e.g. spammingSellerMessaging."))
    status = serializers.ChoiceField(choices=ReportStatus.choices)


def _metric_field(metric):
    common = {"required": False, "allow_null": True, "help_text": metric.label}
    if metric.kind == Kind.RATE:
        return serializers.FloatField(min_value=0, max_value=1, **common)
    if metric.kind == Kind.SCORE:
        return serializers.IntegerField(min_value=0, max_value=metrics.AHR_MAX, **common)
    if metric.kind == Kind.COUNT:
        return serializers.IntegerField(min_value=0, max_value=COUNT_MAX, **common)
    if metric.kind == Kind.STATUS:
        return serializers.CharField(max_length=STATUS_MAX_LENGTH, **common)
    return serializers.ListField(child=WarningStateSerializer(), **common)


class SnapshotRowSerializer(serializers.Serializer):
    """One store's metrics on one day. Name the store by ``store`` or by ``seller_id`` + ``marketplace``."""

    store = serializers.IntegerField(required=False, help_text=_("The store's id."))
    seller_id = serializers.CharField(required=False, help_text=_("Amazon's merchant token (with marketplace)."))
    marketplace = serializers.CharField(required=False, help_text=_("A marketplace code (US, DE, ...) or an Amazon "
                                                                    "marketplace id (with seller_id)."))
    date = serializers.DateField(help_text=_("The day of the values, in the marketplace's time zone; not after "
                                             "today there."))

    def get_fields(self):
        fields = super().get_fields()
        for metric in metrics.all_metrics():
            fields[metric.key] = _metric_field(metric)
        return fields


class SnapshotBatchSerializer(serializers.Serializer):
    snapshots = SnapshotRowSerializer(many=True, help_text=_("At most HEALTH_BULK_MAX_ROWS rows (5,000 by "
                                                              "default)."))


class UpsertCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("Snapshots that did not exist."))
    updated = serializers.IntegerField(help_text=_("Snapshots whose values changed."))
    unchanged = serializers.IntegerField(help_text=_("Rows that changed nothing (a replay): not rewritten."))


class RowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("The row's position in snapshots, from 0."))
    field = serializers.CharField(help_text=_("The key of the row in error (a metric, store, seller_id, "
                                              "marketplace, date, or the unknown key)."))
    message = serializers.CharField()


class BatchRejectedSerializer(serializers.Serializer):
    snapshots = RowErrorSerializer(many=True, required=False, help_text=_("Every bad row's errors (nothing was "
                                                                          "written)."))
    detail = serializers.CharField(required=False, help_text=_("Why the body could not be read at all."))


# -- the endpoint -------------------------------------------------------------------------------------------------
def _decoded_batch(body):
    """The rows of the body, decoded; a body that is not ``{"snapshots": [...]}`` is a 400."""
    try:
        decoded = msgspec.json.decode(body)
    except msgspec.DecodeError as error:
        raise exceptions.ParseError(gettext("JSON parse error - %(error)s") % {"error": error}) from None
    except RecursionError:
        # As the platform's JSON parser answers it (accounts.platform.api.parsers.LimitedJSONParser).
        raise exceptions.ParseError(gettext("The JSON body is nested too deeply.")) from None
    if type(decoded) is not dict or type(decoded.get(SNAPSHOTS)) is not list or decoded.keys() - {SNAPSHOTS}:
        raise exceptions.ParseError(gettext('The body is {"snapshots": [...]}: a list of snapshot rows.'))
    return decoded[SNAPSHOTS]


class SnapshotBulkView(APIView):
    """Send many stores' daily metrics at once: ``{"snapshots": [{"store": 12, "date": "2025-03-01",
    "late_shipment_rate": 0.046, ...}, ...]}``.

    Each row names its store by ``store`` (its id) or by ``seller_id`` + ``marketplace``, gives the ``date``
    (the marketplace's day, not after today there) and any metrics of the vocabulary (rates from 0 to 1, the
    AHR score from 0 to 1000, counts of 0 or more; ``null`` is "no data"). A row sets the metrics it names and
    keeps the others stored for that store and day.

    The batch is validated as a whole: one bad row refuses it with a 400 listing every bad row as
    ``{"index", "field", "message"}`` under ``snapshots``, and nothing is written. Otherwise the rows are upserted
    on (store, date) and the answer counts the snapshots created, updated and unchanged; replaying a batch
    changes nothing. More rows than the limit (``HEALTH_BULK_MAX_ROWS``) is a 413. Operators send rows of their
    own stores only; read-only keys and viewers may not send.
    """

    permission_classes = [IsAgencyMember]
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        request=SnapshotBatchSerializer,
        responses={
            200: UpsertCountsSerializer,
            400: OpenApiResponse(BatchRejectedSerializer, _("The batch was refused, every bad row listed; nothing "
                                                            "was written.")),
        },
        summary=_("Send daily metrics in bulk"),
    )
    def post(self, request):
        if not (request.content_type or "").startswith("application/json"):
            raise exceptions.UnsupportedMediaType(request.content_type)
        rows = _decoded_batch(request.body)
        limit = settings.HEALTH_BULK_MAX_ROWS
        if len(rows) > limit:
            raise RequestTooLarge(gettext("At most %(limit)d snapshots a request; this one has %(count)d.")
                                  % {"limit": limit, "count": len(rows)})
        caller = caller_of(request)
        try:
            result = services.snapshots_upsert(agency=caller.agency, rows=rows, source=Source.API, caller=caller)
        except BatchRejected as rejected:
            return Response({SNAPSHOTS: rejected.as_json()}, status=status.HTTP_400_BAD_REQUEST)
        return Response(result.as_json())


urlpatterns = [
    path("health/snapshots/bulk/", SnapshotBulkView.as_view(), name="health-snapshot-bulk"),
]
