"""The checklist's rules of ``reviews.checklist`` and the moves of ``reviews.workflow``, without a database: the
default items, the answers it takes, what blocks a submission, and which status may move where."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from reviews import checklist, workflow
from reviews.checklist import DEFAULT_ITEMS, DONE, ISSUE_FOUND, NOT_APPLICABLE
from reviews.models import StoreReview

Status = StoreReview.Status
ITEMS = checklist.default_items()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def messages(error):
    return error.value.message_dict


# -- the default items -----------------------------------------------------------------------------------------
def test_default_items_follow_the_domain_advice_with_stable_codes_in_both_languages():
    codes = [item["code"] for item in DEFAULT_ITEMS]
    assert codes == ["ahr_on_target", "odr_on_target", "lsr_on_target", "vtr_on_target", "cancel_rate_on_target",
                     "ip_authenticity_checked", "appeal_documents_fresh", "cases_followed_up", "chat_not_frozen",
                     "red_metrics_plan"]
    assert len(set(codes)) == len(codes)
    for item in DEFAULT_ITEMS:
        assert item["en"] and item["zh-hans"] and item["en"] != item["zh-hans"]
    assert "90 days" in checklist.item_text(DEFAULT_ITEMS[6], "en")
    assert "90 天" in checklist.item_text(DEFAULT_ITEMS[6], "zh-hans")


def test_every_default_item_is_required_but_the_chat_channel_which_many_stores_do_not_have():
    assert [item["code"] for item in DEFAULT_ITEMS if not item["required"]] == ["chat_not_frozen"]


def test_the_default_items_pass_their_own_check():
    assert checklist.check_items(checklist.default_items()) == list(DEFAULT_ITEMS)


def test_default_items_are_copied_so_a_version_cannot_change_the_product_defaults():
    items = checklist.default_items()
    items[0]["en"] = "changed"
    assert DEFAULT_ITEMS[0]["en"] != "changed"


@pytest.mark.parametrize(("language", "expected"), [("en", "Chat channel not frozen"),
                                                     ("zh-hans", "在线聊天（HR）通道未被冻结"),
                                                     ("zh-hant", "在线聊天（HR）通道未被冻结"),
                                                     ("de", "Chat channel not frozen")])
def test_an_item_reads_in_chinese_for_a_chinese_language_else_in_english(language, expected):
    assert checklist.item_text(DEFAULT_ITEMS[8], language) == expected


def test_an_item_without_text_in_the_language_falls_back_to_the_other():
    assert checklist.item_text({"code": "x", "en": "Only English", "zh-hans": ""}, "zh-hans") == "Only English"


# -- answers ---------------------------------------------------------------------------------------------------
def test_answers_are_cleaned_to_an_answer_and_a_note():
    cleaned = checklist.check_answers(ITEMS, {"ahr_on_target": "done",
                                              "chat_not_frozen": {"answer": NOT_APPLICABLE},
                                              "lsr_on_target": {"answer": ISSUE_FOUND, "note": "  LSR 4.6%  "}})
    assert cleaned == {"ahr_on_target": {"answer": DONE, "note": ""},
                       "chat_not_frozen": {"answer": NOT_APPLICABLE, "note": ""},
                       "lsr_on_target": {"answer": ISSUE_FOUND, "note": "LSR 4.6%"}}


def test_an_issue_found_without_a_note_is_refused_naming_the_item():
    with pytest.raises(ValidationError) as error:
        checklist.check_answers(ITEMS, {"lsr_on_target": {"answer": ISSUE_FOUND, "note": "  "}})
    assert messages(error) == {"answers": ["Say what issue was found for “lsr_on_target” (Late Shipment Rate (LSR) on "
                                           "target (below 4%))."]}


def test_an_unknown_item_and_an_unknown_answer_are_refused_each_named():
    with pytest.raises(ValidationError) as error:
        checklist.check_answers(ITEMS, {"made_up": "done", "odr_on_target": "maybe", "vtr_on_target": 3})
    found = messages(error)["answers"]
    assert len(found) == 3
    assert "“made_up” is not an item of this checklist." in found
    assert any("“maybe” is not an answer to “odr_on_target”" in message for message in found)
    assert any("“vtr_on_target”" in message for message in found)


def test_answers_that_are_not_an_object_are_refused_on_answers():
    with pytest.raises(ValidationError) as error:
        checklist.check_answers(ITEMS, ["done"])
    assert list(messages(error)) == ["answers"]


def test_a_note_longer_than_the_limit_is_refused_and_one_at_the_limit_is_taken():
    at_limit = "x" * checklist.NOTE_MAX_LENGTH
    assert checklist.check_answers(ITEMS, {"ahr_on_target": {"answer": DONE, "note": at_limit}})
    with pytest.raises(ValidationError):
        checklist.check_answers(ITEMS, {"ahr_on_target": {"answer": DONE, "note": at_limit + "x"}})


def test_null_clears_an_answer_and_others_are_laid_over_the_earlier_ones():
    current = {"ahr_on_target": {"answer": DONE, "note": ""}, "odr_on_target": {"answer": DONE, "note": ""}}
    cleaned = checklist.check_answers(ITEMS, {"ahr_on_target": None, "lsr_on_target": "not_applicable"})
    assert checklist.merge_answers(current, cleaned) == {"odr_on_target": {"answer": DONE, "note": ""},
                                                         "lsr_on_target": {"answer": NOT_APPLICABLE, "note": ""}}


# -- what blocks a submission ------------------------------------------------------------------------------------
def test_required_items_unanswered_are_missing_in_the_checklist_order_optional_ones_are_not():
    answers = {item["code"]: {"answer": DONE} for item in ITEMS if item["code"] not in (
        "odr_on_target", "red_metrics_plan", "chat_not_frozen")}
    assert checklist.missing_required(ITEMS, answers) == ["odr_on_target", "red_metrics_plan"]


def test_every_required_item_answered_leaves_nothing_missing():
    answers = {item["code"]: {"answer": NOT_APPLICABLE} for item in ITEMS if item["required"]}
    assert checklist.missing_required(ITEMS, answers) == []
    checklist.check_complete(ITEMS, answers)


def test_a_submission_with_required_items_unanswered_is_refused_naming_them():
    with pytest.raises(ValidationError) as error:
        checklist.check_complete(ITEMS[:2], {})
    (message,) = messages(error)["answers"]
    assert "“ahr_on_target”" in message and "“odr_on_target”" in message


def test_issues_are_found_only_by_an_issue_found_answer():
    assert checklist.has_issues({"a": {"answer": ISSUE_FOUND, "note": "x"}, "b": {"answer": DONE}})
    assert not checklist.has_issues({"a": {"answer": DONE}, "b": {"answer": NOT_APPLICABLE}})
    assert not checklist.has_issues({})


# -- a new version's items ---------------------------------------------------------------------------------------
def test_a_new_version_s_items_are_cleaned_and_required_by_default():
    assert checklist.check_items([{"code": "own_check", "en": " Own check ", "zh-hans": "自查"}]) == [
        {"code": "own_check", "en": "Own check", "zh-hans": "自查", "required": True}]


@pytest.mark.parametrize(("items", "expected"), [
    ([], "A checklist needs at least one item."),
    ([{"code": "Bad Code", "en": "x", "zh-hans": "x"}], "“Bad Code” is not a code"),
    ([{"code": "twice", "en": "x", "zh-hans": "x"}, {"code": "twice", "en": "y", "zh-hans": "y"}],
     "the code “twice” is used twice"),
    ([{"code": "no_chinese", "en": "x"}], "Item “no_chinese” has no text in zh-hans."),
    (["text"], "Item 1 is not an object"),
])
def test_a_new_version_with_a_bad_item_is_refused_naming_the_problem(items, expected):
    with pytest.raises(ValidationError) as error:
        checklist.check_items(items)
    assert any(expected in message for message in messages(error)["items"])


# -- the moves of a review's status --------------------------------------------------------------------------------
ALLOWED = {(Status.PENDING, Status.IN_PROGRESS), (Status.IN_PROGRESS, Status.SUBMITTED),
           (Status.SUBMITTED, Status.APPROVED), (Status.SUBMITTED, Status.RETURNED),
           (Status.RETURNED, Status.IN_PROGRESS)}


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("to", list(Status))
def test_only_the_moves_of_the_workflow_are_allowed(current, to):
    if (current, to) in ALLOWED:
        workflow.check_move(current, to)
        return
    with pytest.raises(ValidationError) as error:
        workflow.check_move(current, to)
    (message,) = messages(error)["status"]
    assert f"This review is {current.label}" in message


def test_a_refused_move_names_the_current_status_and_the_allowed_moves():
    with pytest.raises(ValidationError) as error:
        workflow.check_move(Status.SUBMITTED, Status.IN_PROGRESS)
    assert messages(error) == {"status": [
        "This review is Submitted: it can move to Approved, Returned, not to In progress."]}


def test_an_approved_review_can_no_longer_change():
    with pytest.raises(ValidationError) as error:
        workflow.check_editable(Status.APPROVED)
    assert messages(error) == {"status": ["This review is Approved: it can no longer change."]}


@pytest.mark.parametrize("current", [Status.PENDING, Status.IN_PROGRESS, Status.RETURNED])
def test_the_reviewer_changes_a_review_only_while_working_on_it(current):
    workflow.check_editable(current)


def test_a_submitted_review_is_no_longer_the_reviewer_s_to_change():
    with pytest.raises(ValidationError) as error:
        workflow.check_editable(Status.SUBMITTED)
    assert "only moved to Approved, Returned" in messages(error)["status"][0]


@pytest.mark.parametrize(("status", "today", "overdue"), [
    (Status.PENDING, datetime.date(2026, 11, 5), False),       # the due day itself is not late
    (Status.PENDING, datetime.date(2026, 11, 6), True),
    (Status.IN_PROGRESS, datetime.date(2026, 11, 6), True),
    (Status.RETURNED, datetime.date(2026, 11, 6), True),
    (Status.SUBMITTED, datetime.date(2026, 11, 6), False),     # waits for a manager, not for its reviewer
    (Status.APPROVED, datetime.date(2026, 12, 1), False),
])
def test_a_review_is_overdue_after_its_due_day_while_the_reviewer_owes_it(status, today, overdue):
    assert workflow.is_overdue(status=status, due_on=datetime.date(2026, 11, 5), today=today) is overdue
