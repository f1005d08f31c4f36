"""The freeze of the chat channel (``cases.freeze``) at its boundaries, without a database."""

import datetime
import zoneinfo

import pytest
from django.utils import translation

from cases.chat_rules import ChatRules
from cases.freeze import FROZEN, freeze_reason, frozen_until

DEFAULTS = ChatRules()
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 11, 20, 9, tzinfo=SHANGHAI)
WEEK = datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(hours):
    return START + datetime.timedelta(hours=hours)


def chats_of(*outcomes):
    """One chat an hour from START with these outcomes."""
    return [(at(hour), outcome) for hour, outcome in enumerate(outcomes)]


def until(chats, lifts=(), now=None, rules=DEFAULTS):
    return frozen_until(rules=rules, chats=chats, lifts=lifts, now=now or at(len(chats)))


def test_invalid_invalid_freezes_for_7_days():
    chats = chats_of("invalid", "invalid")
    # From the second invalid chat's request, for 7 × 24 hours.
    assert until(chats) == at(1) + WEEK
    assert until(chats, now=at(1) + WEEK - datetime.timedelta(seconds=1)) == at(1) + WEEK
    assert until(chats, now=at(1) + WEEK) is None


def test_invalid_valid_invalid_does_not_freeze():
    assert until(chats_of("invalid", "resolved", "invalid")) is None
    assert until(chats_of("invalid", "transferred", "invalid")) is None


@pytest.mark.parametrize("between", ["not_connected", "", "something Amazon never said"])
def test_a_chat_that_did_not_connect_or_is_undecided_neither_counts_nor_breaks_the_chain(between):
    assert until(chats_of("invalid", between, "invalid")) == at(2) + WEEK
    assert until(chats_of(between, between, "invalid")) is None


def test_one_invalid_inquiry_does_not_freeze():
    assert until(chats_of("invalid")) is None
    assert until(chats_of("resolved", "invalid", "not_connected")) is None


def test_chats_are_read_in_time_order_whatever_order_they_come_in():
    chats = chats_of("invalid", "resolved", "invalid")
    assert until(list(reversed(chats))) is None
    assert until([(at(2), "invalid"), (at(0), "invalid")]) == at(2) + WEEK


def test_a_freeze_resets_the_chain():
    # Invalid, invalid (frozen), then after the freeze one more invalid: one in a new chain, not frozen again.
    chats = chats_of("invalid", "invalid") + [(at(1) + WEEK + datetime.timedelta(hours=1), "invalid")]
    assert until(chats, now=at(1) + WEEK + datetime.timedelta(hours=2)) is None
    chats.append((at(1) + WEEK + datetime.timedelta(hours=3), "invalid"))
    assert until(chats, now=at(1) + WEEK + datetime.timedelta(hours=4)) == at(1) + WEEK + datetime.timedelta(
        hours=3) + WEEK


def test_lifted_freeze_allows_chat():
    chats = chats_of("invalid", "invalid")
    assert until(chats, lifts=[at(5)], now=at(4)) == at(1) + WEEK     # not lifted yet
    assert until(chats, lifts=[at(5)], now=at(5)) is None
    assert until(chats, lifts=[at(5)], now=at(1) + WEEK + datetime.timedelta(days=1)) is None


def test_a_lift_resets_the_chain():
    # Lifted, then one invalid inquiry: the chain is 1, not 3.
    chats = chats_of("invalid", "invalid") + [(at(6), "invalid")]
    assert until(chats, lifts=[at(5)], now=at(7)) is None
    chats.append((at(8), "invalid"))
    assert until(chats, lifts=[at(5)], now=at(9)) == at(8) + WEEK


def test_a_lift_at_the_moment_of_the_freezing_chat_lifts_it():
    assert until(chats_of("invalid", "invalid"), lifts=[at(1)]) is None


def test_a_lift_after_the_freeze_ended_changes_nothing_later():
    chats = chats_of("invalid", "invalid")
    after = at(1) + WEEK + datetime.timedelta(days=1)
    assert until(chats + [(after + datetime.timedelta(hours=1), "invalid"),
                          (after + datetime.timedelta(hours=2), "invalid")],
                 lifts=[after], now=after + datetime.timedelta(hours=3)) == after + datetime.timedelta(hours=2) + WEEK


def test_chats_and_lifts_after_now_are_ignored():
    chats = chats_of("invalid", "invalid")
    assert until(chats, now=at(0) + datetime.timedelta(minutes=30)) is None
    assert until(chats, lifts=[at(3)], now=at(2)) == at(1) + WEEK


def test_the_agencys_own_numbers_apply():
    rules = ChatRules(invalid_to_freeze=3, freeze_days=14)
    assert until(chats_of("invalid", "invalid"), rules=rules) is None
    assert until(chats_of("invalid", "invalid", "invalid"), rules=rules) == at(2) + datetime.timedelta(days=14)


def test_the_freeze_reason_gives_its_end_in_the_agencys_time_and_suggests_a_case():
    end = at(1) + WEEK
    reason = freeze_reason(rules=DEFAULTS, until=end, time_zone="Asia/Shanghai")
    assert reason.code == FROZEN
    assert reason.params["until"] == end
    assert str(reason) == ("The chat channel is frozen until 2026-11-27 10:00 (Asia/Shanghai) after 2 invalid "
                           "inquiries in a row: open a case meanwhile, or ask a manager to lift the freeze.")
    assert "2026-11-27 02:00 (Europe/London)" in str(freeze_reason(rules=DEFAULTS, until=end,
                                                                   time_zone="Europe/London"))
    assert freeze_reason(rules=DEFAULTS, until=None, time_zone="Asia/Shanghai") is None
