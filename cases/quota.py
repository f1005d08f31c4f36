"""The daily quota of chat requests: at most ``ChatRules.chats_per_day`` a store a day; past that, a case.

1. Every chat request counts, connected or not, valid or not: Amazon counts the requests, not their outcome.
2. The day is the agency's day: it turns at midnight in the agency's time zone (``agency_day``); the selectors count
   a day's requests between the bounds ``day_bounds`` gives.
3. With ``chats_per_day`` requests made today, the next one is refused (``quota_reason``): with the default 3, the
   3rd request of the day is allowed and the 4th refused.
"""

import datetime
import zoneinfo

from django.utils.translation import ngettext

from .chat_rules import Reason

QUOTA = "quota"


def agency_day(moment, time_zone):
    """The agency's day ``moment`` (an aware datetime) falls on, in ``time_zone`` (an IANA name)."""
    if moment.tzinfo is None:
        raise ValueError("agency_day needs an aware datetime: a naive one has no day.")
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def day_bounds(day, time_zone):
    """The agency's ``day`` as aware datetimes ``(start, end)``: midnight that day and midnight the next, in
    ``time_zone``; a moment is on ``day`` when ``start <= moment < end``."""
    zone = zoneinfo.ZoneInfo(time_zone)
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone)
    return start, end


def chats_left(*, rules, requested_today):
    """How many more chat requests the store may make today, ``requested_today`` being the requests it made (never
    below 0)."""
    return max(0, rules.chats_per_day - requested_today)


def quota_reason(*, rules, requested_today):
    """The reason the next chat request is refused when the store already made ``requested_today`` requests today
    (``None``: it is allowed)."""
    if chats_left(rules=rules, requested_today=requested_today) > 0:
        return None
    return Reason.of(QUOTA, _quota_message, limit=rules.chats_per_day, requested=requested_today)


def _quota_message(params):
    return ngettext(
        "The store has used today's %(limit)s chat request (every request counts, connected or not): open a case "
        "instead, or ask for a chat again after midnight.",
        "The store has used today's %(limit)s chat requests (every request counts, connected or not): open a case "
        "instead, or ask for a chat again after midnight.",
        params["limit"],
    ) % params
