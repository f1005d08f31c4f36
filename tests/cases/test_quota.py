"""The daily quota of chat requests (``cases.quota``) at its boundaries, without a database."""

import datetime
import zoneinfo

import pytest
from django.utils import translation

from cases.chat_rules import ChatRules
from cases.quota import QUOTA, agency_day, chats_left, day_bounds, quota_reason

DEFAULTS = ChatRules()
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_third_chat_of_the_day_is_allowed_fourth_is_refused():
    # Before the 3rd request the store made 2; before the 4th, 3.
    assert quota_reason(rules=DEFAULTS, requested_today=0) is None
    assert quota_reason(rules=DEFAULTS, requested_today=2) is None
    refused = quota_reason(rules=DEFAULTS, requested_today=3)
    assert refused.code == QUOTA
    assert refused.params == {"limit": 3, "requested": 3}


def test_the_refusal_suggests_opening_a_case():
    message = str(quota_reason(rules=DEFAULTS, requested_today=3))
    assert "open a case instead" in message
    assert "today's 3 chat requests" in message
    assert "connected or not" in message


@pytest.mark.parametrize(("requested", "left"), [(0, 3), (1, 2), (2, 1), (3, 0), (5, 0)])
def test_chats_left_today_count_down_to_zero_never_below(requested, left):
    assert chats_left(rules=DEFAULTS, requested_today=requested) == left


def test_the_agencys_own_quota_applies():
    one_a_day = ChatRules(chats_per_day=1)
    assert quota_reason(rules=one_a_day, requested_today=0) is None
    refused = quota_reason(rules=one_a_day, requested_today=1)
    assert "today's 1 chat request " in str(refused)
    assert quota_reason(rules=ChatRules(chats_per_day=0), requested_today=0).code == QUOTA


def test_day_turns_at_midnight_in_agency_time_zone():
    # 15:59:59 UTC is 23:59:59 in Shanghai; one second later it is midnight there, still the same day in UTC.
    before = datetime.datetime(2026, 11, 20, 15, 59, 59, tzinfo=UTC)
    at_midnight = before + datetime.timedelta(seconds=1)
    assert agency_day(before, "Asia/Shanghai") == datetime.date(2026, 11, 20)
    assert agency_day(at_midnight, "Asia/Shanghai") == datetime.date(2026, 11, 21)
    assert agency_day(at_midnight, "UTC") == datetime.date(2026, 11, 20)


def test_day_bounds_run_from_midnight_to_the_next_midnight_in_agency_time_zone():
    start, end = day_bounds(datetime.date(2026, 11, 21), "Asia/Shanghai")
    assert start == datetime.datetime(2026, 11, 20, 16, tzinfo=UTC)
    assert end == datetime.datetime(2026, 11, 21, 16, tzinfo=UTC)
    assert start.tzinfo is not None and end.tzinfo is not None
    # The start belongs to the day, the end to the next one.
    assert agency_day(start, "Asia/Shanghai") == datetime.date(2026, 11, 21)
    assert agency_day(end, "Asia/Shanghai") == datetime.date(2026, 11, 22)
    assert agency_day(end - datetime.timedelta(microseconds=1), "Asia/Shanghai") == datetime.date(2026, 11, 21)


def test_a_day_with_a_clock_change_has_its_real_length():
    # Europe/Berlin leaves summer time on 2026-10-25: that day lasts 25 hours.
    start, end = day_bounds(datetime.date(2026, 10, 25), "Europe/Berlin")
    # (Compared in UTC: Python subtracts two datetimes of one zone on the wall clock.)
    assert end.astimezone(UTC) - start.astimezone(UTC) == datetime.timedelta(hours=25)


def test_a_naive_moment_has_no_agency_day():
    with pytest.raises(ValueError):
        agency_day(datetime.datetime(2026, 11, 20, 12), "Asia/Shanghai")


def test_three_requests_counted_by_day_bounds_refuse_the_fourth_until_midnight():
    # A selector counts the requests of the agency's day between its bounds; the same helper a caller uses.
    requests = [datetime.datetime(2026, 11, 21, hour, tzinfo=SHANGHAI) for hour in (0, 9, 23)]
    start, end = day_bounds(agency_day(requests[-1], "Asia/Shanghai"), "Asia/Shanghai")
    today = sum(1 for moment in requests if start <= moment < end)
    assert quota_reason(rules=DEFAULTS, requested_today=today).code == QUOTA
    next_day = day_bounds(datetime.date(2026, 11, 22), "Asia/Shanghai")
    assert quota_reason(rules=DEFAULTS, requested_today=sum(1 for m in requests if next_day[0] <= m < next_day[1])) \
        is None
