"""The cycle export: one XLSX row per store review of a cycle, for the agency's own spreadsheets.

* One row a review the caller sees (an operator: the reviews of their stores), in the order of the board: by client,
  then store. Columns: store, client, marketplace, reviewer, status, issues found, the store's colour at month end
  (the worst of its metrics' colours, ``health.thresholds.SEVERITY``), the AHR at month end, each metric's month-end
  value in the vocabulary's order (rates as percentages the spreadsheet can compute with), alerts opened in the month
  and still open at its end, cases opened and waiting for Amazon longer than 24 hours, and the appeal documents
  missing at month end, by their labels.
* Every number comes from the review's frozen month (``StoreReview.summary``): the export reads what was signed.
* Memory stays flat whatever the number of stores: openpyxl's write-only workbook streams each row to a temporary
  file as it is written, and the reviews are read in chunks of ``CHUNK_SIZE`` as plain values (no model instances).
* Headers and labels are in the active language; no text is written as a formula
  (``accounts.platform.spreadsheets.spreadsheet_text``).
"""

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from accounts.platform.spreadsheets import spreadsheet_text
from documents import types
from health import metrics
from health.thresholds import SEVERITY, Colour

from .. import selectors
from ..models import StoreReview

#: Reviews read from the database at a time.
CHUNK_SIZE = 500
#: The metrics with a column of their own: every metric of the vocabulary but the AHR, which comes first.
EXPORTED_METRICS = tuple(metric for metric in metrics.all_metrics() if metric.key != "ahr_score")
PERCENT = "0.00%"

_FIELDS = ("store__name", "store__client__name", "store__marketplace", "reviewer__full_name", "reviewer__email",
           "status", "issues_found", "summary")


def store_colour(summary):
    """The store's colour at month end: the worst colour of its metrics in ``summary``; no data without any."""
    colours = [row.get("colour") for row in (summary.get("metrics") or {}).values() if isinstance(row, dict)]
    known = [colour for colour in colours if colour in Colour.values]
    return max(known, key=lambda colour: SEVERITY[colour], default=Colour.NO_DATA)


def _headers():
    return [
        gettext("Store"), gettext("Client"), gettext("Marketplace"), gettext("Reviewer"), gettext("Status"),
        gettext("Issues found"), gettext("Colour"), gettext("AHR at month end"),
        *[str(metric.label) for metric in EXPORTED_METRICS],
        gettext("Alerts opened"), gettext("Alerts open at month end"), gettext("Cases opened"),
        gettext("Cases waiting over 24 hours"), gettext("Documents missing"),
    ]


def _metric_cell(sheet, metric, value):
    """A metric's month-end value as a cell: rates as numbers shown in percent, warnings by their BAD types."""
    if value is None:
        return None
    if metric.kind == metrics.Kind.RATE and isinstance(value, (int, float)):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = PERCENT
        return cell
    if isinstance(value, (int, float)):
        return value
    return spreadsheet_text(metrics.display_value(metric.key, value))


def _document_label(code):
    found = types.built_in(code)
    return str(found.label) if found is not None else code


def _row(sheet, review, *, yes, no):
    summary = review["summary"] or {}
    stored = summary.get("metrics") or {}
    alerts, cases = summary.get("alerts") or {}, summary.get("cases") or {}
    missing = (summary.get("documents") or {}).get("missing") or []
    return [
        spreadsheet_text(review["store__name"]),
        spreadsheet_text(review["store__client__name"]),
        review["store__marketplace"],
        spreadsheet_text(review["reviewer__full_name"] or review["reviewer__email"] or ""),
        str(StoreReview.Status(review["status"]).label),
        yes if review["issues_found"] else no,
        str(Colour(store_colour(summary)).label),
        (summary.get("ahr") or {}).get("month_end"),
        *[_metric_cell(sheet, metric, (stored.get(metric.key) or {}).get("month_end")) for metric in EXPORTED_METRICS],
        sum((alerts.get("opened") or {}).values()),
        sum((alerts.get("open_at_month_end") or {}).values()),
        cases.get("opened", 0),
        cases.get("waiting_over_24h", 0),
        spreadsheet_text(", ".join(_document_label(code) for code in missing)),
    ]


def cycle_reviews(*, agency, cycle, caller):
    """The values of each review of ``cycle`` that ``caller`` sees, in the export's order, read ``CHUNK_SIZE`` at a
    time (one query per chunk on SQLite, one server-side cursor on PostgreSQL)."""
    reviews = (selectors.review_list(agency=agency, caller=caller).filter(cycle=cycle)
               .order_by("store__client__name", "store__name", "pk").values(*_FIELDS))
    return reviews.iterator(chunk_size=CHUNK_SIZE)


def cycle_xlsx(*, agency, cycle, caller, stream):
    """Write the export of ``cycle`` (of ``agency``) as ``caller`` sees it to ``stream`` (a writable, seekable
    binary file); returns the number of store rows written. The caller checked that ``cycle`` is the agency's."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=cycle.month.strftime("%Y-%m"))
    bold = Font(bold=True)
    header = []
    for text in _headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.freeze_panes = "B2"
    sheet.append(header)
    yes, no = gettext("Yes"), gettext("No")
    written = 0
    for review in cycle_reviews(agency=agency, cycle=cycle, caller=caller):
        sheet.append(_row(sheet, review, yes=yes, no=no))
        written += 1
    book.save(stream)
    return written
