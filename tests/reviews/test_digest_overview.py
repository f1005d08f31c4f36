"""The reviews due, where people see them: the overview's "Reviews due" (the current cycle's reviews not approved and
those overdue, linking the board; left out when nothing is due) and the daily digest's "Overdue reviews" (the
recipient's stores only, the managers' queue for managers, in the recipient's language, escaped, linked; nothing
when nothing)."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone, translation

from accounts import extensions
from reviews import digest, overview
from reviews.models import StoreReview
from tests.reviews.test_admin_board import cycle_of, review_of

Status = StoreReview.Status
OVERVIEW = "/admin/"
SITE = "https://ops.example.com"


def section_for(persona, user, *, language="en"):
    user.language = language
    user.save(update_fields=["language"])
    with persona.scope():
        return digest.section(agency=persona.agency, recipient=user, since=timezone.now() - datetime.timedelta(days=1))


def overview_numbers(page):
    found = re.search(r'id="overview-reviews" [^>]*data-cycle="(\d+)" data-open="(\d+)" data-overdue="(\d+)"', page)
    return tuple(int(number) for number in found.groups()) if found else None


# -- the overview ----------------------------------------------------------------------------------------------------
def test_the_overview_counts_the_current_cycles_reviews_due_and_overdue_linking_the_board(agency_a, client_as):
    older = cycle_of(agency_a, datetime.date(2026, 9, 1), due_in_days=-30)
    review_of(older, agency_a.assigned_store, status=Status.PENDING)  # an older month: not counted
    current = cycle_of(agency_a, datetime.date(2026, 10, 1), due_in_days=-1)
    review_of(current, agency_a.assigned_store, status=Status.PENDING, reviewer=agency_a.operator)
    review_of(current, agency_a.other_store, status=Status.SUBMITTED)
    page = client_as(agency_a.manager).get(OVERVIEW).content.decode()
    assert overview_numbers(page) == (current.pk, 2, 1)
    assert f'href="/admin/reviews/storereview/board/?cycle={current.pk}"' in page
    assert f'href="/admin/reviews/storereview/?cycle={current.pk}&amp;overdue=yes"' in page
    assert overview_numbers(client_as(agency_a.operator).get(OVERVIEW).content.decode()) == (current.pk, 1, 1)


def test_the_overview_leaves_the_section_out_when_nothing_is_due(agency_a, agency_b, client_as):
    assert 'id="overview-reviews"' not in client_as(agency_a.manager).get(OVERVIEW).content.decode()
    cycle = cycle_of(agency_a, due_in_days=-1)
    review_of(cycle, agency_a.assigned_store, status=Status.APPROVED)
    assert 'id="overview-reviews"' not in client_as(agency_a.manager).get(OVERVIEW).content.decode()
    review_of(cycle, agency_a.other_store, status=Status.PENDING)
    assert 'id="overview-reviews"' not in client_as(agency_a.operator).get(OVERVIEW).content.decode()
    assert 'id="overview-reviews"' not in client_as(agency_b.manager).get(OVERVIEW).content.decode()


def test_the_overview_section_is_contributed_in_its_order():
    sections = [section for section in extensions.overview_sections.contributions()
                if section.render is overview.render_reviews_due]
    assert len(sections) == 1 and sections[0].order == 50


# -- the digest ------------------------------------------------------------------------------------------------------
def test_the_digest_tells_an_operator_of_their_overdue_reviews_and_a_manager_of_all(agency_a, settings):
    settings.SITE_URL = SITE
    cycle = cycle_of(agency_a, due_in_days=-2)
    agency_a.assigned_store.name = "Store <b>bold</b>"
    agency_a.assigned_store.save(update_fields=["name"])
    mine = review_of(cycle, agency_a.assigned_store, status=Status.IN_PROGRESS, reviewer=agency_a.operator)
    queued = review_of(cycle, agency_a.other_store, status=Status.PENDING)

    found = section_for(agency_a, agency_a.operator)
    assert found.title == "Overdue monthly reviews"
    assert SITE + reverse("admin:reviews_storereview_change", args=[mine.pk]) in found.html
    assert "Store &lt;b&gt;bold&lt;/b&gt;" in found.html and "<b>bold" not in found.html
    assert "Store <b>bold</b>" in found.text
    assert agency_a.other_store.name not in found.text

    for_manager = section_for(agency_a, agency_a.manager)
    assert agency_a.other_store.name in for_manager.text and "Managers' queue" in for_manager.text
    assert SITE + reverse("admin:reviews_storereview_change", args=[queued.pk]) in for_manager.html


def test_the_digest_says_nothing_when_nothing_is_overdue_to_a_viewer_or_to_a_non_member(agency_a, agency_b):
    on_time = cycle_of(agency_a, datetime.date(2026, 10, 1), due_in_days=0)
    review_of(on_time, agency_a.assigned_store, status=Status.PENDING)
    late = cycle_of(agency_a, datetime.date(2026, 9, 1), due_in_days=-3)
    review_of(late, agency_a.other_store, status=Status.SUBMITTED)  # waits for a manager, not its reviewer
    assert section_for(agency_a, agency_a.manager) is None
    review_of(late, agency_a.assigned_store, status=Status.RETURNED)
    assert section_for(agency_a, agency_a.manager) is not None
    assert section_for(agency_a, agency_a.viewer) is None
    assert section_for(agency_a, agency_a.idle_operator) is None
    assert section_for(agency_a, agency_b.manager) is None


def test_the_digest_section_is_in_the_recipients_language(agency_a):
    cycle = cycle_of(agency_a, due_in_days=-2)
    review_of(cycle, agency_a.assigned_store, status=Status.PENDING)
    found = section_for(agency_a, agency_a.manager, language="zh-hans")
    with translation.override("zh-hans"):
        assert found.title == translation.gettext("Overdue monthly reviews")
        assert translation.gettext("Pending") in found.text


def test_the_digest_takes_the_section_through_the_extension_point():
    assert digest.section in extensions.digest_sections.contributions()
