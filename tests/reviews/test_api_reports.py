"""The monthly review's downloads over the API: a client's report (PDF by default, the printable page with
format=html) and a cycle's XLSX export; who may download them, and what each caller finds in them."""

import io

import openpyxl
import pypdf
import pytest
from django.urls import reverse

from reviews.reports import pdf
from tests.factories import ClientFactory, StoreFactory
from tests.reviews.factories import ReviewCycleFactory, StoreReviewFactory
from tests.reviews.test_reports import CHINESE_CLIENT, OCTOBER, month_summary, october_of


@pytest.fixture
def october(agency_a):
    return october_of(agency_a)


def report_url(client, **query):
    url = reverse("api:review-client-report", args=[client.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def export_url(cycle):
    return reverse("api:review-cycle-export", args=[cycle.pk])


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def export_stores(response):
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_a_client_report_downloads_as_a_pdf_with_its_chinese_text(agency_a, october, api_as):
    answer = api_as(agency_a.owner).get(report_url(october["chinese"], month="2026-10"))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert "attachment" in answer["Content-Disposition"] and "2026-10.pdf" in answer["Content-Disposition"]
    document = body(answer)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document)).pages)
    assert CHINESE_CLIENT in text and "星辰美国站" in text


def test_the_printable_page_links_its_pdf(agency_a, october, client_as):
    """The admin links here: a signed-in person opens the page in the browser."""
    answer = client_as(agency_a.manager).get(report_url(agency_a.client, month="2026-10", format="html"))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/html")
    page = answer.content.decode()
    assert "Assigned store A" in page and "Unassigned store A" in page
    assert report_url(agency_a.client, month="2026-10", format="pdf").replace("&", "&amp;") in page


def test_without_a_month_the_report_is_of_the_latest_cycle(agency_a, october, api_as):
    ReviewCycleFactory(agency=agency_a.agency, month=OCTOBER.replace(month=9), checklist=october["cycle"].checklist)
    answer = api_as(agency_a.owner).get(report_url(agency_a.client, format="html"))
    assert answer.status_code == 200
    assert "2026-10" in answer.content.decode() and "Assigned store A" in answer.content.decode()


@pytest.mark.parametrize("month", ["2026-13", "October", "2026-1", ""])
def test_a_month_that_is_not_one_is_refused_naming_it(agency_a, october, api_as, month):
    answer = api_as(agency_a.owner).get(report_url(agency_a.client, month=month))
    assert answer.status_code == 400
    assert month in answer.json()["month"][0]


def test_a_format_the_report_has_not_is_refused(agency_a, october, api_as):
    answer = api_as(agency_a.owner).get(report_url(agency_a.client, month="2026-10", format="docx"))
    assert answer.status_code == 400
    assert "docx" in answer.json()["format"][0]


def test_without_the_system_packages_the_pdf_says_what_to_install_and_the_page_still_works(
        agency_a, october, api_as, monkeypatch):
    monkeypatch.setattr(pdf, "_missing_piece", lambda: "WeasyPrint cannot load: libpango-1.0.so.0: not found")
    answer = api_as(agency_a.owner).get(report_url(agency_a.client, month="2026-10"))
    assert answer.status_code == 503
    assert "libpango-1.0-0" in answer.json()["detail"] and "fonts-noto-cjk" in answer.json()["detail"]
    page = api_as(agency_a.owner).get(report_url(agency_a.client, month="2026-10", format="html"))
    assert page.status_code == 200
    assert "fonts-noto-cjk" in page.content.decode()
    assert "format=pdf" not in page.content.decode()


def test_the_report_is_written_in_the_clients_report_language_set_over_the_api(agency_a, october, api_as):
    owner = api_as(agency_a.owner)
    changed = owner.patch(reverse("api:client-detail", args=[agency_a.client.pk]), {"report_language": "zh-hans"},
                          format="json")
    assert changed.status_code == 200 and changed.json()["report_language"] == "zh-hans"
    page = owner.get(report_url(agency_a.client, month="2026-10", format="html")).content.decode()
    assert '<html lang="zh-hans">' in page
    owner.patch(reverse("api:client-detail", args=[agency_a.client.pk]), {"report_language": ""}, format="json")
    agency_a.agency.default_language = "en"
    agency_a.agency.save()
    page = owner.get(report_url(agency_a.client, month="2026-10", format="html")).content.decode()
    assert '<html lang="en">' in page


def test_a_report_language_that_is_not_offered_is_refused(agency_a, api_as):
    answer = api_as(agency_a.owner).patch(reverse("api:client-detail", args=[agency_a.client.pk]),
                                          {"report_language": "fr"}, format="json")
    assert answer.status_code == 400 and "report_language" in answer.json()


# -- the export ------------------------------------------------------------------------------------------------
def test_the_cycle_export_streams_an_xlsx_attachment_of_every_review(agency_a, october, api_as):
    answer = api_as(agency_a.owner).get(export_url(october["cycle"]))
    assert answer.status_code == 200 and answer.streaming
    assert answer["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="reviews-agency-a-2026-10.xlsx"' in answer["Content-Disposition"]
    assert sorted(export_stores(answer)) == ["Assigned store A", "Unassigned store A", "星辰美国站"]


# -- who downloads what ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["viewer", "ro_header", "rw_header", "operator", "manager"])
def test_every_member_and_key_may_download(agency_a, october, api_as, who):
    api = api_as(getattr(agency_a, who))
    assert api.get(export_url(october["cycle"])).status_code == 200
    assert api.get(report_url(agency_a.client, month="2026-10", format="html")).status_code == 200


def test_an_operator_reads_only_their_stores_in_the_report_and_the_export(agency_a, october, api_as):
    operator = api_as(agency_a.operator)
    page = operator.get(report_url(agency_a.client, month="2026-10", format="html")).content.decode()
    assert "Assigned store A" in page and "Unassigned store A" not in page
    assert export_stores(operator.get(export_url(october["cycle"]))) == ["Assigned store A"]


def test_a_client_none_of_whose_stores_an_operator_sees_is_not_found(agency_a, october, api_as):
    for client in (october["chinese"], agency_a.client):
        answer = api_as(agency_a.idle_operator).get(report_url(client, month="2026-10", format="html"))
        assert answer.status_code == 404, client
    answer = api_as(agency_a.operator).get(report_url(october["chinese"], month="2026-10"))
    assert answer.status_code == 404


def test_another_agencys_client_and_cycle_are_not_found(agency_a, agency_b, october, api_as):
    for credential in (agency_b.owner, agency_b.viewer, agency_b.ro_header):
        api = api_as(credential)
        for fmt in ("pdf", "html"):
            answer = api.get(report_url(agency_a.client, month="2026-10", format=fmt))
            assert answer.status_code == 404, (credential, fmt)
            assert "Client A" not in answer.content.decode()
        assert api.get(export_url(october["cycle"])).status_code == 404


def test_an_agency_never_finds_another_agencys_reviews_in_its_own_report(agency_a, agency_b, october, api_as):
    """Agency B's client of the same name has its own report: none of A's stores is in it."""
    cycle_b = ReviewCycleFactory(agency=agency_b.agency, month=OCTOBER)
    StoreReviewFactory(store=agency_b.assigned_store, cycle=cycle_b, summary=month_summary())
    page = api_as(agency_b.owner).get(report_url(agency_b.client, month="2026-10", format="html")).content.decode()
    assert "Assigned store B" in page and "Assigned store A" not in page
    assert export_stores(api_as(agency_b.owner).get(export_url(cycle_b))) == ["Assigned store B"]


def test_a_word_in_the_ids_place_is_not_found(agency_a, api_as):
    api = api_as(agency_a.owner)
    assert api.get("/api/v1/reviews/reports/clients/abc/").status_code == 404
    assert api.get("/api/v1/review-cycles/abc/export/").status_code == 404


def test_signed_out_nobody_downloads(agency_a, october, client):
    assert client.get(report_url(agency_a.client, month="2026-10")).status_code in (401, 403)
    assert client.get(export_url(october["cycle"])).status_code in (401, 403)


def test_a_client_of_unassigned_stores_only_is_beyond_the_operator(agency_a, api_as):
    lonely = ClientFactory(agency=agency_a.agency, name="Lonely client")
    StoreFactory(agency=agency_a.agency, client=lonely, name="Lonely store")
    assert api_as(agency_a.operator).get(report_url(lonely, format="html")).status_code == 404
    assert api_as(agency_a.owner).get(report_url(lonely, format="html")).status_code == 200
