"""The manager's board and the review list: a cycle's counts by status, by reviewer (the managers' queue for the
reviews nobody is assigned) and by client, each a link to the list filtered so; the list's filters, the reviews
that found issues first, the overdue flag; operators count and list their stores' reviews only, viewers read; the
same number of queries for 10 reviews as for 1,000."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import Store, StoreAssignment
from reviews.models import ChecklistVersion, StoreReview
from tests.page_queries import MAX_QUERIES
from tests.reviews.factories import ReviewCycleFactory, StoreReviewFactory

Status = StoreReview.Status
BOARD = "/admin/reviews/storereview/board/"
LIST = "/admin/reviews/storereview/"


def cycle_of(persona, month=datetime.date(2026, 10, 1), *, due_in_days=None):
    """A cycle of ``persona``'s agency; due ``due_in_days`` from today when given (else the factory's date)."""
    extra = {}
    with scopes_disabled():
        version = ChecklistVersion.objects.filter(agency=persona.agency).first()
    if version is not None:
        extra["checklist"] = version  # one version 1 per agency
    if due_in_days is not None:
        extra["due_on"] = persona.agency.today() + datetime.timedelta(days=due_in_days)
    return ReviewCycleFactory(agency=persona.agency, month=month, **extra)


def review_of(cycle, store, **fields):
    return StoreReviewFactory(agency=cycle.agency, cycle=cycle, store=store, **fields)


def counts(page, attribute):
    """``{value: count}`` of the board's rows marked ``data-<attribute>``."""
    return {value: int(count) for value, count in
            re.findall(rf'data-{attribute}="([^"]*)" data-count="(\d+)"', page)}


def totals(page):
    return counts(page, "total")


def listed_stores(page):
    """The stores of the list's rows, in order (the theme shows each store's name in its row's header cell)."""
    return re.findall(r'data-label="store"><a href="/admin/reviews/storereview/\d+/change/[^"]*"[^>]*>\s*'
                      r'<span[^>]*>\s*<span[^>]*>\s*<strong[^>]*>([^<]+)</strong>', page)


@pytest.fixture
def month(agency_a):
    """Agency A's October cycle (past due): the assigned store's review submitted by its operator without issues,
    the unassigned store's in the managers' queue, pending with issues found."""
    cycle = cycle_of(agency_a)
    review_of(cycle, agency_a.assigned_store, reviewer=agency_a.operator, status=Status.SUBMITTED)
    review_of(cycle, agency_a.other_store, reviewer=None, status=Status.IN_PROGRESS, issues_found=True)
    return cycle


def test_the_board_counts_a_cycle_by_status_reviewer_and_client(agency_a, client_as, month):
    page = client_as(agency_a.manager).get(BOARD).content.decode()
    assert counts(page, "status") == {"pending": 0, "in_progress": 1, "submitted": 1, "approved": 0, "returned": 0}
    assert counts(page, "reviewer") == {str(agency_a.operator.pk): 1, "queue": 1}
    assert counts(page, "client") == {str(agency_a.client.pk): 2}
    assert totals(page) == {"all": 2, "overdue": 1, "issues": 1, "ready": 1}
    assert "Managers&#x27; queue" in page or "Managers' queue" in page


def test_each_count_links_to_the_review_list_filtered_so(agency_a, client_as, month):
    manager = client_as(agency_a.manager)
    page = manager.get(BOARD).content.decode()
    queue_link = re.search(r'data-reviewer="queue" data-count="1"><a href="([^"]+)"', page).group(1)
    assert queue_link == f"{LIST}?cycle={month.pk}&amp;reviewer=queue"
    listed = manager.get(queue_link.replace("&amp;", "&")).content.decode()
    assert listed_stores(listed) == [agency_a.other_store.name]
    submitted = manager.get(LIST, {"cycle": month.pk, "status": "submitted"}).content.decode()
    assert listed_stores(submitted) == [agency_a.assigned_store.name]


@pytest.mark.parametrize(("query", "expected"), [
    ({"issues": "yes"}, ["Unassigned store A"]),
    ({"issues": "no"}, ["Assigned store A"]),
    ({"overdue": "yes"}, ["Unassigned store A"]),  # a submitted review waits for a manager, not its reviewer
    ({"reviewer": "queue"}, ["Unassigned store A"]),
    ({"status": "submitted"}, ["Assigned store A"]),
    ({}, ["Unassigned store A", "Assigned store A"]),  # the review that found issues first
])
def test_the_review_list_filters_and_puts_the_reviews_that_found_issues_first(agency_a, client_as, month, query,
                                                                              expected):
    page = client_as(agency_a.manager).get(LIST, {"cycle": month.pk, **query}).content.decode()
    assert listed_stores(page) == expected


def test_the_list_flags_overdue_reviews_and_not_those_on_time_or_approved(agency_a, client_as):
    late = cycle_of(agency_a, datetime.date(2026, 9, 1), due_in_days=-1)
    on_time = cycle_of(agency_a, datetime.date(2026, 10, 1), due_in_days=0)  # the due day itself is on time
    review_of(late, agency_a.assigned_store, status=Status.PENDING)
    review_of(late, agency_a.other_store, status=Status.APPROVED)
    review_of(on_time, agency_a.assigned_store, status=Status.PENDING)
    manager = client_as(agency_a.manager)
    assert listed_stores(manager.get(LIST, {"overdue": "yes"}).content.decode()) == [agency_a.assigned_store.name]
    page = manager.get(LIST, {"cycle": late.pk}).content.decode()
    assert page.count("Overdue since") == 1
    assert "Overdue since" not in manager.get(LIST, {"cycle": on_time.pk}).content.decode()


def test_the_board_shows_the_latest_cycle_and_another_on_request(agency_a, client_as, month):
    september = cycle_of(agency_a, datetime.date(2026, 9, 1))
    review_of(september, agency_a.assigned_store, status=Status.APPROVED)
    manager = client_as(agency_a.manager)
    assert f'data-cycle="{month.pk}"' in manager.get(BOARD).content.decode()
    page = manager.get(BOARD, {"cycle": september.pk}).content.decode()
    assert f'data-cycle="{september.pk}"' in page
    assert counts(page, "status")["approved"] == 1


def test_another_agencys_cycle_or_a_word_is_not_found_on_the_board(agency_a, agency_b, client_as, month):
    own = cycle_of(agency_b)
    client = client_as(agency_b.manager)
    assert client.get(BOARD, {"cycle": month.pk}).status_code == 404
    assert client.get(BOARD, {"cycle": "october"}).status_code == 404
    assert client.get(BOARD, {"cycle": own.pk}).status_code == 200
    assert "Assigned store A" not in client.get(BOARD).content.decode()


def test_an_agency_without_a_cycle_gets_a_board_that_says_so(agency_a, client_as):
    page = client_as(agency_a.manager).get(BOARD).content.decode()
    assert 'id="review-board-empty"' in page


def test_an_operator_counts_and_lists_only_their_stores_reviews(agency_a, client_as, month):
    operator = client_as(agency_a.operator)
    page = operator.get(BOARD).content.decode()
    assert totals(page)["all"] == 1
    assert counts(page, "reviewer") == {str(agency_a.operator.pk): 1}
    assert agency_a.other_store.name not in page
    assert listed_stores(operator.get(LIST).content.decode()) == [agency_a.assigned_store.name]
    assert 'id="review-board-approve"' not in page


def test_a_viewer_reads_the_board_without_the_approval_button(agency_a, client_as, month):
    assert 'id="review-board-approve"' in client_as(agency_a.manager).get(BOARD).content.decode()
    page = client_as(agency_a.viewer).get(BOARD).content.decode()
    assert totals(page)["all"] == 2
    assert 'id="review-board-approve"' not in page
    listed = client_as(agency_a.viewer).get(LIST).content.decode()
    assert "approve_without_issues" not in listed


# -- queries ---------------------------------------------------------------------------------------------------------
def grow(persona, cycle, how_many, *, operator):
    """``how_many`` more stores with a review each in ``cycle``: a third assigned to ``operator``, the rest in the
    managers' queue; statuses and issues spread over all."""
    agency = persona.agency
    with scopes_disabled():
        first = Store.objects.filter(agency=agency).count()
        stores = Store.objects.bulk_create([
            Store(agency=agency, client=persona.client, name=f"Counted store {first + n:05}", marketplace="US",
                  seller_id=f"R{agency.pk}X{first + n:06}") for n in range(how_many)])
        StoreAssignment.objects.bulk_create([StoreAssignment(agency=agency, store=store, user=operator)
                                             for store in stores[::3]])
        assigned = {store.pk for store in stores[::3]}
        statuses = list(Status)
        StoreReview.objects.bulk_create([
            StoreReview(agency=agency, cycle=cycle, store=store, summary={}, answers={},
                        summary_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
                        reviewer=operator if store.pk in assigned else None,
                        status=statuses[n % len(statuses)], issues_found=n % 4 == 0)
            for n, store in enumerate(stores)])


def queries(client, url, data=None):
    client.get(url, data)
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url, data)
    assert answer.status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["manager", "operator"])
@pytest.mark.parametrize(("url", "data"), [
    (BOARD, None),
    (LIST, None),
    (LIST, {"overdue": "yes", "issues": "yes"}),
    ("/admin/", None),
])
def test_the_board_and_the_list_read_the_same_queries_for_10_and_1000_reviews(agency_a, client_as, role, url, data):
    cycle = cycle_of(agency_a, due_in_days=-2)
    client = client_as(getattr(agency_a, role))
    grow(agency_a, cycle, 10, operator=agency_a.operator)
    few = queries(client, url, data)
    grow(agency_a, cycle, 990, operator=agency_a.operator)
    many = queries(client, url, data)
    assert few == many, f"{few} queries for 10 reviews, {many} for 1000"
    assert many <= MAX_QUERIES


def test_the_board_reverses_by_name(agency_a):
    assert reverse("admin:reviews_storereview_board") == BOARD
