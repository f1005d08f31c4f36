"""A review's page and the other review pages of the admin: the frozen month read as a table, the checklist in the
reader's language, the buttons of the moves the reader may make (operators never approve, viewers only read), every
refusal shown on the page (never a 500), bulk approval naming the reviews refused, opening a past month by hand, the
review policy and the checklist's versions."""

import datetime

import pytest
from django_scopes import scopes_disabled

from reviews.models import ChecklistVersion, ReviewCycle, ReviewEvent, ReviewPolicy, StoreReview
from tests.factories import StoreFactory
from tests.reviews.test_admin_board import cycle_of, review_of

Status = StoreReview.Status
LIST = "/admin/reviews/storereview/"

SUMMARY = {
    "month": "2026-10",
    "metrics": {
        "late_shipment_rate": {"month_end": 0.052, "worst": 0.061, "colour": "red", "change": 0.012, "days_red": 6,
                               "days_yellow": 3, "days_reported": 31},
        "order_defect_rate": {"month_end": 0.004, "worst": 0.006, "colour": "green", "change": -0.001,
                              "days_red": 0, "days_yellow": 0, "days_reported": 29},
    },
    "ahr": {"month_end": 212, "lowest": 198},
    "alerts": {"opened": {"metric": 2}, "resolved": {"metric": 1}, "open_at_month_end": {"metric": 1}},
    "cases": {"opened": 3, "resolved": 2, "waiting_over_24h": 1},
    "chats": {"used": 4, "invalid": 1, "days_frozen": 0},
    "documents": {"missing": ["supplier_invoice"], "expiring": [], "stale": [{"id": 1, "title": "Power bill",
                                                                              "type": "address_proof"}]},
    "red_metrics": ["late_shipment_rate"],
    "computed_at": "2026-11-01T01:00:00+08:00",
}


def page_of(review):
    return f"{LIST}{review.pk}/change/"


def fresh(review):
    with scopes_disabled():
        return StoreReview.objects.get(pk=review.pk)


def events_of(review):
    with scopes_disabled():
        return list(ReviewEvent.objects.filter(review=review).order_by("at", "pk")
                    .values_list("from_status", "to_status", "comment"))


@pytest.fixture
def review(agency_a):
    """The assigned store's review of October, in progress, by its operator, with the month frozen."""
    cycle = cycle_of(agency_a, due_in_days=3)
    return review_of(cycle, agency_a.assigned_store, reviewer=agency_a.operator, status=Status.IN_PROGRESS,
                     summary=SUMMARY)


def answered(**answers):
    data = {}
    for code, (answer, note) in answers.items():
        data[f"answer-{code}"] = answer
        data[f"note-{code}"] = note
    return data


# -- reading ---------------------------------------------------------------------------------------------------------
def test_the_page_reads_the_frozen_month_as_a_table(agency_a, client_as, review):
    page = client_as(agency_a.manager).get(page_of(review)).content.decode()
    assert 'data-metric="late_shipment_rate" data-colour="red"' in page
    assert "5.2%" in page and "6.1%" in page and "+1.20 pts" in page
    assert "212 at month end, lowest 198" in page
    assert "3 opened, 2 resolved, 1 waiting for Amazon over 24 hours" in page
    assert "4 used, 1 invalid, 0 days frozen" in page
    assert "Supplier invoice" in page and "Power bill" in page


def test_the_checklist_reads_in_the_readers_language(agency_a, client_as, review):
    client = client_as(agency_a.operator)
    assert "AHR at or above target" in client.get(page_of(review)).content.decode()
    agency_a.operator.language = "zh-hans"
    agency_a.operator.save(update_fields=["language"])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(page_of(review)).content.decode()
    assert "账户健康评级达标" in page and "AHR at or above target" not in page


def test_another_agencys_review_page_is_not_found(agency_a, agency_b, client_as, review):
    for user in (agency_b.owner, agency_b.manager):
        assert client_as(user).get(page_of(review)).status_code == 404
        assert client_as(user).post(page_of(review), {"action": "approve"}).status_code == 404
    assert client_as(agency_a.idle_operator).get(page_of(review)).status_code == 404


# -- the reviewer's work ---------------------------------------------------------------------------------------------
def test_the_operator_answers_and_submits_their_review(agency_a, client_as, review):
    client = client_as(agency_a.operator)
    page = client.get(page_of(review)).content.decode()
    assert 'value="submit"' in page and 'value="approve"' not in page and 'value="return"' not in page
    answer = client.post(page_of(review), {"action": "submit", "comment": "LSR plan attached.",
                                           **answered(ahr_on_target=("done", ""),
                                                      cases_followed_up=("issue_found", "Case 123 unanswered"))})
    assert answer.status_code == 302
    review = fresh(review)
    assert review.status == Status.SUBMITTED and review.issues_found
    assert review.comment == "LSR plan attached."
    assert review.answers["cases_followed_up"] == {"answer": "issue_found", "note": "Case 123 unanswered"}
    assert events_of(review)[-1][:2] == (Status.IN_PROGRESS, Status.SUBMITTED)


def test_a_pending_review_submitted_from_the_page_is_started_first(agency_a, client_as, review):
    with scopes_disabled():
        StoreReview.objects.filter(pk=review.pk).update(status=Status.PENDING)
    client_as(agency_a.operator).post(page_of(review), {"action": "submit", **answered(ahr_on_target=("done", ""))})
    assert fresh(review).status == Status.SUBMITTED
    assert [event[:2] for event in events_of(review)] == [(Status.PENDING, Status.IN_PROGRESS),
                                                           (Status.IN_PROGRESS, Status.SUBMITTED)]


def test_submitting_with_a_required_item_unanswered_is_an_error_on_the_page(agency_a, client_as, review):
    answer = client_as(agency_a.operator).post(page_of(review), {"action": "submit"})
    assert answer.status_code == 200
    assert "Answer the required items first" in answer.content.decode()
    assert fresh(review).status == Status.IN_PROGRESS


def test_an_issue_without_a_note_is_an_error_and_what_was_typed_stays(agency_a, client_as, review):
    answer = client_as(agency_a.operator).post(page_of(review), {
        "action": "save", **answered(ahr_on_target=("issue_found", "")), "comment": "typed"})
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "Say what issue was found" in page
    assert 'name="answer-ahr_on_target" value="issue_found" checked' in page
    assert fresh(review).answers == {}


# -- the manager's sign-off ------------------------------------------------------------------------------------------
def submitted(review):
    with scopes_disabled():
        StoreReview.objects.filter(pk=review.pk).update(status=Status.SUBMITTED,
                                                       answers={"ahr_on_target": {"answer": "done", "note": ""}})
    return fresh(review)


def test_a_manager_approves_a_submitted_review(agency_a, client_as, review):
    review = submitted(review)
    client = client_as(agency_a.manager)
    page = client.get(page_of(review)).content.decode()
    assert 'value="approve"' in page and 'value="return"' in page and 'value="submit"' not in page
    assert client.post(page_of(review), {"action": "approve"}).status_code == 302
    review = fresh(review)
    assert review.status == Status.APPROVED and review.approved_by == agency_a.manager
    page = client.get(page_of(review)).content.decode()
    assert 'id="review-status" data-status="approved"' in page and 'id="review-buttons"' not in page


def test_an_operator_never_approves_the_refusal_is_shown_not_a_500(agency_a, client_as, review):
    review = submitted(review)
    client = client_as(agency_a.operator)
    assert 'value="approve"' not in client.get(page_of(review)).content.decode()
    answer = client.post(page_of(review), {"action": "approve"})
    assert answer.status_code == 200
    assert "not one of its moves for you now" in answer.content.decode()
    assert fresh(review).status == Status.SUBMITTED


def test_returning_needs_a_comment_which_the_trail_keeps(agency_a, client_as, review):
    review = submitted(review)
    client = client_as(agency_a.manager)
    answer = client.post(page_of(review), {"action": "return", "manager_comment": "  "})
    assert answer.status_code == 200 and "Say what the reviewer should do again." in answer.content.decode()
    assert fresh(review).status == Status.SUBMITTED
    client.post(page_of(review), {"action": "return", "manager_comment": "Add the plan of action."})
    assert fresh(review).status == Status.RETURNED
    assert events_of(review)[-1] == (Status.SUBMITTED, Status.RETURNED, "Add the plan of action.")
    assert "Add the plan of action." in client.get(page_of(review)).content.decode()


def test_a_viewer_reads_the_page_without_buttons_and_may_not_post(agency_a, client_as, review):
    client = client_as(agency_a.viewer)
    page = client.get(page_of(review)).content.decode()
    assert 'id="review-buttons"' not in page and 'type="radio"' not in page
    assert client.post(page_of(review), {"action": "save"}).status_code == 403


def test_nobody_adds_or_deletes_a_review(agency_a, client_as, review):
    client = client_as(agency_a.owner)
    assert client.get(f"{LIST}add/").status_code == 403
    assert client.post(f"{LIST}{review.pk}/delete/", {"post": "yes"}).status_code == 403
    assert fresh(review) is not None


# -- bulk approval ---------------------------------------------------------------------------------------------------
def test_bulk_approval_approves_the_clean_submitted_reviews_and_names_the_refused(agency_a, client_as, review):
    cycle = review.cycle
    clean = submitted(review)
    with_issues = review_of(cycle, agency_a.other_store, status=Status.SUBMITTED, issues_found=True)
    pending = review_of(cycle, StoreFactory(agency=agency_a.agency, client=agency_a.client, name="Pending store"),
                        status=Status.PENDING)
    answer = client_as(agency_a.manager).post(LIST, {
        "action": "approve_without_issues", "_selected_action": [clean.pk, with_issues.pk, pending.pk]}, follow=True)
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "1 review approved." in page
    assert "Unassigned store A" in page and "found issues" in page
    assert "Pending store" in page
    assert [fresh(row).status for row in (clean, with_issues, pending)] == [Status.APPROVED, Status.SUBMITTED,
                                                                            Status.PENDING]


def test_operators_are_not_offered_bulk_approval_nor_may_they_post_it(agency_a, client_as, review):
    review = submitted(review)
    client = client_as(agency_a.operator)
    assert "approve_without_issues" not in client.get(LIST).content.decode()
    client.post(LIST, {"action": "approve_without_issues", "_selected_action": [review.pk]})
    assert fresh(review).status == Status.SUBMITTED


# -- cycles, policy, checklist ---------------------------------------------------------------------------------------
def test_a_manager_opens_a_past_month_by_hand_and_lands_on_its_board(agency_a, client_as):
    client = client_as(agency_a.manager)
    assert "Open a past month" in client.get("/admin/reviews/reviewcycle/").content.decode()
    answer = client.post("/admin/reviews/reviewcycle/open/", {"month": "2026-09"})
    with scopes_disabled():
        cycle = ReviewCycle.objects.get(agency=agency_a.agency)
    assert answer.status_code == 302 and answer["Location"].endswith(f"board/?cycle={cycle.pk}")
    assert cycle.month == datetime.date(2026, 9, 1)
    again = client.post("/admin/reviews/reviewcycle/open/", {"month": "2026-09"})
    assert again.status_code == 302
    with scopes_disabled():
        assert ReviewCycle.objects.filter(agency=agency_a.agency).count() == 1


def test_the_current_month_or_a_typo_is_an_error_on_the_form(agency_a, client_as):
    client = client_as(agency_a.manager)
    this_month = agency_a.agency.today().strftime("%Y-%m")
    page = client.post("/admin/reviews/reviewcycle/open/", {"month": this_month}).content.decode()
    assert "is not over yet" in page
    assert "Write the month as YYYY-MM" in client.post("/admin/reviews/reviewcycle/open/",
                                                       {"month": "Sept"}).content.decode()
    with scopes_disabled():
        assert not ReviewCycle.objects.filter(agency=agency_a.agency).exists()


def test_operators_and_viewers_may_not_open_a_cycle(agency_a, client_as):
    for user in (agency_a.operator, agency_a.viewer):
        client = client_as(user)
        assert "Open a past month" not in client.get("/admin/reviews/reviewcycle/").content.decode()
        assert client.post("/admin/reviews/reviewcycle/open/", {"month": "2026-09"}).status_code == 403


def test_a_manager_sets_the_due_day_and_a_viewer_reads_it(agency_a, client_as):
    client = client_as(agency_a.manager)
    current = client.get("/admin/reviews/reviewpolicy/current/", follow=True)
    assert current.status_code == 200
    with scopes_disabled():
        policy = ReviewPolicy.objects.get(agency=agency_a.agency)
    url = f"/admin/reviews/reviewpolicy/{policy.pk}/change/"
    assert "Ensure this value is less than or equal to 28" in client.post(url, {"due_day": 31}).content.decode()
    assert client.post(url, {"due_day": 8}).status_code == 302
    policy.refresh_from_db()
    assert policy.due_day == 8
    assert client_as(agency_a.viewer).post(url, {"due_day": 3}).status_code == 403
    policy.refresh_from_db()
    assert policy.due_day == 8


def test_a_manager_writes_a_new_checklist_version_and_a_bad_line_is_named(agency_a, client_as):
    client = client_as(agency_a.manager)
    form = client.get("/admin/reviews/checklistversion/add/").content.decode()
    assert "ahr_on_target |" in form  # filled in with the current (default) items
    bad = client.post("/admin/reviews/checklistversion/add/", {"items_text": "ahr_on_target | AHR ok"})
    assert bad.status_code == 200 and "Line 1" in bad.content.decode()
    lines = "ahr_on_target | AHR on target | 账户健康达标 | required\nnotes_read | Notes read | 已读备注 | optional"
    assert client.post("/admin/reviews/checklistversion/add/", {"items_text": lines}).status_code == 302
    with scopes_disabled():
        latest = ChecklistVersion.objects.filter(agency=agency_a.agency).order_by("-number").first()
    assert [item["code"] for item in latest.items] == ["ahr_on_target", "notes_read"]
    assert latest.items[1]["required"] is False
    current = client.get("/admin/reviews/checklistversion/current/", follow=True).content.decode()
    assert "Notes read" in current
    assert client_as(agency_a.operator).get("/admin/reviews/checklistversion/add/").status_code == 403
