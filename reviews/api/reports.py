"""The monthly review's downloads (/api/v1/...):

* GET reviews/reports/clients/{client id}/?month=YYYY-MM&format=pdf|html: a client's report of one month, as a PDF
  (the default) or as the printable HTML page (what the admin links to); in the client's report language.
* GET review-cycles/{cycle id}/export/: the cycle's XLSX export, one row a store review.

Both read what the caller sees: another agency's client or cycle, or a client none of whose stores an operator
sees, is a 404 like an id that exists nowhere; an operator's report and export hold their own stores' reviews only.
Every member and key of the agency may download them (viewers too): they change nothing.
"""

import datetime
import re
import tempfile
from io import BytesIO
from urllib.parse import urlencode

from django.http import FileResponse, Http404, HttpResponse
from django.urls import re_path, reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.models import Client
from accounts.platform.api.mixins import TenantViewMixin
from accounts.platform.api.permissions import IsAgencyMember
from accounts.platform.ids import object_id_or_none
from accounts.selectors import client_list

from ..models import ReviewCycle
from ..reports import pdf, xlsx
from ..reports.html import client_report_html

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
FORMATS = ("pdf", "html")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: An export up to this size stays in memory before the response streams it; a larger one spills to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


class ReportFormats(BaseContentNegotiation):
    """Here "format" names the report's file (html or pdf), not one of DRF's renderers: errors answer in JSON
    whatever it says, and an Accept header asking for a PDF is not refused."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DownloadViewMixin(TenantViewMixin):
    permission_classes = [IsAgencyMember]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = ReportFormats
    filter_backends = []
    pagination_class = None
    http_method_names = ["get", "options"]

    def find(self):
        """The row of the route (``pk``) among ``get_rows()``; else a 404."""
        row_id = object_id_or_none(self.kwargs.get("pk"))
        if row_id is None or self.agency is None:
            raise Http404
        row = self.get_rows().filter(pk=row_id).first()
        if row is None:
            raise Http404
        return row


def month_of(text):
    """The first day of the month ``text`` names (``YYYY-MM``); a 400 naming the value otherwise."""
    found = MONTH_PATTERN.match(text or "")
    if found and 1 <= int(found[2]) <= 12 and int(found[1]) >= 1:
        return datetime.date(int(found[1]), int(found[2]), 1)
    raise exceptions.ValidationError({"month": [
        gettext("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2026-10.") % {"value": text}]})


def default_month(agency):
    """The month a report is of when none is asked for: the agency's latest cycle, else last month (the one the 1st
    opens), in the agency's time zone."""
    latest = ReviewCycle.objects.filter(agency=agency).order_by("-month").values_list("month", flat=True).first()
    return latest or (agency.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def file_name(*parts, extension):
    """A download's file name from ``parts`` (a client's name may hold any character a file name may not)."""
    try:
        stem = get_valid_filename("-".join(str(part) for part in parts))
    except Exception:  # noqa: BLE001 (SuspiciousFileOperation: nothing usable left of the name)
        stem = "report"
    return f"{stem}.{extension}"


REPORT_PARAMETERS = [
    OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The client's id.")),
    OpenApiParameter("month", OpenApiTypes.STR, description=_(
        "The month reported, as YYYY-MM; by default the agency's latest review cycle.")),
    OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMATS), description=_(
        "pdf (the default): the PDF, as an attachment; html: the printable page.")),
]


class ClientReportView(DownloadViewMixin, generics.GenericAPIView):
    """A client's monthly report: every store of the client reviewed in the month's cycle that the caller sees, with
    its frozen month (metrics with charts and targets, alerts, cases and chats, appeal documents), its reviewer, status
    and comment and the checklist's answers, in the client's report language (else the agency's). A PDF by default;
    the printable HTML page with format=html. Where the server cannot make PDFs (the system packages of WeasyPrint are
    missing) the PDF answers 503 naming the packages to install, and the HTML page still works."""

    queryset = Client.objects.none()

    def get_rows(self):
        return client_list(agency=self.agency, caller=self.caller)

    @extend_schema(summary=_("Download a client's monthly report"), parameters=REPORT_PARAMETERS, responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, _("The report as a PDF attachment.")),
        (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, _("The report as a printable HTML page.")),
        400: OpenApiResponse(description=_("The month or the format is not one: the error names it.")),
        503: OpenApiResponse(description=_("The server cannot make PDFs; the message names what to install.")),
    })
    def get(self, request, *args, **kwargs):
        client = self.find()
        wanted = request.query_params.get("format") or "pdf"
        if wanted not in FORMATS:
            raise exceptions.ValidationError({"format": [
                gettext("“%(value)s” is not a format of the report: use pdf or html.") % {"value": wanted}]})
        asked = request.query_params.get("month")
        month = month_of(asked) if asked is not None else default_month(self.agency)
        missing = pdf.pdf_missing()
        if wanted == "html":
            query = urlencode({"month": month.strftime("%Y-%m"), "format": "pdf"})
            page = client_report_html(
                agency=self.agency, caller=self.caller, client=client, month=month,
                pdf_url="" if missing else f"{reverse('api:review-client-report', args=[client.pk])}?{query}",
                pdf_missing=missing)
            return HttpResponse(page, content_type="text/html; charset=utf-8")
        if missing:
            return Response({"detail": missing}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        page = client_report_html(agency=self.agency, caller=self.caller, client=client, month=month, for_pdf=True)
        return FileResponse(BytesIO(pdf.html_to_pdf(page)), as_attachment=True, content_type="application/pdf",
                            filename=file_name(client.name, month.strftime("%Y-%m"), extension="pdf"))


class CycleExportView(DownloadViewMixin, generics.GenericAPIView):
    """A review cycle's XLSX export for the agency: one row a store review the caller sees (an operator: their
    stores'), with the store, client, marketplace, reviewer, status, whether issues were found, the store's colour,
    the AHR and each metric at month end, the alerts opened and still open, the cases and the appeal documents
    missing, all from the reviews' frozen months."""

    queryset = ReviewCycle.objects.none()

    def get_rows(self):
        return ReviewCycle.objects.filter(agency=self.agency)

    @extend_schema(summary=_("Download a review cycle's export"), parameters=[
        OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The cycle's id.")),
    ], responses={(200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, _("The XLSX workbook, as an attachment."))})
    def get(self, request, *args, **kwargs):
        cycle = self.find()
        stream = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        xlsx.cycle_xlsx(agency=self.agency, cycle=cycle, caller=self.caller, stream=stream)
        stream.seek(0)
        return FileResponse(stream, as_attachment=True, content_type=XLSX_TYPE,
                            filename=file_name("reviews", self.agency.slug, cycle.month.strftime("%Y-%m"),
                                               extension="xlsx"))


# Any word in an id's place, as the other routes of the API take: what is not an id is the same 404.
urlpatterns = [
    re_path(r"^reviews/reports/clients/(?P<pk>[^/.]+)/$", ClientReportView.as_view(), name="review-client-report"),
    re_path(r"^review-cycles/(?P<pk>[^/.]+)/export/$", CycleExportView.as_view(), name="review-cycle-export"),
]
