"""The reviewer's work and the manager's sign-off through the services (``reviews.services``), by every role: who
may make which move of a review's status, which moves each status refuses (on ``status``, naming it and the
moves it allows), what every move records, and the checklist and the policy a manager changes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from accounts.tenancy import Caller
from reviews import services, summary
from reviews.models import ChecklistVersion, ReviewEvent, StoreReview
from tests.reviews.factories import ReviewCycleFactory, StoreReviewFactory

Status = StoreReview.Status
COMPLETE = {"ahr_on_target": {"answer": "done", "note": ""}}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def in_agency_a(agency_a):
    with agency_a.scope():
        yield


@pytest.fixture(autouse=True)
def summaries(monkeypatch):
    """The summary helper's stand-in (``reviews.summary`` is tested on its own): the month, newly computed."""
    def month_summaries(*, agency, store_ids, month):
        return {store_id: {"month": month.strftime("%Y-%m"), "refreshed": True} for store_id in store_ids}

    monkeypatch.setattr(summary, "month_summaries", month_summaries, raising=False)


def caller_as(persona, who):
    """The caller of ``who``: a role of the persona's staff, ``"operator of another store"``, or a key."""
    if who == "rw key":
        return Caller.key(persona.rw_key)
    if who == "ro key":
        return Caller.key(persona.ro_key)
    if who == "operator of another store":
        return Caller.person(agency=persona.agency, user=persona.idle_operator, role="operator")
    return Caller.person(agency=persona.agency, user=persona.staff[who], role=persona.staff[who].memberships.get(
        agency=persona.agency).role)


@pytest.fixture
def cycle(agency_a):
    return ReviewCycleFactory(agency=agency_a.agency)


@pytest.fixture
def review_in(agency_a, cycle):
    """``review_in(status, answers=...)``: a review of A's assigned store (its operator reviews it) in ``status``."""
    def make(status, answers=None, issues_found=False):
        return StoreReviewFactory(store=agency_a.assigned_store, cycle=cycle, reviewer=agency_a.operator,
                                  status=status, answers=COMPLETE if answers is None else answers,
                                  issues_found=issues_found)

    return make


def events_of(review):
    return list(ReviewEvent.objects.filter(review=review).order_by("pk").values_list(
        "kind", "from_status", "to_status", "comment"))


# The moves of the workflow: the status a review must be in, the service, its keyword arguments, where it ends.
MOVES = {
    "start": (Status.PENDING, services.review_start, {}, Status.IN_PROGRESS),
    "restart": (Status.RETURNED, services.review_start, {}, Status.IN_PROGRESS),
    "submit": (Status.IN_PROGRESS, services.review_submit, {"comment": "All checked"}, Status.SUBMITTED),
    "approve": (Status.SUBMITTED, services.review_approve, {"comment": "Fine"}, Status.APPROVED),
    "return": (Status.SUBMITTED, services.review_return, {"comment": "Explain the LSR"}, Status.RETURNED),
}
WORK = {"start", "restart", "submit"}
SIGN_OFF = {"approve", "return"}
MAY = {
    "owner": WORK | SIGN_OFF,
    "manager": WORK | SIGN_OFF,
    "operator": WORK,
    "rw key": WORK | SIGN_OFF,
    "viewer": set(),
    "ro key": set(),
    "operator of another store": set(),
}


@pytest.mark.parametrize("who", list(MAY))
@pytest.mark.parametrize("move", list(MOVES))
def test_each_role_makes_exactly_the_moves_it_may(agency_a, review_in, who, move):
    start, service, kwargs, end = MOVES[move]
    review = review_in(start)
    caller = caller_as(agency_a, who)

    if move in MAY[who]:
        moved = service(agency=agency_a.agency, caller=caller, review=review, **kwargs)
        assert moved.status == end
        event = ReviewEvent.objects.get(review=review)
        assert (event.kind, event.from_status, event.to_status, event.comment) == (
            "move", start, end, kwargs.get("comment", ""))
        assert (event.actor, event.api_key) == (
            (None, caller.api_key) if caller.api_key else (caller.user, None))
        return
    # An operator does not even see another store's review; the others may not make the move.
    refusal = StoreReview.DoesNotExist if who == "operator of another store" and move in WORK else PermissionDenied
    with pytest.raises(refusal):
        service(agency=agency_a.agency, caller=caller, review=review, **kwargs)
    review.refresh_from_db()
    assert review.status == start and events_of(review) == []


@pytest.mark.parametrize("move", list(MOVES))
@pytest.mark.parametrize("status", list(Status))
def test_every_move_the_status_does_not_allow_is_refused_naming_it(agency_a, review_in, move, status):
    start, service, kwargs, _end = MOVES[move]
    if status == start or (move in ("start", "restart") and status in (Status.PENDING, Status.RETURNED)):
        return  # an allowed move (the other test)
    review = review_in(status)

    with pytest.raises(ValidationError) as error:
        service(agency=agency_a.agency, caller=caller_as(agency_a, "manager"), review=review, **kwargs)

    (message,) = error.value.message_dict["status"]
    assert message.startswith(f"This review is {status.label}: ")
    review.refresh_from_db()
    assert review.status == status and events_of(review) == []


def test_a_submission_with_a_required_item_unanswered_is_refused_naming_it(agency_a, review_in):
    review = review_in(Status.IN_PROGRESS, answers={"cases_followed_up": {"answer": "done", "note": ""}})
    with pytest.raises(ValidationError) as error:
        services.review_submit(agency=agency_a.agency, caller=caller_as(agency_a, "operator"), review=review)
    assert error.value.message_dict == {"answers": [
        "Answer the required items first: “ahr_on_target” (AHR at or above target)."]}
    review.refresh_from_db()
    assert review.status == Status.IN_PROGRESS


def test_a_return_needs_a_comment(agency_a, review_in):
    review = review_in(Status.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        services.review_return(agency=agency_a.agency, caller=caller_as(agency_a, "manager"), review=review,
                               comment="  ")
    assert list(error.value.message_dict) == ["comment"]


def test_the_whole_round_is_recorded_in_order(agency_a, review_in):
    operator, manager = caller_as(agency_a, "operator"), caller_as(agency_a, "manager")
    review = review_in(Status.PENDING, answers={})
    services.review_answers_set(agency=agency_a.agency, caller=operator, review=review, answers={
        "ahr_on_target": {"answer": "issue_found", "note": "AHR 180"}})
    services.review_submit(agency=agency_a.agency, caller=operator, review=review)
    services.review_return(agency=agency_a.agency, caller=manager, review=review, comment="Add the plan")
    services.review_answers_set(agency=agency_a.agency, caller=operator, review=review, comment="Plan filed")
    services.review_submit(agency=agency_a.agency, caller=operator, review=review, comment="Again")
    approved = services.review_approve(agency=agency_a.agency, caller=manager, review=review)

    assert events_of(review) == [
        ("move", "pending", "in_progress", ""), ("move", "in_progress", "submitted", ""),
        ("move", "submitted", "returned", "Add the plan"), ("move", "returned", "in_progress", ""),
        ("move", "in_progress", "submitted", "Again"), ("move", "submitted", "approved", "")]
    assert (approved.status, approved.approved_by, approved.comment, approved.issues_found) == (
        Status.APPROVED, agency_a.manager, "Plan filed", True)
    assert approved.approved_at is not None and approved.submitted_at is not None


# -- answers ---------------------------------------------------------------------------------------------------
def test_answering_a_pending_review_starts_it_and_keeps_the_answers(agency_a, review_in):
    review = review_in(Status.PENDING, answers={})
    answered = services.review_answers_set(
        agency=agency_a.agency, caller=caller_as(agency_a, "operator"), review=review,
        answers={"ahr_on_target": "done", "cases_followed_up": {"answer": "issue_found", "note": "Case 123 late"}})
    assert answered.status == Status.IN_PROGRESS and answered.issues_found
    review.refresh_from_db()
    assert review.answers == {"ahr_on_target": {"answer": "done", "note": ""},
                              "cases_followed_up": {"answer": "issue_found", "note": "Case 123 late"}}
    assert events_of(review) == [("move", "pending", "in_progress", "")]


def test_answers_are_laid_over_the_earlier_ones_and_clearing_the_issue_clears_the_flag(agency_a, review_in):
    review = review_in(Status.IN_PROGRESS, answers={
        "ahr_on_target": {"answer": "done", "note": ""},
        "cases_followed_up": {"answer": "issue_found", "note": "late"}}, issues_found=True)
    services.review_answers_set(agency=agency_a.agency, caller=caller_as(agency_a, "operator"), review=review,
                                answers={"cases_followed_up": "done"})
    review.refresh_from_db()
    assert review.answers["ahr_on_target"]["answer"] == "done" and not review.issues_found
    assert events_of(review) == []  # already in progress: no move


def test_a_bad_answer_changes_nothing_not_even_the_status(agency_a, review_in):
    review = review_in(Status.PENDING, answers={})
    with pytest.raises(ValidationError) as error:
        services.review_answers_set(agency=agency_a.agency, caller=caller_as(agency_a, "operator"), review=review,
                                    answers={"ahr_on_target": "issue_found"})
    assert list(error.value.message_dict) == ["answers"]
    review.refresh_from_db()
    assert (review.status, review.answers, events_of(review)) == (Status.PENDING, {}, [])


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPROVED])
def test_a_submitted_or_approved_review_s_answers_no_longer_change(agency_a, review_in, status):
    review = review_in(status)
    with pytest.raises(ValidationError) as error:
        services.review_answers_set(agency=agency_a.agency, caller=caller_as(agency_a, "manager"), review=review,
                                    answers={"ahr_on_target": None}, comment="changed")
    assert list(error.value.message_dict) == ["status"]
    review.refresh_from_db()
    assert review.answers == COMPLETE and review.comment == ""


# -- refresh ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [Status.PENDING, Status.IN_PROGRESS, Status.RETURNED])
def test_a_refresh_before_submission_recomputes_the_month_and_is_recorded(agency_a, review_in, status):
    review = review_in(status)
    before = review.summary_at
    refreshed = services.review_refresh(agency=agency_a.agency, caller=caller_as(agency_a, "operator"),
                                        review=review)
    assert refreshed.summary == {"month": "2026-10", "refreshed": True} and refreshed.summary_at > before
    assert refreshed.status == status
    assert events_of(review) == [("refresh", status, status, "")]


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPROVED])
def test_a_signed_or_submitted_review_is_never_refreshed(agency_a, review_in, status):
    review = review_in(status)
    with pytest.raises(ValidationError) as error:
        services.review_refresh(agency=agency_a.agency, caller=caller_as(agency_a, "manager"), review=review)
    assert list(error.value.message_dict) == ["status"]
    review.refresh_from_db()
    assert review.summary == {} and events_of(review) == []


@pytest.mark.parametrize("who", ["viewer", "ro key"])
def test_readers_never_refresh(agency_a, review_in, who):
    with pytest.raises(PermissionDenied):
        services.review_refresh(agency=agency_a.agency, caller=caller_as(agency_a, who),
                                review=review_in(Status.PENDING))


# -- bulk approval ---------------------------------------------------------------------------------------------
def test_bulk_approval_approves_the_submitted_reviews_without_issues_and_names_the_others(agency_a, cycle):
    clean = StoreReviewFactory(store=agency_a.assigned_store, cycle=cycle, status=Status.SUBMITTED)
    with_issues = StoreReviewFactory(store=agency_a.other_store, cycle=cycle, status=Status.SUBMITTED,
                                     issues_found=True)
    other_cycle = ReviewCycleFactory(agency=agency_a.agency, month=cycle.month.replace(month=9),
                                     checklist=cycle.checklist)
    pending = StoreReviewFactory(store=agency_a.assigned_store, cycle=other_cycle, status=Status.PENDING)

    approved, refused = services.reviews_approve_bulk(agency=agency_a.agency, caller=caller_as(agency_a, "manager"),
                                                      reviews=[clean, with_issues, pending])

    assert [review.pk for review in approved] == [clean.pk]
    assert {review.pk: list(error.message_dict) for review, error in refused} == {
        with_issues.pk: ["issues_found"], pending.pk: ["status"]}
    statuses = dict(StoreReview.objects.values_list("pk", "status"))
    assert statuses == {clean.pk: "approved", with_issues.pk: "submitted", pending.pk: "pending"}
    assert events_of(clean) == [("move", "submitted", "approved", "")]
    assert ReviewEvent.objects.get(review=clean).actor == agency_a.manager


@pytest.mark.parametrize("who", ["operator", "viewer", "ro key"])
def test_only_managers_approve_in_bulk(agency_a, review_in, who):
    with pytest.raises(PermissionDenied):
        services.reviews_approve_bulk(agency=agency_a.agency, caller=caller_as(agency_a, who),
                                      reviews=[review_in(Status.SUBMITTED)])


# -- the checklist and the policy ------------------------------------------------------------------------------
NEW_ITEMS = [{"code": "ahr_on_target", "en": "AHR fine", "zh-hans": "AHR 正常", "required": True},
             {"code": "own_check", "en": "Our own check", "zh-hans": "我们的自查", "required": False}]


def test_a_revision_writes_a_new_version_after_the_defaults(agency_a):
    first = services.checklist_revise(agency=agency_a.agency, caller=caller_as(agency_a, "manager"), items=NEW_ITEMS)
    second = services.checklist_revise(agency=agency_a.agency, caller=caller_as(agency_a, "rw key"), items=NEW_ITEMS)
    assert (first.number, second.number) == (2, 3)
    assert list(ChecklistVersion.objects.values_list("number", flat=True)) == [3, 2, 1]
    assert first.items == NEW_ITEMS and first.created_by == agency_a.manager


def test_a_cycle_already_open_keeps_its_version_after_a_revision(agency_a, review_in):
    review = review_in(Status.IN_PROGRESS)
    services.checklist_revise(agency=agency_a.agency, caller=caller_as(agency_a, "manager"), items=NEW_ITEMS)
    with pytest.raises(ValidationError) as error:  # the new item is not in this cycle's version
        services.review_answers_set(agency=agency_a.agency, caller=caller_as(agency_a, "operator"), review=review,
                                    answers={"own_check": "done"})
    assert "“own_check” is not an item of this checklist." in error.value.message_dict["answers"]


@pytest.mark.parametrize("who", ["operator", "viewer", "ro key"])
def test_only_managers_revise_the_checklist(agency_a, who):
    with pytest.raises(PermissionDenied):
        services.checklist_revise(agency=agency_a.agency, caller=caller_as(agency_a, who), items=NEW_ITEMS)
    assert not ChecklistVersion.objects.exists()


def test_a_bad_revision_writes_nothing(agency_a):
    with pytest.raises(ValidationError):
        services.checklist_revise(agency=agency_a.agency, caller=caller_as(agency_a, "manager"), items=[{"code": "x"}])
    assert not ChecklistVersion.objects.exists()


@pytest.mark.parametrize(("value", "field"), [(0, "due_day"), (29, "due_day"), ("5th", "due_day")])
def test_the_due_day_is_a_day_from_1_to_28(agency_a, value, field):
    with pytest.raises(ValidationError) as error:
        services.review_policy_set(agency=agency_a.agency, caller=caller_as(agency_a, "manager"), due_day=value)
    assert list(error.value.message_dict) == [field]


def test_a_manager_sets_the_due_day(agency_a):
    policy = services.review_policy_set(agency=agency_a.agency, caller=caller_as(agency_a, "manager"), due_day=10)
    assert policy.due_day == 10


def test_an_operator_does_not_set_the_policy(agency_a):
    with pytest.raises(PermissionDenied):
        services.review_policy_set(agency=agency_a.agency, caller=caller_as(agency_a, "operator"), due_day=10)
