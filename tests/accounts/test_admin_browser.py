"""The admin in a real browser: a manager signs in, switches the interface to Chinese from the header and
sees their own agency's stores, and no other agency's.

Drives Debian's Chromium (``make browser`` or ``.ci/run`` installs it) through Playwright; Playwright never
downloads a browser here.
"""

import pytest
from django.utils import translation

from tests.browser import PASSWORD, html_lang, screenshot_on_failure

pytestmark = pytest.mark.browser


def test_manager_switches_to_chinese_and_sees_only_their_agencys_stores(live_server, chromium, agency_a,
                                                                         agency_b):
    page = chromium
    manager = agency_a.manager
    manager.language = "en"  # reads English, so the switch to Chinese is visible
    manager.save(update_fields=["language"])

    with screenshot_on_failure(page, "admin-language-and-stores"):
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", manager.email)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("input[type=submit], button[type=submit]")
        assert page.url == f"{live_server.url}/admin/", page.url
        assert html_lang(page) == "en"
        assert page.locator("#current-agency").text_content().strip() == "Agency A"
        assert page.locator("#logout-form button").text_content().strip() == "Log out"

        with page.expect_navigation():
            page.select_option("select#language-select", label="简体中文")

        assert page.url == f"{live_server.url}/admin/", page.url
        assert html_lang(page) == "zh-hans"
        assert page.locator("select#language-select").input_value() == "zh-hans"
        with translation.override("zh-hans"):  # the Chinese the server renders: our catalogue, else Django admin's
            log_out, change_password = translation.gettext("Log out"), translation.gettext("Change password")
        assert log_out != "Log out" and change_password != "Change password"
        assert any("\u4e00" <= character <= "\u9fff" for character in log_out + change_password)
        assert page.locator("#logout-form button").text_content().strip() == log_out
        assert page.locator("#user-tools").get_by_text(change_password).count() == 1
        manager.refresh_from_db()
        assert manager.language == "zh-hans", "the choice is kept for the next visit and for emails"

        page.goto(f"{live_server.url}/admin/accounts/store/")
        assert html_lang(page) == "zh-hans"
        listed = page.locator("#result_list").inner_text()
        assert agency_a.assigned_store.name in listed
        assert agency_a.other_store.name in listed
        assert page.locator("#result_list tbody tr").count() == 2
        body = page.locator("body").inner_text()
        for store in (agency_b.assigned_store, agency_b.other_store):
            assert store.name not in body
            assert store.seller_id not in body
