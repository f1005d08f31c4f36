"""Every asset of the admin and of /api/docs/ is served by us: no page names another host for what it loads.

The pages walked are every list, add form and one-row page of every registered model admin (as agency A's owner
and as a platform superuser), the overview, the sign-in and password pages, and the API docs; the stylesheets
they load are read too (a font or image named by ``url(...)`` in CSS counts). The browser journey
(``test_admin_browser.py``) records the requests a real browser makes on top of this.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.admin.utils import quote
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from accounts.platform.admin_site import site
from tests.factories import UserFactory
from tests.isolation.registry import PLATFORM_ROWS, row_of

# src, href, action, srcset, poster, data, and CSS url(...) / @import: anything a page loads or sends to.
REFERENCE = re.compile(
    r"""(?:\b(?:src|href|action|poster|data|srcset)\s*=\s*["']([^"']+)["'])|(?:url\(\s*["']?([^"')]+)["']?\s*\))"""
    r"""|(?:@import\s+["']([^"']+)["'])""",
    re.IGNORECASE,
)
OWN_HOSTS = {"", "testserver"}
NOT_LOADED = ("mailto:", "tel:", "javascript:", "#", "data:", "about:")


def references(text):
    for match in REFERENCE.finditer(text):
        value = next(group for group in match.groups() if group)
        if not value.startswith(NOT_LOADED):
            yield value.strip()


def outside(references_):
    found = set()
    for reference in references_:
        # A path (absolute or relative) is ours; a reference with a scheme or starting "//" names a host.
        parts = urlsplit(reference)
        host = parts.hostname or ("?" if parts.scheme in ("http", "https") else "")
        if host not in OWN_HOSTS:
            found.add(reference)
    return found


def stylesheet_text(path):
    """The content of one of our static files, as the static file finders serve it."""
    static_url = "/static/"
    if not path.startswith(static_url):
        return ""
    found = finders.find(path[len(static_url):].split("?")[0])
    return open(found, encoding="utf-8", errors="replace").read() if found else ""


def assert_served_by_us(client, url, seen_stylesheets):
    answer = client.get(url, follow=True)
    assert answer.status_code in (200, 403), f"GET {url}: {answer.status_code}"
    page = answer.content.decode()
    refs = list(references(page))
    assert not outside(refs), f"{url} references outside hosts: {sorted(outside(refs))}"
    for reference in refs:
        if reference.split("?")[0].endswith(".css") and reference not in seen_stylesheets:
            seen_stylesheets.add(reference)
            css = stylesheet_text(urljoin(url, reference))
            assert not outside(references(css)), f"{reference} (from {url}) loads {sorted(outside(references(css)))}"
    return page


def admin_pages(agency):
    """Every list, add form and one-row page of the registered model admins (the rows of ``agency``)."""
    urls = [reverse("admin:index")]
    for model in site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        if model not in PLATFORM_ROWS:
            row = row_of(model, agency, what="the outside-host walk")
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(row.pk)]))
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[quote(row.pk)]))
    return urls


def test_no_admin_page_references_an_outside_host(agency_a, client_as):
    owner = client_as(agency_a.owner)
    superuser = Client()
    superuser.force_login(UserFactory(email="platform@example.com", is_superuser=True))
    seen = set()
    pages = admin_pages(agency_a)
    for url in pages:
        assert_served_by_us(owner, url, seen)
    for url in (reverse("admin:index"), *[u for u in pages if u.endswith("/") and "/add/" not in u][:40]):
        assert_served_by_us(superuser, url, seen)
    # The theme's own stylesheet was among what was read, so its fonts and icons were checked too.
    assert any("unfold" in sheet for sheet in seen), sorted(seen)


def test_the_sign_in_and_password_pages_reference_no_outside_host(db):
    anonymous = Client()
    for url in (reverse("admin:login"), reverse("admin_password_reset"), reverse("password_reset_done")):
        assert_served_by_us(anonymous, url, set())


@pytest.mark.parametrize("url", ["/api/docs/"])
def test_the_api_docs_load_swagger_ui_from_our_own_static_files(agency_a, client_as, url):
    page = assert_served_by_us(client_as(agency_a.owner), url, set())
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    # Swagger UI would fetch a validity badge from validator.swagger.io: it is switched off.
    assert '"validatorUrl": null' in page
