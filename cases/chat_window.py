"""When to ask for a chat: requests made 08:00–10:00 Beijing time connect most often (the seed article: up to 76 %).

The window is advice, not a rule: a request outside it is allowed. Its start is inside it, its end is not (10:00
exactly is outside). The hours and the time zone are the agency's (``ChatRules.window_*``).
"""

import datetime
import zoneinfo


def next_window(now, rules):
    """The window to ask for a chat in, as aware datetimes ``(start, end)`` in the window's time zone: the current
    one when ``now`` (aware) is inside it, else the next one to start."""
    if now.tzinfo is None:
        raise ValueError("next_window needs an aware datetime.")
    zone = zoneinfo.ZoneInfo(rules.window_time_zone)
    local = now.astimezone(zone)
    day = local.date()
    if local >= datetime.datetime.combine(day, rules.window_end, tzinfo=zone):
        day += datetime.timedelta(days=1)
    return (datetime.datetime.combine(day, rules.window_start, tzinfo=zone),
            datetime.datetime.combine(day, rules.window_end, tzinfo=zone))


def is_in_window(now, rules):
    """Whether ``now`` is inside a chat window."""
    start, end = next_window(now, rules)
    return start <= now < end
