"""The freeze of the chat channel: ``ChatRules.invalid_to_freeze`` invalid inquiries in a row (2 by default) close a
store's chat channel for ``ChatRules.freeze_days`` (7).

Walking a store's chats and a manager's lifts in time order, up to now:

1. An "invalid" chat adds one to the chain of invalid inquiries.
2. A valid chat ("resolved", "transferred") breaks the chain: invalid, valid, invalid does not freeze.
3. A chat that did not connect ("not_connected"), or whose outcome is not decided yet (""), neither counts nor
   breaks the chain: Amazon judged nothing. So does any outcome this module does not know.
4. When the chain reaches ``invalid_to_freeze``, the channel is frozen from that last invalid chat's request for
   ``freeze_days`` days (exact: 7 × 24 hours), and the chain starts again from zero. A freeze that starts while
   another runs lasts until the later of the two ends.
5. A manager's lift at a moment ends a freeze running then, and the chain starts again from zero (the manager has
   judged the store's conduct). A chat and a lift at the same moment: the chat comes first, so a lift recorded with
   the freezing chat's time lifts that freeze.
6. The channel is frozen at ``now`` while ``now`` is before the freeze's end; the end itself is free.
"""

import datetime
import zoneinfo

from django.utils.translation import ngettext

from .chat_rules import Reason

FROZEN = "frozen"

INVALID = "invalid"
#: The outcomes that show the store asked a fair question: they break a chain of invalid inquiries.
VALID_OUTCOMES = frozenset({"resolved", "transferred"})

_CHAT, _LIFT = 0, 1


def frozen_until(*, rules, chats, lifts=(), now):
    """When the freeze running at ``now`` ends (an aware datetime), ``None`` when the channel is not frozen then.

    ``chats``: ``(requested_at, outcome)`` pairs; ``lifts``: the moments a manager lifted a freeze; either in any
    order, and anything after ``now`` is ignored."""
    events = sorted([(at, _CHAT, outcome) for at, outcome in chats if at <= now]
                    + [(at, _LIFT, "") for at in lifts if at <= now], key=lambda event: (event[0], event[1]))
    length = datetime.timedelta(days=rules.freeze_days)
    chain, until = 0, None
    for at, kind, outcome in events:
        if kind == _LIFT:
            chain = 0
            if until is not None and at < until:
                until = None
        elif outcome == INVALID:
            chain += 1
            if chain >= rules.invalid_to_freeze:
                until = max(until, at + length) if until is not None else at + length
                chain = 0
        elif outcome in VALID_OUTCOMES:
            chain = 0
    return until if until is not None and now < until else None


def freeze_reason(*, rules, until, time_zone):
    """The reason a store frozen until ``until`` may not chat, the end shown in ``time_zone`` (the agency's);
    ``None`` when ``until`` is ``None``."""
    if until is None:
        return None
    local = until.astimezone(zoneinfo.ZoneInfo(time_zone))
    return Reason.of(FROZEN, _freeze_message, until=until, count=rules.invalid_to_freeze,
                     shown=f"{local:%Y-%m-%d %H:%M} ({time_zone})")


def _freeze_message(params):
    return ngettext(
        "The chat channel is frozen until %(shown)s after an invalid inquiry: open a case meanwhile, or ask a "
        "manager to lift the freeze.",
        "The chat channel is frozen until %(shown)s after %(count)s invalid inquiries in a row: open a case "
        "meanwhile, or ask a manager to lift the freeze.",
        params["count"],
    ) % params
