"""The client report as a standalone printable HTML page: styles and charts inline, nothing fetched, so that the page
a person prints and the PDF made from it (``reports.pdf``) are the same page. Written in the client's report language
(``client_report.report_language``), whatever the reader's own language.
"""

import zoneinfo

from django.template.loader import render_to_string
from django.utils import timezone, translation

from .client_report import client_report, report_language

TEMPLATE = "reviews/report/client.html"


def client_report_html(*, agency, caller, client, month, for_pdf=False, pdf_url="", pdf_missing=""):
    """The report of ``client`` for ``month`` (a first day) as ``caller`` sees it, as an HTML document (a ``str``).

    On screen it offers ``pdf_url`` (the PDF of the same report) or, where the PDF cannot be made on this server,
    says why (``pdf_missing``); ``for_pdf`` leaves that bar out.
    """
    language = report_language(client)
    with translation.override(language):
        report = client_report(agency=agency, caller=caller, client=client, month=month, language=language)
        generated_at = timezone.localtime(report.generated_at, zoneinfo.ZoneInfo(agency.time_zone))
        return render_to_string(TEMPLATE, {
            "report": report, "generated_at": generated_at, "for_pdf": for_pdf, "pdf_url": pdf_url,
            "pdf_missing": pdf_missing,
        })
