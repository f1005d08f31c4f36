"""The board leads to what a manager hands over: each client's report of the month (its printable page) and the
cycle's XLSX export, both for what the reader sees."""

import datetime
import re

from tests.reviews.factories import ReviewCycleFactory, StoreReviewFactory

BOARD = "/admin/reviews/storereview/board/"


def test_the_board_links_each_clients_report_of_the_month_and_the_cycles_export(agency_a, client_as):
    cycle = ReviewCycleFactory(agency=agency_a.agency, month=datetime.date(2026, 10, 1))
    StoreReviewFactory(agency=agency_a.agency, cycle=cycle, store=agency_a.assigned_store)
    client = client_as(agency_a.manager)

    page = client.get(f"{BOARD}?cycle={cycle.pk}").content.decode()

    report = f"/api/v1/reviews/reports/clients/{agency_a.assigned_store.client_id}/?month=2026-10&amp;format=html"
    export = f"/api/v1/review-cycles/{cycle.pk}/export/"
    assert report in page and export in page
    opened = client.get(report.replace("&amp;", "&"))
    assert opened.status_code == 200 and agency_a.assigned_store.name in opened.content.decode()
    downloaded = client.get(export)
    assert downloaded.status_code == 200 and "spreadsheetml" in downloaded["Content-Type"]
    assert re.search(r'id="review-board-export"', page)
