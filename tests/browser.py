"""Headless Chromium for the browser journeys: Debian's Chromium driven by Playwright (which never downloads a
browser here), a page that records every host it loads from, sign-in, and screenshots kept as artifacts
(``test-artifacts/``, git-ignored) for a person to look at.
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
TIMEOUT_MS = 15_000


ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


@pytest.fixture
def chromium(monkeypatch):
    """A headless Chromium page whose browser speaks English (Accept-Language: en-US), 1280×800 like a laptop.
    ``page.hosts`` collects the host of every request the page makes."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium package) to install it",
                    pytrace=False)
    # Playwright's sync API runs an event loop in this thread; the test still reads the database from it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.hosts = set()
            page.on("request", lambda request: page.hosts.add(urlsplit(request.url).netloc))
            yield page
        finally:
            browser.close()
            # Inside Playwright's block Django's connections live in another context than the test's own: close
            # the ones opened here, or PostgreSQL refuses to drop the test database at the end of the run.
            connections.close_all()


@contextmanager
def screenshot_on_failure(page, name):
    try:
        yield
    except BaseException:
        path = Path(tempfile.mkdtemp(prefix="admin-browser-")) / f"{name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"Screenshot of the failing page: {path} ({page.url})")
        except Exception as error:  # noqa: BLE001 - the test's own failure is what matters
            print(f"No screenshot: {error}")
        raise


def html_lang(page):
    return page.locator("html").get_attribute("lang")




def sign_in(page, live_server, user, password=PASSWORD, next_url="/admin/"):
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.fill("#id_username", user.email)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("input[type=submit], button[type=submit]")


def save_screenshot(page, name):
    """Keep a screenshot of the page as an artifact (test-artifacts/screenshots/<name>.png)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
