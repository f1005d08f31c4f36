"""Journeys through the admin in a real browser, as its users take them: an operator at work on their stores,
and the overview and the store list as a person sees them on a 1280×800 laptop, in both languages (screenshots
are kept under ``test-artifacts/screenshots/`` for a person to look at). Every request a page makes goes to our
own server: nothing is loaded from another host.
"""

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from accounts.models import Store
from tests.browser import save_screenshot, screenshot_on_failure, sign_in
from tests.factories import StoreFactory

pytestmark = pytest.mark.browser


def only_our_server(page, live_server):
    ours = live_server.url.split("://", 1)[1]
    assert page.hosts and page.hosts <= {ours}, f"requests to other hosts: {sorted(page.hosts - {ours})}"


def test_an_operator_edits_the_notes_of_an_assigned_store_and_cannot_open_another(live_server, chromium, agency_a):
    page = chromium
    operator = agency_a.operator
    operator.language = "en"
    operator.save(update_fields=["language"])
    store = agency_a.assigned_store
    with screenshot_on_failure(page, "operator-notes"):
        sign_in(page, live_server, operator, next_url=reverse("admin:accounts_store_changelist"))
        listed = page.locator("#result_list").inner_text()
        assert store.name in listed and agency_a.other_store.name not in listed
        page.click(f"#result_list a:has-text('{store.name}')")
        # The seller id, marketplace and client are shown, not offered for change.
        assert page.locator("select[name=client], input[name=seller_id], select[name=marketplace]").count() == 0
        page.fill("textarea[name=notes]", "Plan of action sent on Monday")
        page.select_option("select[name=status]", "at_risk")
        with page.expect_navigation():
            page.click("button[name=_save], input[name=_save]")
        assert "was changed successfully" in page.locator("body").inner_text()
        with scopes_disabled():
            saved = Store.objects.get(pk=store.pk)
        assert (saved.notes, saved.status) == ("Plan of action sent on Monday", "at_risk")

        answer = page.goto(f"{live_server.url}{reverse('admin:accounts_store_change', args=[agency_a.other_store.pk])}")
        assert answer.status == 404
        only_our_server(page, live_server)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_overview_and_the_store_list_fit_a_laptop_screen(live_server, chromium, agency_a, language):
    page = chromium
    manager = agency_a.manager
    manager.language = language
    manager.save(update_fields=["language"])
    # A list long enough to scroll, with every status and long names, as a real portfolio has.
    statuses = [status for status, _label in Store._meta.get_field("status").choices]
    for number in range(24):
        StoreFactory(agency=agency_a.agency, client=agency_a.client, status=statuses[number % len(statuses)],
                     name=f"Lakeside Home & Garden Europe {number:02d}")
    with screenshot_on_failure(page, f"overview-{language}"):
        sign_in(page, live_server, manager)
        assert page.locator("html").get_attribute("lang") == language
        save_screenshot(page, f"overview-{language}")

        page.goto(f"{live_server.url}{reverse('admin:accounts_store_changelist')}")
        save_screenshot(page, f"store-list-{language}")
        status_header = page.locator("#result_list thead th.column-status_label")
        box = status_header.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280, box
        # Nothing scrolls sideways: the table is as wide as the window at most.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        with translation.override(language):
            assert str(Store._meta.get_field("status").verbose_name).lower() in status_header.inner_text().lower()
        only_our_server(page, live_server)


def test_an_owner_resets_a_members_password_and_the_member_must_change_it_at_first_sign_in(live_server, chromium,
                                                                                          agency_a):
    page = chromium
    owner, operator = agency_a.owner, agency_a.operator
    for person in (owner, operator):
        person.language = "en"
        person.save(update_fields=["language"])
    with scopes_disabled():
        membership = operator.memberships.get(agency=agency_a.agency)
    with screenshot_on_failure(page, "owner-resets-password"):
        sign_in(page, live_server, owner,
                next_url=reverse("admin:accounts_membership_change", args=[membership.pk]))
        page.click("a:has-text('Reset password')")
        with page.expect_navigation():
            page.click("form button[type=submit]:has-text('Reset password')")
        message = page.locator("body").inner_text()
        assert "one-time password" in message, message
        one_time = page.locator("code").first.inner_text().strip()
        assert len(one_time) >= 12
        with page.expect_navigation():
            page.click("#logout-form button")

        sign_in(page, live_server, operator, password=one_time, next_url=reverse("admin:accounts_store_changelist"))
        assert reverse("admin:password_change") in page.url, page.url
        # Every admin page leads back to the password change until it is done.
        page.goto(f"{live_server.url}{reverse('admin:accounts_store_changelist')}")
        assert reverse("admin:password_change") in page.url, page.url
        page.fill("#id_old_password", one_time)
        page.fill("#id_new_password1", "a-new-Passphrase-2026")
        page.fill("#id_new_password2", "a-new-Passphrase-2026")
        with page.expect_navigation():
            page.click("form:has(#id_old_password) [type=submit]")
        page.goto(f"{live_server.url}{reverse('admin:accounts_store_changelist')}")
        assert page.url.endswith(reverse("admin:accounts_store_changelist")), page.url
        assert agency_a.assigned_store.name in page.locator("#result_list").inner_text()
        operator.refresh_from_db()
        assert not operator.must_change_password and operator.check_password("a-new-Passphrase-2026")
        only_our_server(page, live_server)


def test_a_manager_imports_a_csv_of_stores_sees_the_bad_row_in_the_preview_fixes_it_and_imports(
        live_server, chromium, agency_a, tmp_path):
    page = chromium
    manager = agency_a.manager
    manager.language = "en"
    manager.save(update_fields=["language"])
    header = "display name,client,marketplace,seller id,registered on,selling plan,brand registered,status,notes\n"
    good = "Blue Harbor US,Client A,US,A1BLUEHARBOR1,2024-03-01,professional,no,active,\n"
    bad = "Blue Harbor XX,Client A,XX,A1BLUEHARBOR2,2024-03-01,professional,no,active,\n"
    fixed = "Blue Harbor UK,Client A,UK,A1BLUEHARBOR2,2024-03-01,professional,no,active,\n"
    with_error, corrected = tmp_path / "stores.csv", tmp_path / "stores-fixed.csv"
    with_error.write_text(header + good + bad, encoding="utf-8")
    corrected.write_text(header + good + fixed, encoding="utf-8")

    def upload(path):
        page.goto(f"{live_server.url}{reverse('admin:accounts_store_import')}")
        page.set_input_files("#id_import_file", str(path))
        page.select_option("#id_format", label="csv")
        with page.expect_navigation():
            page.click("form:has(#id_import_file) button[type=submit]")

    with screenshot_on_failure(page, "manager-imports-stores"):
        sign_in(page, live_server, manager, next_url=reverse("admin:accounts_store_changelist"))
        page.click(f"a[href='{reverse('admin:accounts_store_import')}']")
        upload(with_error)
        body = page.locator("body").inner_text()
        assert "“XX” is not an Amazon marketplace this product knows." in body
        assert page.locator("button:has-text('Confirm import'), input[value='Confirm import']").count() == 0
        with scopes_disabled():
            assert not Store.objects.filter(seller_id__startswith="A1BLUEHARBOR").exists()

        upload(corrected)
        assert "Blue Harbor UK" in page.locator("body").inner_text()
        with page.expect_navigation():
            page.click("button:has-text('Confirm import'), input[value='Confirm import']")
        assert page.url.endswith(reverse("admin:accounts_store_changelist")), page.url
        assert "Stores imported: 2 new, 0 changed, 0 unchanged." in page.locator("body").inner_text()
        with scopes_disabled():
            imported = dict(Store.objects.filter(agency=agency_a.agency, seller_id__startswith="A1BLUEHARBOR")
                            .values_list("seller_id", "marketplace"))
        assert imported == {"A1BLUEHARBOR1": "US", "A1BLUEHARBOR2": "UK"}
        only_our_server(page, live_server)
