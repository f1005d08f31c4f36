"""The cases to follow up, where people see them: the overview's "Cases to follow up" (how many, the most pressing
first, each with what it asks for and a link, left out when none is flagged) and the daily digest's section (the
recipient's stores only, linked, escaped, in their language; nothing when nothing), both by the one follow-up rule."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import extensions
from cases import digest
from cases.models import SupportCase
from tests.cases.factories import SupportCaseFactory
from tests.factories import StoreFactory

OVERVIEW = "/admin/"
SITE = "https://ops.example.com"


def waiting(store, hours, **fields):
    """A normal case of ``store`` waiting for Amazon for ``hours``."""
    since = timezone.now() - datetime.timedelta(hours=hours)
    return SupportCaseFactory(store=store, status=SupportCase.Status.AWAITING_AMAZON, opened_at=since,
                              waiting_since=since, **fields)


def listed(page):
    return [int(pk) for pk in re.findall(r'class="overview-case[^"]*" data-case="(\d+)"', page)]


def flagged_count(page):
    found = re.search(r'id="overview-cases" [^>]*data-flagged="(\d+)"', page)
    return int(found.group(1)) if found else None


# -- the overview ----------------------------------------------------------------------------------------------------
def test_the_overview_lists_the_flagged_cases_urgent_first_with_a_link_to_each(agency_a, client_as):
    late = waiting(agency_a.assigned_store, 30, subject="Late answer")
    urgent = waiting(agency_a.other_store, 1, priority="urgent", subject="Account deactivated")
    waiting(agency_a.assigned_store, 2, subject="Still within the day")  # not flagged yet

    page = client_as(agency_a.manager).get(OVERVIEW).content.decode()

    assert "Cases to follow up" in page
    assert flagged_count(page) == 2
    assert listed(page) == [urgent.pk, late.pk]
    assert reverse("admin:cases_supportcase_change", args=[late.pk]) in page
    assert "/admin/cases/supportcase/?needs_follow_up=yes" in page


def test_a_case_within_the_agencys_hours_is_not_flagged_once_past_them_it_is(agency_a, client_as):
    now = timezone.now()
    on_the_hour = SupportCaseFactory(store=agency_a.assigned_store, status=SupportCase.Status.AWAITING_AMAZON,
                                     waiting_since=now - datetime.timedelta(hours=24) + datetime.timedelta(minutes=1))
    assert flagged_count(client_as(agency_a.manager).get(OVERVIEW).content.decode()) is None

    on_the_hour.waiting_since = now - datetime.timedelta(hours=24, seconds=1)
    with agency_a.scope():
        on_the_hour.save(update_fields=["waiting_since"])
    assert flagged_count(client_as(agency_a.manager).get(OVERVIEW).content.decode()) == 1


def test_an_operator_sees_only_the_cases_of_their_stores(agency_a, client_as):
    mine = waiting(agency_a.assigned_store, 30)
    waiting(agency_a.other_store, 30)

    page = client_as(agency_a.operator).get(OVERVIEW).content.decode()

    assert flagged_count(page) == 1
    assert listed(page) == [mine.pk]


def test_the_section_is_left_out_when_nothing_is_flagged_and_names_nothing_of_another_agency(agency_a, agency_b,
                                                                                            client_as):
    waiting(agency_b.assigned_store, 30, subject="Case of agency B")
    resolved = waiting(agency_a.assigned_store, 30, subject="Solved already")
    resolved.status = SupportCase.Status.RESOLVED
    with agency_a.scope():
        resolved.save(update_fields=["status"])

    page = client_as(agency_a.owner).get(OVERVIEW).content.decode()

    assert 'id="overview-cases"' not in page
    assert "Case of agency B" not in page


def test_the_overview_reads_the_same_few_queries_for_5_or_40_flagged_cases(agency_a, client_as):
    client = client_as(agency_a.manager)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(OVERVIEW).status_code == 200
        return len(captured)

    for _ in range(5):
        waiting(StoreFactory(agency=agency_a.agency, client=agency_a.client), 30)
    few = queries()
    for _ in range(35):
        waiting(StoreFactory(agency=agency_a.agency, client=agency_a.client), 30)
    assert queries() == few


# -- the digest ------------------------------------------------------------------------------------------------------
def section_for(persona, user, language="en"):
    user.language = language
    user.save(update_fields=["language"])
    with persona.scope():
        return digest.section(agency=persona.agency, recipient=user, since=timezone.now() - datetime.timedelta(days=1))


def test_the_digest_lists_the_recipients_flagged_cases_with_absolute_links(agency_a, settings):
    settings.SITE_URL = SITE
    mine = waiting(agency_a.assigned_store, 30, subject="Listing <b>removed</b>")
    other = waiting(agency_a.other_store, 30, subject="Not for the operator")

    found = section_for(agency_a, agency_a.operator)

    assert found.title == "Seller Support cases to follow up"
    assert SITE + reverse("admin:cases_supportcase_change", args=[mine.pk]) in found.html
    assert "Listing &lt;b&gt;removed&lt;/b&gt;" in found.html and "<b>removed" not in found.html
    assert "Listing <b>removed</b>" in found.text
    assert mine.display_case_id in found.text
    assert other.subject not in found.text
    assert other.subject in section_for(agency_a, agency_a.manager).text


def test_the_digest_says_nothing_when_nothing_is_flagged_or_to_a_non_member(agency_a, agency_b):
    waiting(agency_a.assigned_store, 2)
    assert section_for(agency_a, agency_a.manager) is None
    waiting(agency_a.assigned_store, 30)
    assert section_for(agency_a, agency_b.manager) is None


def test_the_digest_section_is_in_the_recipients_language(agency_a):
    waiting(agency_a.assigned_store, 30)
    found = section_for(agency_a, agency_a.manager, language="zh-hans")
    assert found.title == "需要跟进的卖家支持工单"


def test_the_digest_takes_the_section_through_the_extension_point():
    assert digest.section in extensions.digest_sections.contributions()
