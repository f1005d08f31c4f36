"""The health pages in a real browser: a manager opens the portfolio dashboard, picks the red stores, opens one and
sees its trend charts drawn by the Chart.js we serve, nothing loaded from another host; in English and in Chinese,
with screenshots kept for a person to look at (test-artifacts/screenshots/health-*.png)."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.utils import translation

from health import services
from health.models import Source
from tests.browser import save_screenshot, screenshot_on_failure, sign_in
from tests.factories import ClientFactory, StoreFactory

pytestmark = pytest.mark.browser

DAYS = 60


def history(persona):
    """60 days of metrics for A's stores and three more: the assigned store's Late Shipment Rate climbs past 4%
    (red), another's Valid Tracking Rate comes close to 95% (yellow), the rest stay green; all evaluated."""
    agency = persona.agency
    more = [StoreFactory(agency=agency, client=ClientFactory(agency=agency, name=f"Client {name}"), name=name,
                         marketplace=marketplace)
            for name, marketplace in (("Harbor Home US", "US"), ("Peak Outdoor JP", "JP"), ("Jade Kitchen UK", "UK"))]
    stores = [persona.assigned_store, persona.other_store, *more]
    last = agency.today() - datetime.timedelta(days=1)
    rows = []
    for number, store in enumerate(stores):
        for day in range(DAYS):
            late = 0.01 + (0.04 * day / DAYS if number == 0 else 0.002 * (day % 3))
            tracking = 0.99 - (0.036 * day / DAYS if number == 1 else 0.001 * (day % 4))
            rows.append({"store": store.pk, "date": (last - datetime.timedelta(days=DAYS - 1 - day)).isoformat(),
                         "ahr_score": 280 - (day if number == 0 else day % 5), "account_status": "NORMAL",
                         "late_shipment_rate": round(late, 4), "valid_tracking_rate": round(tracking, 4),
                         "odr_mfn": 0.003, "cancel_rate": 0.004, "ip_complaints": 0})
    with persona.scope():
        services.snapshots_upsert(agency=agency, rows=rows, source=Source.API)
        services.store_health_evaluate(agency=agency, store_ids=[store.pk for store in stores])


def charts_drawn(page):
    """How many of the page's trend canvases Chart.js has drawn."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('#health-panel canvas'))
        .filter(canvas => window.Chart && window.Chart.getChart(canvas)).length""")


def test_a_manager_finds_the_red_store_and_sees_its_trend_charts_in_english_and_chinese(
        live_server, chromium, agency_a):  # noqa: F811 - the fixture imported above
    page = chromium
    manager = agency_a.manager
    manager.language = "en"
    manager.save(update_fields=["language"])
    history(agency_a)
    own_host = urlsplit(live_server.url).netloc

    with screenshot_on_failure(page, "health-dashboard"):
        sign_in(page, live_server, manager, next_url="/admin/health/storehealth/")
        assert page.locator("h1, #content h2").first.is_visible()
        rows = page.locator("#result_list tbody tr")
        assert rows.count() == 5
        assert "Assigned store A" in rows.first.inner_text()
        save_screenshot(page, "health-dashboard-en")

        with page.expect_navigation():
            page.click("#health-counts a[data-colour=red]")
        assert "colour=red" in page.url
        assert rows.count() == 1 and "Late Shipment Rate" in rows.first.inner_text()

        with page.expect_navigation():
            rows.first.locator("a").first.click()
        page.wait_for_function("() => document.querySelectorAll('#health-panel canvas[data-drawn]').length > 0")
        assert charts_drawn(page) >= 4

        with page.expect_navigation():
            page.click(f"a[href='/admin/accounts/store/{agency_a.assigned_store.pk}/change/']")
        panel = page.locator("#health-panel")
        panel.scroll_into_view_if_needed()
        page.wait_for_function("() => document.querySelectorAll('#health-panel canvas[data-drawn]').length > 0")
        assert charts_drawn(page) == page.locator("#health-panel canvas").count() >= 4
        assert "Late Shipment Rate 4.93% ≥ target 4.0%" in panel.inner_text()
        page.locator(".health-periods").scroll_into_view_if_needed()
        save_screenshot(page, "health-store-charts-en")

        with page.expect_navigation():
            page.click(".health-periods a:has-text('30 days')")
        assert "health_days=30" in page.url
        page.wait_for_function("() => document.querySelectorAll('#health-panel canvas[data-drawn]').length > 0")

        # The same pages in Chinese.
        with page.expect_navigation():
            page.select_option("select#language-select", label="简体中文")
        with translation.override("zh-hans"):
            portfolio_health = translation.gettext("Portfolio health")
        page.goto(f"{live_server.url}/admin/health/storehealth/")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert portfolio_health in page.content()
        save_screenshot(page, "health-dashboard-zh-hans")
        page.goto(f"{live_server.url}/admin/accounts/store/{agency_a.assigned_store.pk}/change/")
        page.locator(".health-periods").scroll_into_view_if_needed()
        page.wait_for_function("() => document.querySelectorAll('#health-panel canvas[data-drawn]').length > 0")
        save_screenshot(page, "health-store-charts-zh-hans")

    assert page.hosts == {own_host}, f"requests to other hosts: {page.hosts - {own_host}}"
