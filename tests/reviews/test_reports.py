"""The monthly review's reports: the client report (its content, its HTML page, its PDF with the Chinese text
embedded), its charts, and the cycle's XLSX export."""

import datetime
import io

import openpyxl
import pypdf
import pytest
from django.utils import translation
from django.utils.translation import gettext
from django_scopes import scope

from accounts.tenancy import Caller
from reviews.reports import charts, pdf, xlsx
from reviews.reports.client_report import client_report, report_language
from reviews.reports.html import client_report_html
from tests.factories import ClientFactory, StoreFactory
from tests.health.factories import HealthSnapshotFactory
from tests.reviews.factories import ReviewCycleFactory, StoreReviewFactory

OCTOBER = datetime.date(2026, 10, 1)
CHINESE_CLIENT = "深圳星辰贸易有限公司"
CHINESE_ITEM = "账户健康评级达标"  # tests.reviews.factories.CHECKLIST_ITEMS


def month_summary(**changes):
    """A frozen month in the shape of ``reviews.summary.month_summaries``: a red Late Shipment Rate, an alert still
    open at month end, a case waiting on Amazon and an address proof missing."""
    summary = {
        "month": "2026-10",
        "metrics": {
            "ahr_score": {"month_end": 180, "worst": 150, "colour": "yellow", "change": -20, "days_red": 0,
                          "days_yellow": 12, "days_reported": 31},
            "late_shipment_rate": {"month_end": 0.052, "worst": 0.061, "colour": "red", "change": 0.012,
                                   "days_red": 9, "days_yellow": 4, "days_reported": 31},
            "valid_tracking_rate": {"month_end": 0.991, "worst": 0.97, "colour": "green", "change": 0.0,
                                    "days_red": 0, "days_yellow": 0, "days_reported": 31},
        },
        "ahr": {"month_end": 180, "lowest": 150},
        "alerts": {"opened": {"late_shipment_rate": 2}, "resolved": {"late_shipment_rate": 1},
                   "open_at_month_end": {"late_shipment_rate": 1}},
        "cases": {"opened": 3, "resolved": 1, "waiting_over_24h": 1},
        "chats": {"used": 4, "invalid": 0, "days_frozen": 0},
        "documents": {"missing": ["address_proof"], "expiring": [], "stale": []},
        "red_metrics": ["late_shipment_rate"],
        "computed_at": "2026-11-01T01:00:00+08:00",
    }
    summary.update(changes)
    return summary


def as_owner(persona):
    return Caller.person(agency=persona.agency, user=persona.owner, role="owner")


def as_operator(persona):
    return Caller.person(agency=persona.agency, user=persona.operator, role="operator")


def october_of(agency_a):
    """Agency A's October cycle: its client's two stores reviewed (the operator's store approved with a comment,
    the other submitted), and a Chinese client of one store, in Chinese."""
    agency = agency_a.agency
    cycle = ReviewCycleFactory(agency=agency, month=OCTOBER)
    assigned = StoreReviewFactory(
        store=agency_a.assigned_store, cycle=cycle, status="approved", reviewer=agency_a.operator,
        summary=month_summary(), comment="Late shipments came from one carrier; switched carriers on 20 October.",
        answers={"ahr_on_target": {"answer": "issue_found", "note": "AHR at risk: plan sent."}})
    other = StoreReviewFactory(store=agency_a.other_store, cycle=cycle, status="submitted",
                               summary=month_summary(red_metrics=[]))
    chinese = ClientFactory(agency=agency, name=CHINESE_CLIENT, report_language="zh-hans")
    chinese_store = StoreFactory(agency=agency, client=chinese, name="星辰美国站")
    chinese_review = StoreReviewFactory(store=chinese_store, cycle=cycle, status="approved",
                                        summary=month_summary(), answers={"ahr_on_target": "done"})
    for day in (1, 2, 4, 31):  # the 3rd is missing
        HealthSnapshotFactory(store=chinese_store, date=OCTOBER.replace(day=day), late_shipment_rate=0.01 * day / 10)
    return {"cycle": cycle, "assigned": assigned, "other": other, "chinese": chinese, "chinese_review": chinese_review}


@pytest.fixture
def october(agency_a):
    return october_of(agency_a)


# -- charts (pure) ---------------------------------------------------------------------------------------------
def lsr_chart(values, targets):
    return {"key": "late_shipment_rate", "label": "Late Shipment Rate", "unit": "%",
            "dates": [f"2026-10-{day:02d}" for day in range(1, len(values) + 1)],
            "series": [{"label": "Late Shipment Rate", "role": "value", "values": values},
                       {"label": "Target", "role": "target", "values": targets}]}


def test_a_chart_draws_the_value_solid_and_its_target_dashed():
    svg = charts.chart_svg(lsr_chart([1.0, 2.0, 3.0], [4.0, 4.0, 4.0]), title="LSR")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<polyline") == 2
    assert 'stroke="#dc2626" stroke-width="1.5" stroke-dasharray="5 3"' in svg  # the target
    assert 'stroke="#1d4ed8" stroke-width="1.5"/>' in svg  # the value, solid


def test_a_missing_day_breaks_the_line_instead_of_dropping_to_zero():
    svg = charts.chart_svg(lsr_chart([1.0, 2.0, None, 3.0, 3.5], [4.0] * 5))
    # The value: two runs (days 1-2 and 4-5); the target: one.
    assert svg.count("<polyline") == 3


def test_the_axis_spans_the_target_even_far_above_the_values():
    svg = charts.chart_svg(lsr_chart([0.5, 0.6], [4.0, 4.0]))
    assert ">4.35%<" in svg  # the top label: the target plus a tenth of the span


def test_chart_texts_are_escaped():
    chart = lsr_chart([1.0, 2.0], [4.0, 4.0])
    svg = charts.chart_svg(chart, title='<script>"x"</script>')
    assert "<script>" not in svg


# -- the store's colour (pure) ---------------------------------------------------------------------------------
def test_a_stores_colour_is_the_worst_colour_of_its_metrics():
    assert xlsx.store_colour(month_summary()) == "red"
    assert xlsx.store_colour({"metrics": {"a": {"colour": "green"}, "b": {"colour": "no_data"}}}) == "green"
    assert xlsx.store_colour({}) == "no_data"


# -- the cycle export ------------------------------------------------------------------------------------------
def export_rows(persona, cycle, caller):
    stream = io.BytesIO()
    with scope(agency=persona.agency), translation.override("en"):
        written = xlsx.cycle_xlsx(agency=persona.agency, cycle=cycle, caller=caller, stream=stream)
    stream.seek(0)
    sheet = openpyxl.load_workbook(stream).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert written == len(rows) - 1
    return sheet, [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_export_has_one_row_a_store_review_with_its_frozen_month(agency_a, october):
    sheet, rows = export_rows(agency_a, october["cycle"], as_owner(agency_a))
    assert sheet.title == "2026-10"
    by_store = {row["Store"]: row for row in rows}
    assert set(by_store) == {"Assigned store A", "Unassigned store A", "星辰美国站"}
    row = by_store["Assigned store A"]
    assert row["Client"] == "Client A"
    assert row["Marketplace"] == agency_a.assigned_store.marketplace
    assert row["Reviewer"] == agency_a.operator.full_name
    assert row["Status"] == "Approved"
    assert row["Issues found"] == "No"  # the factory leaves the flag as the workflow would set it
    assert row["Colour"] == "Red"
    assert row["AHR at month end"] == 180
    assert row["Late Shipment Rate"] == pytest.approx(0.052)
    assert row["Valid Tracking Rate"] == pytest.approx(0.991)
    assert row["Order Defect Rate (seller-fulfilled)"] is None  # not in the summary: an empty cell, never 0
    assert (row["Alerts opened"], row["Alerts open at month end"]) == (2, 1)
    assert (row["Cases opened"], row["Cases waiting over 24 hours"]) == (3, 1)
    assert row["Documents missing"] == "Address proof (utility bill)"
    assert by_store["Unassigned store A"]["Reviewer"] is None


def test_the_export_shows_rates_as_percentages_a_spreadsheet_computes_with(agency_a, october):
    sheet, _rows = export_rows(agency_a, october["cycle"], as_owner(agency_a))
    headers = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=headers.index("Late Shipment Rate") + 1)
    assert cell.number_format == xlsx.PERCENT


def test_an_operators_export_holds_only_their_stores_reviews(agency_a, october):
    _sheet, rows = export_rows(agency_a, october["cycle"], as_operator(agency_a))
    assert [row["Store"] for row in rows] == ["Assigned store A"]


def test_a_store_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text(agency_a, october):
    store = StoreFactory(agency=agency_a.agency, client=agency_a.client, name="=HYPERLINK(\"x\")")
    StoreReviewFactory(store=store, cycle=october["cycle"], summary=month_summary())
    _sheet, rows = export_rows(agency_a, october["cycle"], as_owner(agency_a))
    assert "'=HYPERLINK(\"x\")" in [row["Store"] for row in rows]


def test_the_export_reads_the_reviews_in_chunks(agency_a, october, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(xlsx, "CHUNK_SIZE", 2)
    with django_assert_max_num_queries(4):  # the visible stores' narrowing needs none for an owner; 3 rows, 2 chunks
        _sheet, rows = export_rows(agency_a, october["cycle"], as_owner(agency_a))
    assert len(rows) == 3


# -- the client report -----------------------------------------------------------------------------------------
def test_the_report_is_in_the_clients_language_else_the_agencys(agency_a, october):
    assert report_language(october["chinese"]) == "zh-hans"
    agency_a.client.report_language = ""
    agency_a.agency.default_language = "en"
    assert report_language(agency_a.client) == "en"


def report_html(persona, client, caller, month=OCTOBER, **options):
    with scope(agency=persona.agency):
        return client_report_html(agency=persona.agency, caller=caller, client=client, month=month, **options)


def test_the_report_holds_each_stores_frozen_month_reviewer_comment_and_answers(agency_a, october):
    agency_a.client.report_language = "en"
    agency_a.client.save()
    page = report_html(agency_a, agency_a.client, as_owner(agency_a))
    for text in ("Monthly account health report", "Client A", "2026-10", "Assigned store A", "Unassigned store A",
                 "Late Shipment Rate", "5.2%", "6.1%", "Address proof (utility bill)", "operator a",
                 "Late shipments came from one carrier", "AHR at risk: plan sent.", "Issue found",
                 "AHR at or above target", "Not answered", "Cases waiting over 24 hours"):
        assert text in page, text
    assert "星辰美国站" not in page  # another client's store


def test_the_report_charts_each_rate_with_its_target(agency_a, october):
    page = report_html(agency_a, october["chinese"], as_owner(agency_a))
    assert page.count("<svg") >= 2  # the AHR and the rates of the snapshots
    assert 'stroke-dasharray="5 3"' in page  # a target line


def test_an_operators_report_holds_only_their_stores(agency_a, october):
    page = report_html(agency_a, agency_a.client, as_operator(agency_a))
    assert "Assigned store A" in page
    assert "Unassigned store A" not in page


def test_a_month_without_a_cycle_says_there_is_nothing_to_report(agency_a, october):
    agency_a.client.report_language = "en"
    page = report_html(agency_a, agency_a.client, as_owner(agency_a), month=datetime.date(2026, 9, 1))
    assert "has not been opened yet" in page
    assert "Assigned store A" not in page


def test_the_report_takes_the_same_queries_for_one_store_and_for_many(agency_a, october,
                                                                      django_assert_num_queries):
    client = october["chinese"]
    with scope(agency=agency_a.agency), django_assert_num_queries(5) as one:
        client_report(agency=agency_a.agency, caller=as_owner(agency_a), client=client, month=OCTOBER,
                      language="en")
    for number in range(6):
        store = StoreFactory(agency=agency_a.agency, client=client, name=f"Store {number}")
        StoreReviewFactory(store=store, cycle=october["cycle"], summary=month_summary())
        HealthSnapshotFactory(store=store, date=OCTOBER)
    with scope(agency=agency_a.agency), django_assert_num_queries(len(one.captured_queries)):
        report = client_report(agency=agency_a.agency, caller=as_owner(agency_a), client=client, month=OCTOBER,
                               language="en")
    assert len(report.stores) == 7


# -- the PDF ---------------------------------------------------------------------------------------------------
def pdf_text(document):
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document)).pages)


def test_the_pdf_embeds_the_chinese_of_the_report(agency_a, october):
    """Extracted from the PDF, the Chinese text is there as text (a font with its glyphs embedded), not boxes."""
    page = report_html(agency_a, october["chinese"], as_owner(agency_a), for_pdf=True)
    document = pdf.html_to_pdf(page)
    assert document.startswith(b"%PDF")
    text = pdf_text(document)
    with translation.override("zh-hans"):
        heading = gettext("Monthly account health report")
    for chinese in (CHINESE_CLIENT, "星辰美国站", CHINESE_ITEM, heading):
        assert chinese in text, chinese
    fonts = {str(font.get_object()["/BaseFont"]) for page in pypdf.PdfReader(io.BytesIO(document)).pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("CJK" in font for font in fonts), fonts  # Noto Sans CJK, embedded as a subset


def test_without_the_system_packages_the_pdf_names_what_to_install(monkeypatch):
    monkeypatch.setattr(pdf, "_missing_piece", lambda: "WeasyPrint cannot load: libpango-1.0.so.0: not found")
    message = pdf.pdf_missing()
    for package in pdf.PDF_PACKAGES:
        assert package in message
    with pytest.raises(pdf.PdfUnavailable, match="fonts-noto-cjk"):
        pdf.html_to_pdf("<p>x</p>")
