"""The library in a real browser: a manager opens a store whose appeal kit lacks its address proof, follows the
panel's link to the upload page (filled in for that store), uploads a utility bill and finds it in the list with its
freshness label; nothing is loaded from another host. Screenshots are kept for a person to look at
(test-artifacts/screenshots/documents-*.png)."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from django_scopes import scopes_disabled

from documents import types
from documents.models import AppealDocument
from tests.browser import (
    chromium,  # noqa: F401  (the browser journeys' fixture)
    save_screenshot,
    screenshot_on_failure,
    sign_in,
)
from tests.documents.factories import PDF_BYTES, make_document

pytestmark = pytest.mark.browser


def test_a_manager_uploads_the_missing_address_proof_from_the_store_page_and_sees_it_fresh_in_the_list(
        live_server, chromium, agency_a, tmp_path):  # noqa: F811 - the fixture imported above
    page = chromium
    manager = agency_a.manager
    manager.language = "en"
    manager.save(update_fields=["language"])
    make_document(agency_a, type_code=types.BUSINESS_LICENCE, title="Business licence",
                  expires_on=agency_a.agency.today() + datetime.timedelta(days=200))
    bill = tmp_path / "power bill.pdf"
    bill.write_bytes(PDF_BYTES + b"%browser\n")
    issued = agency_a.agency.today() - datetime.timedelta(days=20)
    own_host = urlsplit(live_server.url).netloc

    with screenshot_on_failure(page, "documents-upload"):
        sign_in(page, live_server, manager, next_url=f"/admin/accounts/store/{agency_a.assigned_store.pk}/change/")
        panel = page.locator("#appeal-kit-panel")
        panel.scroll_into_view_if_needed()
        address_proof = panel.locator(f"li[data-type={types.ADDRESS_PROOF}]")
        assert address_proof.get_attribute("data-state") == "missing"
        save_screenshot(page, "documents-store-panel-en")

        with page.expect_navigation():
            address_proof.locator("a", has_text="Upload one").click()
        assert page.locator("#id_type_code").input_value() == types.ADDRESS_PROOF
        assert agency_a.assigned_store.name in page.locator(".field-stores").inner_text()
        page.fill("#id_title", "Power bill of the warehouse")
        page.fill("#id_issued_on", issued.isoformat())
        page.fill("#id_tags", "utility, warehouse")
        page.set_input_files("#id_file", str(bill))
        save_screenshot(page, "documents-add-en")
        with page.expect_navigation():
            page.click("button[name=_save]")

        assert page.url.endswith("/admin/documents/appealdocument/")
        row = page.locator("#result_list tbody tr", has_text="Power bill of the warehouse")
        assert row.count() == 1
        # The label is upper-cased by the theme's style: its text is the state's label.
        assert row.locator(".field-freshness_label").text_content().strip() == "Valid"
        assert "Address proof (utility bill)" in row.inner_text()
        save_screenshot(page, "documents-list-en")

        with page.expect_navigation():
            row.locator("a", has_text="Power bill of the warehouse").click()
        versions = page.locator("#document-versions")
        versions.scroll_into_view_if_needed()
        assert "power bill.pdf" in versions.inner_text()

        # The same list in Chinese.
        with page.expect_navigation():
            page.select_option("select#language-select", label="简体中文")
        page.goto(f"{live_server.url}/admin/documents/appealdocument/")
        with translation.override("zh-hans"):
            valid = translation.gettext("Valid")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        row = page.locator("#result_list tbody tr", has_text="Power bill of the warehouse")
        assert row.locator(".field-freshness_label").text_content().strip() == valid
        save_screenshot(page, "documents-list-zh-hans")

    with scopes_disabled():
        document = AppealDocument.objects.get(agency=agency_a.agency, title="Power bill of the warehouse")
        assert document.issued_on == issued and document.tags == ["utility", "warehouse"]
        assert list(document.stores.all()) == [agency_a.assigned_store]
        assert document.versions.get().size == len(PDF_BYTES) + len(b"%browser\n")
    assert page.hosts == {own_host}, f"requests to other hosts: {page.hosts - {own_host}}"
