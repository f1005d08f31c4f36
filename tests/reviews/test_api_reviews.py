"""The monthly review over the API: the list and its filters, one review with its checklist in the caller's language,
the answers (PATCH), the moves (``/start/``, ``/submit/``, ``/approve/``, ``/return/``, and ``/refresh/``) by every
role, the cycles, the policy and the checklist.

Operators act on their stores' reviews only (another is a 404) and never approve or return (403); viewers and
read-only keys read (403 on a write); a move the status does not allow is a 409 naming the current status and the
moves it allows."""

import pytest

from accounts.models import Agency, User
from reviews import summary
from reviews.models import ChecklistVersion, ReviewCycle, ReviewEvent, ReviewPolicy, StoreReview
from tests.reviews.factories import ReviewCycleFactory, StoreReviewFactory

Status = StoreReview.Status
COMPLETE = {"ahr_on_target": {"answer": "done", "note": ""}}


@pytest.fixture(autouse=True)
def in_english(agency_a, agency_b):
    """The API answers people and keys in their agency's language unless told otherwise: English here."""
    Agency.objects.filter(pk__in=[agency_a.agency.pk, agency_b.agency.pk]).update(default_language="en")


@pytest.fixture(autouse=True)
def in_agency_a(agency_a):
    with agency_a.scope():
        yield


@pytest.fixture(autouse=True)
def summaries(monkeypatch):
    """The summary helper's stand-in (``reviews.summary`` is tested on its own)."""
    def month_summaries(*, agency, store_ids, month):
        return {store_id: {"month": month.strftime("%Y-%m"), "ahr": {"month_end": 640}} for store_id in store_ids}

    monkeypatch.setattr(summary, "month_summaries", month_summaries, raising=False)


@pytest.fixture
def cycle(agency_a):
    return ReviewCycleFactory(agency=agency_a.agency)


@pytest.fixture
def review_in(agency_a, cycle):
    """``review_in(status, store=...)``: a review of the cycle (A's assigned store unless told) in ``status``."""
    def make(status, store=None, answers=None, **kwargs):
        store = store or agency_a.assigned_store
        return StoreReviewFactory(store=store, cycle=cycle, status=status,
                                  reviewer=agency_a.operator if store == agency_a.assigned_store else None,
                                  answers=COMPLETE if answers is None else answers, **kwargs)

    return make


def client_of(persona, api_as, who):
    if who == "rw key":
        return api_as(persona.rw_header)
    if who == "ro key":
        return api_as(persona.ro_header)
    return api_as(persona.staff[who])


def status_of(review):
    review.refresh_from_db()
    return review.status


# -- the moves, by every role --------------------------------------------------------------------------------------
MOVES = {
    "start": (Status.PENDING, {}, Status.IN_PROGRESS),
    "submit": (Status.IN_PROGRESS, {"comment": "All checked"}, Status.SUBMITTED),
    "approve": (Status.SUBMITTED, {"comment": "Fine"}, Status.APPROVED),
    "return": (Status.SUBMITTED, {"comment": "Explain the LSR"}, Status.RETURNED),
}
WORK, SIGN_OFF = {"start", "submit"}, {"approve", "return"}
ANSWERS = {
    # who: (the moves allowed; the code of any other move)
    "owner": (WORK | SIGN_OFF, None),
    "manager": (WORK | SIGN_OFF, None),
    "operator": (WORK, 403),
    "rw key": (WORK | SIGN_OFF, None),
    "viewer": (set(), 403),
    "ro key": (set(), 403),
}


@pytest.mark.parametrize("who", list(ANSWERS))
@pytest.mark.parametrize("move", list(MOVES))
def test_each_role_makes_exactly_the_moves_it_may(agency_a, api_as, review_in, who, move):
    start, body, end = MOVES[move]
    review = review_in(start)
    allowed, refused = ANSWERS[who]
    client = client_of(agency_a, api_as, who)

    state = client.get(f"/api/v1/reviews/{review.pk}/{move}/")
    answer = client.post(f"/api/v1/reviews/{review.pk}/{move}/", body, format="json")

    assert state.status_code == 200
    assert state.json()["allowed"] is (move in allowed)
    if move in allowed:
        assert answer.status_code == 200, answer.content
        assert answer.json()["status"] == end
        last = answer.json()["events"][-1]
        assert (last["from_status"], last["to_status"], last["comment"]) == (start, end, body.get("comment", ""))
        assert last["by_kind"] == ("api_key" if who.endswith("key") else "person")
        assert status_of(review) == end
    else:
        assert answer.status_code == refused, answer.content
        assert status_of(review) == start and not ReviewEvent.objects.filter(review=review).exists()


@pytest.mark.parametrize("move", list(MOVES))
def test_an_operator_of_another_store_gets_a_404_for_every_move(agency_a, api_as, review_in, move):
    start, body, _end = MOVES[move]
    review = review_in(start, store=agency_a.other_store)
    client = api_as(agency_a.operator)
    assert client.get(f"/api/v1/reviews/{review.pk}/{move}/").status_code == 404
    assert client.post(f"/api/v1/reviews/{review.pk}/{move}/", body, format="json").status_code == 404
    assert status_of(review) == start


def test_an_operator_without_the_store_gets_a_404_for_its_review(agency_a, api_as, review_in):
    review = review_in(Status.PENDING)
    client = api_as(agency_a.idle_operator)
    assert client.get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    assert client.patch(f"/api/v1/reviews/{review.pk}/", {"comment": "x"}, format="json").status_code == 404


def test_another_agency_s_review_is_a_404_for_everyone(agency_b, api_as, review_in):
    review = review_in(Status.SUBMITTED)
    client = api_as(agency_b.owner)
    assert client.get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    assert client.post(f"/api/v1/reviews/{review.pk}/approve/", {}, format="json").status_code == 404
    assert status_of(review) == Status.SUBMITTED


@pytest.mark.parametrize(("status", "move"), [(Status.PENDING, "submit"), (Status.IN_PROGRESS, "approve"),
                                              (Status.APPROVED, "return"), (Status.SUBMITTED, "start"),
                                              (Status.APPROVED, "start")])
def test_a_wrong_move_is_a_409_naming_the_current_status_and_the_allowed_moves(
        agency_a, api_as, review_in, status, move):
    review = review_in(status)
    answer = api_as(agency_a.manager).post(f"/api/v1/reviews/{review.pk}/{move}/", {"comment": "x"},
                                           format="json")
    assert answer.status_code == 409
    body = answer.json()
    expected_moves = {Status.PENDING: ["in_progress"], Status.IN_PROGRESS: ["submitted"], Status.APPROVED: [],
                      Status.SUBMITTED: ["approved", "returned"]}[status]
    assert (body["current_status"], body["allowed_moves"]) == (status, expected_moves)
    assert body["status"][0].startswith(f"This review is {status.label}: ")


def test_the_409_for_an_approved_review_says_it_can_no_longer_change(agency_a, api_as, review_in):
    review = review_in(Status.APPROVED)
    answer = api_as(agency_a.manager).post(f"/api/v1/reviews/{review.pk}/approve/", {}, format="json")
    assert answer.json()["status"] == ["This review is Approved: it can no longer change."]


def test_a_return_without_a_comment_is_a_400_on_comment(agency_a, api_as, review_in):
    review = review_in(Status.SUBMITTED)
    answer = api_as(agency_a.manager).post(f"/api/v1/reviews/{review.pk}/return/", {}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["comment"]
    assert status_of(review) == Status.SUBMITTED


def test_a_submission_with_required_items_unanswered_is_a_400_naming_them(agency_a, api_as, review_in):
    review = review_in(Status.IN_PROGRESS, answers={})
    answer = api_as(agency_a.operator).post(f"/api/v1/reviews/{review.pk}/submit/", {}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"answers": ["Answer the required items first: “ahr_on_target” (AHR at or above "
                                         "target)."]}


def test_the_state_of_a_move_says_what_the_status_allows(agency_a, api_as, review_in):
    review = review_in(Status.SUBMITTED)
    answer = api_as(agency_a.manager).get(f"/api/v1/reviews/{review.pk}/submit/")
    assert answer.json() == {"id": review.pk, "status": "submitted", "allowed_moves": ["approved", "returned"],
                             "allowed": False}


# -- refresh ---------------------------------------------------------------------------------------------------
def test_a_refresh_recomputes_the_month_and_is_in_the_trail(agency_a, api_as, review_in):
    review = review_in(Status.IN_PROGRESS)
    answer = api_as(agency_a.operator).post(f"/api/v1/reviews/{review.pk}/refresh/", format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["summary"] == {"month": "2026-10", "ahr": {"month_end": 640}}
    assert (body["events"][-1]["kind"], body["status"]) == ("refresh", "in_progress")


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPROVED])
def test_a_submitted_or_approved_review_is_not_refreshed(agency_a, api_as, review_in, status):
    review = review_in(status)
    client = api_as(agency_a.manager)
    assert client.get(f"/api/v1/reviews/{review.pk}/refresh/").json()["allowed"] is False
    answer = client.post(f"/api/v1/reviews/{review.pk}/refresh/", format="json")
    assert answer.status_code == 409 and answer.json()["current_status"] == status
    review.refresh_from_db()
    assert review.summary == {}


@pytest.mark.parametrize("who", ["viewer", "ro key"])
def test_readers_do_not_refresh(agency_a, api_as, review_in, who):
    review = review_in(Status.PENDING)
    assert client_of(agency_a, api_as, who).post(f"/api/v1/reviews/{review.pk}/refresh/").status_code == 403


# -- one review and its answers ------------------------------------------------------------------------------------
def test_a_review_reads_with_its_summary_checklist_answers_and_trail(agency_a, api_as, review_in):
    review = review_in(Status.IN_PROGRESS, summary={"month": "2026-10"})
    ReviewEvent.objects.create(agency=agency_a.agency, review=review, from_status="pending", to_status="in_progress",
                               actor=agency_a.operator, at=review.summary_at)

    body = api_as(agency_a.viewer).get(f"/api/v1/reviews/{review.pk}/").json()

    assert (body["month"], body["due_on"], body["store"], body["reviewer"]) == (
        "2026-10", "2026-11-05", agency_a.assigned_store.pk, agency_a.operator.pk)
    assert body["summary"] == {"month": "2026-10"} and body["checklist_version"] == 1
    assert body["checklist"] == [
        {"code": "ahr_on_target", "text": "AHR at or above target", "required": True, "answer": "done", "note": ""},
        {"code": "cases_followed_up", "text": "Open cases followed up", "required": False, "answer": None,
         "note": ""}]
    assert body["events"] == [{"kind": "move", "from_status": "pending", "to_status": "in_progress",
                               "at": body["events"][0]["at"], "by": agency_a.operator.email, "by_kind": "person",
                               "comment": ""}]
    assert body["allowed_moves"] == ["submitted"]


def test_the_checklist_reads_in_the_caller_s_language(agency_a, api_as, review_in):
    User.objects.filter(pk=agency_a.operator.pk).update(language="zh-hans")
    review = review_in(Status.PENDING)
    body = api_as(agency_a.operator).get(f"/api/v1/reviews/{review.pk}/").json()
    assert [item["text"] for item in body["checklist"]] == ["账户健康评级达标", "未结案例已跟进"]


def test_patching_answers_starts_a_pending_review(agency_a, api_as, review_in):
    review = review_in(Status.PENDING, answers={})
    answer = api_as(agency_a.operator).patch(f"/api/v1/reviews/{review.pk}/", {
        "answers": {"ahr_on_target": {"answer": "issue_found", "note": "AHR fell to 180"}},
        "comment": "AHR at risk; plan filed"}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["status"], body["issues_found"], body["comment"]) == ("in_progress", True,
                                                                       "AHR at risk; plan filed")
    assert body["checklist"][0] | {"text": None} == {"code": "ahr_on_target", "text": None, "required": True,
                                                    "answer": "issue_found", "note": "AHR fell to 180"}
    assert [(event["from_status"], event["to_status"]) for event in body["events"]] == [("pending", "in_progress")]


def test_a_bad_answer_is_a_400_on_answers(agency_a, api_as, review_in):
    review = review_in(Status.IN_PROGRESS)
    answer = api_as(agency_a.operator).patch(f"/api/v1/reviews/{review.pk}/", {
        "answers": {"ahr_on_target": "issue_found", "nope": "done"}}, format="json")
    assert answer.status_code == 400
    assert len(answer.json()["answers"]) == 2


@pytest.mark.parametrize("who", ["viewer", "ro key"])
def test_readers_do_not_answer(agency_a, api_as, review_in, who):
    review = review_in(Status.IN_PROGRESS)
    answer = client_of(agency_a, api_as, who).patch(f"/api/v1/reviews/{review.pk}/", {"comment": "x"},
                                                    format="json")
    assert answer.status_code == 403


def test_a_submitted_review_s_answers_are_a_409(agency_a, api_as, review_in):
    review = review_in(Status.SUBMITTED)
    answer = api_as(agency_a.operator).patch(f"/api/v1/reviews/{review.pk}/", {"comment": "late"}, format="json")
    assert answer.status_code == 409
    assert (answer.json()["current_status"], answer.json()["allowed_moves"]) == ("submitted",
                                                                                 ["approved", "returned"])


# -- the list ------------------------------------------------------------------------------------------------------
def test_an_operator_lists_only_the_reviews_of_their_stores(agency_a, api_as, review_in):
    mine = review_in(Status.PENDING)
    review_in(Status.PENDING, store=agency_a.other_store)
    body = api_as(agency_a.operator).get("/api/v1/reviews/").json()
    assert [row["id"] for row in body["results"]] == [mine.pk]


def test_the_list_filters_by_month_status_store_operator_and_client(agency_a, api_as, review_in, cycle):
    mine = review_in(Status.SUBMITTED)
    other = review_in(Status.PENDING, store=agency_a.other_store)
    september = ReviewCycleFactory(agency=agency_a.agency, month=cycle.month.replace(month=9),
                                   checklist=cycle.checklist)
    old = StoreReviewFactory(store=agency_a.assigned_store, cycle=september, status=Status.APPROVED)
    client = api_as(agency_a.manager)

    def ids(query):
        answer = client.get(f"/api/v1/reviews/?{query}")
        assert answer.status_code == 200, answer.content
        return {row["id"] for row in answer.json()["results"]}

    assert ids("") == {mine.pk, other.pk, old.pk}
    assert ids("month=2026-10") == {mine.pk, other.pk}
    assert ids("month=2026-09") == {old.pk}
    assert ids("status=submitted&status=approved") == {mine.pk, old.pk}
    assert ids(f"store={agency_a.other_store.pk}") == {other.pk}
    assert ids(f"operator={agency_a.operator.pk}") == {mine.pk}
    assert ids(f"client={agency_a.client.pk}&month=2026-10") == {mine.pk, other.pk}
    assert ids("overdue=true") == {other.pk}  # due on 5 November, still pending


@pytest.mark.parametrize("month", ["2026-13", "october", "2026-1", "2026-10-01"])
def test_a_bad_month_is_a_400_naming_month(agency_a, api_as, month):
    answer = api_as(agency_a.manager).get(f"/api/v1/reviews/?month={month}")
    assert answer.status_code == 400
    assert list(answer.json()) == ["month"] and month in answer.json()["month"][0]


def test_a_store_beyond_the_operator_is_a_400_on_store(agency_a, api_as):
    answer = api_as(agency_a.operator).get(f"/api/v1/reviews/?store={agency_a.other_store.pk}")
    assert answer.status_code == 400 and list(answer.json()) == ["store"]


# -- cycles --------------------------------------------------------------------------------------------------------
def test_a_manager_opens_a_past_month_and_again_finds_it(agency_a, api_as):
    client = api_as(agency_a.manager)
    first = client.post("/api/v1/review-cycles/", {"month": "2026-11"}, format="json")
    again = client.post("/api/v1/review-cycles/", {"month": "2026-11"}, format="json")

    assert (first.status_code, again.status_code) == (201, 200), first.content
    assert first.json()["month"] == "2026-11" and first.json()["due_on"] == "2026-12-05"
    assert first.json()["opened_by"] == agency_a.manager.full_name
    assert ReviewCycle.objects.filter(agency=agency_a.agency).count() == 1
    listed = client.get("/api/v1/review-cycles/").json()["results"]
    assert [row["month"] for row in listed] == ["2026-11"]


@pytest.mark.parametrize(("who", "reviews", "submitted"), [("operator", 1, 0), ("manager", 2, 1), ("ro key", 2, 1)])
def test_a_cycles_counts_are_of_the_reviews_the_caller_sees(agency_a, api_as, review_in, who, reviews, submitted):
    review_in(Status.IN_PROGRESS)
    review_in(Status.SUBMITTED, store=agency_a.other_store)

    listed = client_of(agency_a, api_as, who).get("/api/v1/review-cycles/").json()["results"]

    assert [(row["reviews"], row["by_status"]["submitted"]) for row in listed] == [(reviews, submitted)]


@pytest.mark.parametrize("who", ["operator", "viewer", "ro key"])
def test_only_managers_open_a_cycle(agency_a, api_as, who):
    client = client_of(agency_a, api_as, who)
    assert client.get("/api/v1/review-cycles/").status_code == 200
    assert client.post("/api/v1/review-cycles/", {"month": "2026-11"}, format="json").status_code == 403
    assert not ReviewCycle.objects.exists()


@pytest.mark.parametrize(("month", "message"), [
    ("2026-12", "2026-12 is not over yet"), ("2027-03", "2027-03 is not over yet"),
    ("2026-13", "“2026-13” is not a month")])
def test_the_current_a_future_or_no_month_is_a_400_naming_month(agency_a, api_as, month, message):
    answer = api_as(agency_a.owner).post("/api/v1/review-cycles/", {"month": month}, format="json")
    assert answer.status_code == 400
    assert message in answer.json()["month"][0]


# -- the policy and the checklist ----------------------------------------------------------------------------------
def test_the_policy_reads_its_default_and_a_manager_changes_it(agency_a, api_as):
    client = api_as(agency_a.manager)
    assert client.get("/api/v1/review-policy/").json()["due_day"] == 5
    answer = client.patch("/api/v1/review-policy/", {"due_day": 10}, format="json")
    assert answer.status_code == 200 and answer.json()["due_day"] == 10
    assert ReviewPolicy.objects.get(agency=agency_a.agency).due_day == 10


def test_a_due_day_out_of_bounds_is_a_400_on_due_day(agency_a, api_as):
    answer = api_as(agency_a.manager).patch("/api/v1/review-policy/", {"due_day": 31}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["due_day"]


@pytest.mark.parametrize("who", ["operator", "viewer", "ro key"])
def test_only_managers_change_the_policy(agency_a, api_as, who):
    client = client_of(agency_a, api_as, who)
    assert client.get("/api/v1/review-policy/").status_code == 200
    assert client.patch("/api/v1/review-policy/", {"due_day": 10}, format="json").status_code == 403


def test_the_checklist_is_the_default_until_a_manager_writes_a_version(agency_a, api_as):
    client = api_as(agency_a.manager)
    before = client.get("/api/v1/review-checklist/").json()
    assert before["version"] == 1 and before["items"][0]["code"] == "ahr_on_target"
    assert before["items"][0]["text"] == before["items"][0]["en"]

    answer = client.post("/api/v1/review-checklist/", {"items": [
        {"code": "own_check", "en": "Our own check", "zh-hans": "我们的自查", "required": True}]}, format="json")

    assert answer.status_code == 201, answer.content
    assert answer.json()["version"] == 2
    assert client.get("/api/v1/review-checklist/").json()["items"] == [
        {"code": "own_check", "en": "Our own check", "zh-hans": "我们的自查", "required": True,
         "text": "Our own check"}]


def test_a_bad_checklist_is_a_400_on_items(agency_a, api_as):
    answer = api_as(agency_a.manager).post("/api/v1/review-checklist/", {"items": []}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["items"]
    assert not ChecklistVersion.objects.exists()


@pytest.mark.parametrize("who", ["operator", "viewer", "ro key"])
def test_only_managers_write_the_checklist(agency_a, api_as, who):
    client = client_of(agency_a, api_as, who)
    assert client.get("/api/v1/review-checklist/").status_code == 200
    answer = client.post("/api/v1/review-checklist/", {"items": [
        {"code": "own_check", "en": "x", "zh-hans": "x"}]}, format="json")
    assert answer.status_code == 403
