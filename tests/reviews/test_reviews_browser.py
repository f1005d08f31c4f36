"""The monthly review in a real browser, in Chinese: a manager opens the board, follows the count of submitted reviews
to the list, opens the submitted review and approves it; the page says approved and so does the database. Nothing is
loaded from another host. Screenshots are kept for a person to look at (test-artifacts/screenshots/reviews-*.png)."""

from urllib.parse import urlsplit

import pytest
from django_scopes import scopes_disabled

from reviews.models import ReviewEvent, StoreReview
from tests.browser import (
    chromium,  # noqa: F401  (the browser journeys' fixture)
    save_screenshot,
    screenshot_on_failure,
    sign_in,
)
from tests.reviews.test_admin_board import cycle_of, review_of
from tests.reviews.test_admin_reviews import SUMMARY

pytestmark = pytest.mark.browser
Status = StoreReview.Status


def test_a_manager_opens_the_board_in_chinese_and_approves_a_submitted_review(
        live_server, chromium, agency_a):  # noqa: F811 - the fixture imported above
    page = chromium
    manager = agency_a.manager
    manager.language = "zh-hans"
    manager.save(update_fields=["language"])
    cycle = cycle_of(agency_a, due_in_days=2)
    submitted = review_of(cycle, agency_a.assigned_store, reviewer=agency_a.operator, status=Status.SUBMITTED,
                          summary=SUMMARY, answers={"ahr_on_target": {"answer": "done", "note": ""}})
    review_of(cycle, agency_a.other_store, status=Status.PENDING, summary=SUMMARY)
    own_host = urlsplit(live_server.url).netloc

    with screenshot_on_failure(page, "reviews-approve"):
        sign_in(page, live_server, manager, next_url="/admin/reviews/storereview/board/")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        board = page.locator("#review-board")
        assert board.get_attribute("data-cycle") == str(cycle.pk)
        submitted_count = page.locator("#review-board-status li[data-status=submitted]")
        assert submitted_count.get_attribute("data-count") == "1"
        assert page.locator("#review-board-reviewers li[data-reviewer=queue]").get_attribute("data-count") == "1"
        save_screenshot(page, "reviews-board-zh-hans")

        with page.expect_navigation():
            submitted_count.locator("a").click()
        rows = page.locator("#result_list tbody tr")
        assert rows.count() == 1
        with page.expect_navigation():
            rows.first.locator("a", has_text=agency_a.assigned_store.name).click()
        assert page.locator("#review-status").get_attribute("data-status") == Status.SUBMITTED
        assert page.locator("#review-metrics tr[data-metric=late_shipment_rate]").count() == 1
        save_screenshot(page, "reviews-review-zh-hans")

        with page.expect_navigation():
            page.click("#review-buttons button[value=approve]")
        assert page.locator("#review-status").get_attribute("data-status") == Status.APPROVED
        assert page.locator("#review-buttons").count() == 0
        assert page.locator(f"#review-trail tr[data-to={Status.APPROVED}]").count() == 1
        save_screenshot(page, "reviews-approved-zh-hans")

    with scopes_disabled():
        submitted.refresh_from_db()
        assert submitted.status == Status.APPROVED and submitted.approved_by == manager
        assert ReviewEvent.objects.filter(review=submitted, to_status=Status.APPROVED, actor=manager).count() == 1
    assert page.hosts == {own_host}, f"requests to other hosts: {page.hosts - {own_host}}"
