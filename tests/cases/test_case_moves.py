"""The moves of a case's status and the follow-up rule, at their boundaries, without a database
(``cases.moves``)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cases import moves
from cases.models import SupportCase

Status = SupportCase.Status
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
ALL_MOVES = [(current, to) for current in Status for to in Status]


def refusal(current, to):
    with pytest.raises(ValidationError) as caught:
        moves.check_move(current, to)
    return caught.value.message_dict


@pytest.mark.parametrize(("current", "to"), ALL_MOVES)
def test_every_move_is_allowed_exactly_when_moves_lists_it(current, to):
    if to in moves.MOVES[current]:
        moves.check_move(current, to)
    else:
        assert refusal(current, to).keys() == {"status"}


@translation.override("en")
def test_a_refused_move_names_the_current_status_and_the_moves_it_allows():
    assert refusal(Status.CLOSED, Status.RESOLVED) == {
        "status": ["This case is Closed: it can move to Reopened, not to Resolved."]}
    assert refusal(Status.DRAFTED, Status.ANSWERED) == {
        "status": ["This case is Drafted: it can move to Opened, Closed, not to Answered."]}


@translation.override("en")
def test_a_status_that_does_not_exist_is_refused_on_status():
    assert "not to escalated" in refusal(Status.OPENED, "escalated")["status"][0]


def test_the_sensible_moves_of_a_case():
    assert set(moves.MOVES[Status.DRAFTED]) == {Status.OPENED, Status.CLOSED}
    assert set(moves.MOVES[Status.RESOLVED]) == {Status.CLOSED, Status.REOPENED}
    assert set(moves.MOVES[Status.CLOSED]) == {Status.REOPENED}
    for status in Status:
        assert status not in moves.MOVES[status], f"{status} moves to itself"
        if status != Status.DRAFTED:
            assert Status.OPENED not in moves.MOVES[status], "only a draft is opened"


def test_opening_needs_a_case_id_and_a_transfer_names_the_team():
    with pytest.raises(ValidationError) as caught:
        moves.check_move_details(Status.OPENED, amazon_case_id="", transferred_to="")
    assert caught.value.message_dict.keys() == {"amazon_case_id"}
    with pytest.raises(ValidationError) as caught:
        moves.check_move_details(Status.TRANSFERRED, amazon_case_id="1234567890", transferred_to="  ")
    assert caught.value.message_dict.keys() == {"transferred_to"}
    moves.check_move_details(Status.OPENED, amazon_case_id="1234567890", transferred_to="")
    moves.check_move_details(Status.TRANSFERRED, amazon_case_id="", transferred_to="Policy Enforcement")


def test_the_follow_up_timer_starts_when_the_case_begins_to_wait_goes_on_while_it_waits_and_stops_after():
    earlier = NOW - datetime.timedelta(hours=30)
    assert moves.waiting_since_after(current=Status.DRAFTED, to=Status.OPENED, waiting_since=None, now=NOW) == NOW
    assert moves.waiting_since_after(current=Status.OPENED, to=Status.TRANSFERRED, waiting_since=earlier,
                                     now=NOW) == earlier
    assert moves.waiting_since_after(current=Status.AWAITING_AMAZON, to=Status.ANSWERED, waiting_since=earlier,
                                     now=NOW) is None
    assert moves.waiting_since_after(current=Status.ANSWERED, to=Status.AWAITING_AMAZON, waiting_since=None,
                                     now=NOW) == NOW


def flagged(*, hours_waited=None, priority="normal", status=Status.AWAITING_AMAZON, seconds=0):
    since = None if hours_waited is None else NOW - datetime.timedelta(hours=hours_waited, seconds=seconds)
    return moves.needs_follow_up(status=status, priority=priority, waiting_since=since, now=NOW,
                                 follow_up_after_hours=24)


def test_a_case_waiting_exactly_24_hours_is_not_flagged_one_second_more_is():
    assert not flagged(hours_waited=24)
    assert flagged(hours_waited=24, seconds=1)


def test_a_high_or_urgent_case_is_flagged_at_once():
    assert flagged(hours_waited=0, priority="high")
    assert flagged(priority="urgent", status=Status.NEEDS_ACTION)
    assert not flagged(hours_waited=0, priority="normal")


def test_an_ended_case_is_never_flagged_and_a_case_not_waiting_for_amazon_does_not_count_its_wait():
    assert not flagged(hours_waited=100, priority="urgent", status=Status.RESOLVED)
    assert not flagged(hours_waited=100, status=Status.CLOSED)
    assert not flagged(hours_waited=100, status=Status.NEEDS_ACTION)
    assert flagged(hours_waited=100, status=Status.TRANSFERRED)


def test_a_flagged_case_asks_for_a_chat_when_the_store_may_chat_and_a_follow_up_otherwise():
    assert moves.follow_up_kind(True) == moves.CHAT
    assert moves.follow_up_kind(False) == moves.FOLLOW_UP
