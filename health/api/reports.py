"""``POST /api/v1/health/reports/``: Amazon's account-health report (``GET_V2_SELLER_PERFORMANCE_REPORT``) as the
ERP got it from the Selling Partner API, for one seller id. Each marketplace of the report goes to the agency's
store with that seller id on that marketplace; a marketplace without one is reported back, not fatal.

The document is read by ``health.amazon_report`` and the rows go through the one validation and upsert of every
source (``health.services.snapshots_upsert``, source ``Source.REPORT``).
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import seller_id_validator
from accounts.platform.api.parsers import LimitedJSONParser
from accounts.platform.api.permissions import IsAgencyMember
from accounts.tenancy import caller_of

from .. import amazon_report, services

SELLER_ID, REPORT_DATE, REPORT = "seller_id", "report_date", "report"

_MESSAGES = {"type": "array", "items": {"type": "string"}}


@extend_schema_field({
    "type": "object",
    "description": _("Amazon's GET_V2_SELLER_PERFORMANCE_REPORT document, unchanged (schema "
                     "accountHealthReport-2020-11-18). Both spellings Amazon has used are read "
                     "(preFulfillmentCancellationRate / prefulfillmentCancelRate, warningStates / warningState, "
                     "documentRequests / documentRequest, ahrStatus / accountHealthRatingStatus), and a numeric "
                     "accountHealthRating.ahrScore where present."),
    "required": ["performanceMetrics"],
    "properties": {
        "accountStatuses": {"type": "array", "items": {
            "type": "object", "required": ["marketplaceId", "status"],
            "properties": {"marketplaceId": {"type": "string"}, "status": {"type": "string"}}}},
        "performanceMetrics": {"type": "array", "items": {
            "type": "object", "required": ["marketplaceId"], "properties": {"marketplaceId": {"type": "string"}},
            "additionalProperties": True}},
    },
    "additionalProperties": True,
})
class AmazonReportField(serializers.JSONField):
    """The report document as Amazon delivers it (read by ``health.amazon_report``)."""


class ReportUploadSerializer(serializers.Serializer):
    seller_id = serializers.CharField(max_length=20, validators=[seller_id_validator], label=_("seller id"),
                                      help_text=_("Amazon's merchant token of the seller account the report is "
                                                  "about."))
    report_date = serializers.DateField(required=False, allow_null=True, label=_("report date"),
                                        help_text=_("The day the report's values are for, in each marketplace; "
                                                    "by default the end of its reporting ranges."))
    report = AmazonReportField(label=_("report"))

    def validate(self, attrs):
        """The document read into one row per marketplace (``marketplace_reports``)."""
        try:
            attrs["marketplace_reports"] = amazon_report.parse_report(attrs[REPORT],
                                                                      report_date=attrs.get(REPORT_DATE))
        except amazon_report.ReportDateMissing as error:
            raise serializers.ValidationError({REPORT_DATE: [str(error)]}) from error
        except amazon_report.ReportInvalid as error:
            raise serializers.ValidationError({REPORT: [str(error)]}) from error
        return attrs


class StoreWrittenSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The store's id."))
    marketplace = serializers.CharField(help_text=_("The store's marketplace code."))
    date = serializers.DateField(help_text=_("The day of the snapshot the report's values went to."))


class UnmatchedMarketplaceSerializer(serializers.Serializer):
    marketplace_id = serializers.CharField(help_text=_("The Amazon marketplace id as the report gives it."))
    marketplace = serializers.CharField(allow_null=True, help_text=_("Its marketplace code; null for a "
                                                                     "marketplace the product does not know."))
    message = serializers.CharField(help_text=_("Why nothing was written for it."))


class ReportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("Snapshots created."))
    updated = serializers.IntegerField(help_text=_("Snapshots changed."))
    unchanged = serializers.IntegerField(help_text=_("Snapshots that already held these values (a replay)."))
    stores = StoreWrittenSerializer(many=True, help_text=_("The stores the report's marketplaces went to."))
    unmatched = UnmatchedMarketplaceSerializer(many=True, help_text=_(
        "The report's marketplaces without a store of this seller id that the caller works on."))


REFUSED = OpenApiResponse(
    {"type": "object", "properties": {SELLER_ID: _MESSAGES, REPORT_DATE: _MESSAGES, REPORT: _MESSAGES},
     "additionalProperties": {"oneOf": [_MESSAGES, {"type": "string"}]}},
    _("Nothing was written. report: the document is not such a report, or a value of it was refused (each message "
      "starts with the value's JSON path, e.g. performanceMetrics[0].lateShipmentRate.rate); report_date: the "
      "date is after today in a marketplace, or the report gives none; seller_id: no store with this seller id "
      "is on any marketplace of the report."),
)


class HealthReportView(APIView):
    """Load Amazon's account-health report (``GET_V2_SELLER_PERFORMANCE_REPORT``) of one seller account.

    Send the document exactly as Amazon delivered it in ``report``, with the ``seller_id`` it is about and,
    optionally, the ``report_date`` its values are for (by default the end of its reporting ranges). Each entry
    of ``performanceMetrics`` goes to the agency's store with this seller id on the entry's marketplace (its
    ``marketplaceId``), as that day's snapshot; ``accountStatuses`` gives each store's account status, also of a
    marketplace that has no metrics. Only the metrics the report carries are set; each keeps the report's own
    target and status.

    A marketplace without such a store (or with one the caller does not work on) is listed in ``unmatched`` and
    the others are still written. When no marketplace of the report has one, nothing is written and the answer
    is a 400 on ``seller_id``. A document that is not such a report, or a value that is refused, is a 400 naming
    its JSON path, and nothing is written. Sending the same report again changes nothing (all ``unchanged``).
    """

    permission_classes = [IsAgencyMember]
    # The document is nested JSON as Amazon delivers it: a form's fields cannot carry it.
    parser_classes = [LimitedJSONParser]

    @extend_schema(summary=_("Load Amazon's account-health report"), request=ReportUploadSerializer,
                   responses={200: ReportResultSerializer, 400: REFUSED})
    def post(self, request):
        serializer = ReportUploadSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        caller = caller_of(request)
        loaded = services.report_load(
            agency=caller.agency, caller=caller, seller_id=serializer.validated_data[SELLER_ID],
            reports=serializer.validated_data["marketplace_reports"],
            report_date_given=serializer.validated_data.get(REPORT_DATE) is not None)
        return Response(ReportResultSerializer({
            "created": loaded.result.created, "updated": loaded.result.updated, "unchanged": loaded.result.unchanged,
            "stores": [{"id": store.pk, "marketplace": store.marketplace, "date": report.date}
                       for report, store in loaded.matched],
            "unmatched": loaded.unmatched,
        }).data)


urlpatterns = [
    path("health/reports/", HealthReportView.as_view(), name="health-report"),
]
