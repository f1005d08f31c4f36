"""The best window to ask for a chat (``cases.chat_window``) at its boundaries, without a database."""

import datetime
import zoneinfo

import pytest

from cases.chat_rules import ChatRules
from cases.chat_window import is_in_window, next_window

DEFAULTS = ChatRules()
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC


def beijing(day, hour, minute=0, second=0):
    return datetime.datetime(2026, 11, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("now", "start"), [
    (beijing(20, 0), beijing(20, 8)),                  # before the window: today's
    (beijing(20, 7, 59, 59), beijing(20, 8)),
    (beijing(20, 8), beijing(20, 8)),                  # its start is inside
    (beijing(20, 9, 59, 59), beijing(20, 8)),          # inside: the current one
    (beijing(20, 10), beijing(21, 8)),                 # 10:00 exactly is outside: tomorrow's
    (beijing(20, 23, 59), beijing(21, 8)),
])
def test_next_window_is_the_current_one_inside_it_else_the_next_and_ten_oclock_is_outside(now, start):
    assert next_window(now, DEFAULTS) == (start, start + datetime.timedelta(hours=2))


def test_window_is_in_beijing_time_whatever_the_zone_of_now():
    # 01:30 UTC is 09:30 in Beijing: inside today's window; 02:00 UTC is 10:00 there: outside.
    inside = datetime.datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    start, end = next_window(inside, DEFAULTS)
    assert (start, end) == (beijing(20, 8), beijing(20, 10))
    assert start.utcoffset() == datetime.timedelta(hours=8)
    assert is_in_window(inside, DEFAULTS)
    assert not is_in_window(datetime.datetime(2026, 11, 20, 2, tzinfo=UTC), DEFAULTS)
    # 16:30 UTC on the 20th is already 00:30 on the 21st in Beijing.
    assert next_window(datetime.datetime(2026, 11, 20, 16, 30, tzinfo=UTC), DEFAULTS)[0] == beijing(21, 8)


def test_the_agencys_own_window_applies():
    rules = ChatRules(window_start=datetime.time(14), window_end=datetime.time(15, 30),
                      window_time_zone="Europe/Berlin")
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    start, end = next_window(datetime.datetime(2026, 11, 20, 15, 29, tzinfo=berlin), rules)
    assert (start, end) == (datetime.datetime(2026, 11, 20, 14, tzinfo=berlin),
                            datetime.datetime(2026, 11, 20, 15, 30, tzinfo=berlin))


def test_a_window_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        ChatRules(window_start=datetime.time(22), window_end=datetime.time(2))


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError):
        next_window(datetime.datetime(2026, 11, 20, 9), DEFAULTS)
