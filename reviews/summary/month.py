"""The reviewed month in the agency's time zone, and the days the chat channel was frozen in it. Pure: no database.

A month is its first day (``month``); its moments run from midnight on the 1st to midnight on the 1st of the next
month, in the agency's time zone: an alert first seen at 23:30 on 31 October in Shanghai belongs to October there,
though it is 15:30 UTC.

**Days frozen** are the days of the month on which the channel was frozen at any moment, by the freeze rules of
``cases.freeze``: frozen at the day's first moment (a freeze running into the day), or frozen from a chat of that day
(a freeze starting then; a freeze only starts at the request of an invalid chat). A freeze of 7 × 24 hours that
starts at 15:00 on the 3rd therefore marks the 3rd to the 10th: 8 days.
"""

import datetime
import zoneinfo

from cases import freeze


def month_start(day):
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def next_month(month):
    """The first day of the month after ``month``."""
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month):
    """The first day of the month before ``month``."""
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def days_of(month):
    """Every day of ``month``, in order."""
    days, day, end = [], month, next_month(month)
    while day < end:
        days.append(day)
        day += datetime.timedelta(days=1)
    return days


def moment(day, time_zone):
    """Midnight at the start of ``day`` in ``time_zone`` (an IANA name), aware."""
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=zoneinfo.ZoneInfo(time_zone))


def month_bounds(month, time_zone):
    """``(start, end)``: the month's first moment and the next month's, aware, in ``time_zone``; a moment is in the
    month when ``start <= moment < end``."""
    return moment(month, time_zone), moment(next_month(month), time_zone)


def days_frozen(*, rules, chats, lifts, month, time_zone):
    """How many days of ``month`` the chat channel was frozen at some moment, by ``cases.freeze.frozen_until`` under
    ``rules`` (``ChatRules``). ``chats``: ``(requested_at, outcome)`` pairs from a moment when the chain of invalid
    inquiries was back at zero up to the month's end, ``lifts`` the managers' lifts, both in any order."""
    if not any(outcome == freeze.INVALID for _at, outcome in chats):
        return 0  # no invalid inquiry: no freeze to look for
    frozen = 0
    for day in days_of(month):
        start, end = moment(day, time_zone), moment(day + datetime.timedelta(days=1), time_zone)
        moments = [start, *(at for at, _outcome in chats if start <= at < end)]
        if any(freeze.frozen_until(rules=rules, chats=chats, lifts=lifts, now=at) is not None for at in moments):
            frozen += 1
    return frozen
