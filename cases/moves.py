"""How a Seller Support case's status moves, and when a case is flagged for a chat or a follow-up: pure rules over
values, no database.

The statuses (``SupportCase.Status``) follow the case's life with Amazon:

1. A case is **drafted** until it has Amazon's case id; it is **opened** once it has one (a draft may also be
   closed: it was never sent).
2. While Amazon owes us an answer the case **waits for Amazon** (``WAITING_FOR_AMAZON``: opened, awaiting Amazon,
   transferred to another Amazon team, reopened). Moving from a status that does not wait into one that does
   starts the follow-up timer (``waiting_since``); moving between two waiting statuses keeps it (a transfer is the
   same wait, from the seller's side); moving out of them stops it.
3. Amazon **answers**; the answer may need our action (**needs our action**) or a new round (awaiting Amazon).
4. A case **transferred** names the Amazon team that has it (``transferred_to``).
5. **Resolved** and **closed** are the ends; either may be **reopened** (a resolved case may also be closed).

``MOVES`` lists, for each status, the statuses a person may move it to; any other move is refused on ``status``,
naming the current status and the moves it allows (``check_move``), the same way in the admin, the API (409) and
the services.

The follow-up rule (DOMAIN.md, "When to chat"): an open case that has waited **more than** the agency's hours (24
by default; exactly 24 hours is not yet late) for Amazon, or whose priority is high or urgent, is flagged; the flag
asks for a chat when the store may chat now, for a written follow-up otherwise (``follow_up_kind``).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Priority, SupportCase

Status = SupportCase.Status

#: The moves of a case's status a person may make, by status.
MOVES = {
    Status.DRAFTED: (Status.OPENED, Status.CLOSED),
    Status.OPENED: (Status.AWAITING_AMAZON, Status.ANSWERED, Status.TRANSFERRED, Status.RESOLVED, Status.CLOSED),
    Status.AWAITING_AMAZON: (Status.ANSWERED, Status.TRANSFERRED, Status.RESOLVED, Status.CLOSED),
    Status.ANSWERED: (Status.NEEDS_ACTION, Status.AWAITING_AMAZON, Status.TRANSFERRED, Status.RESOLVED,
                      Status.CLOSED),
    Status.NEEDS_ACTION: (Status.AWAITING_AMAZON, Status.RESOLVED, Status.CLOSED),
    Status.TRANSFERRED: (Status.AWAITING_AMAZON, Status.ANSWERED, Status.RESOLVED, Status.CLOSED),
    Status.RESOLVED: (Status.CLOSED, Status.REOPENED),
    Status.CLOSED: (Status.REOPENED,),
    Status.REOPENED: (Status.AWAITING_AMAZON, Status.ANSWERED, Status.NEEDS_ACTION, Status.TRANSFERRED,
                      Status.RESOLVED, Status.CLOSED),
}

#: The statuses in which Amazon owes us an answer: the follow-up timer runs (``waiting_since``).
WAITING_FOR_AMAZON = frozenset({Status.OPENED, Status.AWAITING_AMAZON, Status.TRANSFERRED, Status.REOPENED})

#: The statuses that end a case (it may still be reopened).
ENDED = frozenset({Status.RESOLVED, Status.CLOSED})

#: The statuses of a case still being worked on.
OPEN = frozenset(set(Status) - ENDED)

#: The priorities that flag a case at once, whatever the wait.
PRESSING = frozenset({Priority.HIGH, Priority.URGENT})

#: What a flagged case asks for.
CHAT = "chat"
FOLLOW_UP = "follow_up"
FOLLOW_UP_KINDS = ((CHAT, _("Chat with Seller Support")), (FOLLOW_UP, _("Follow up on the case")))

NEEDS_CASE_ID = _("Enter Amazon's case id to open the case.")
NEEDS_TEAM = _("Say which Amazon team the case was transferred to.")


def allowed_moves(status):
    """The statuses a case in ``status`` may move to, in the order of ``MOVES``."""
    return MOVES[Status(status)]


def check_move(current, to):
    """Refuse, on the ``status`` field, a move from ``current`` to ``to`` that ``MOVES`` does not allow (or to a
    status that does not exist), naming the current status and the moves it allows."""
    allowed = allowed_moves(current)
    if to in allowed:
        return
    to_label = Status(to).label if to in Status.values else to
    moves = ", ".join(str(status.label) for status in allowed)
    raise ValidationError({"status": [
        gettext("This case is %(status)s: it can move to %(moves)s, not to %(to)s.")
        % {"status": Status(current).label, "moves": moves, "to": to_label}]})


def check_move_details(to, *, amazon_case_id, transferred_to):
    """Refuse a move to ``to`` without what that status needs: opening needs Amazon's case id (on
    ``amazon_case_id``), a transfer names the Amazon team (on ``transferred_to``)."""
    if to == Status.OPENED and not amazon_case_id:
        raise ValidationError({"amazon_case_id": [NEEDS_CASE_ID]})
    if to == Status.TRANSFERRED and not str(transferred_to or "").strip():
        raise ValidationError({"transferred_to": [NEEDS_TEAM]})


def waiting_since_after(*, current, to, waiting_since, now):
    """The follow-up timer after a move from ``current`` to ``to`` at ``now``: started when the case begins to wait
    for Amazon, kept while it goes on waiting, stopped (``None``) when it no longer waits."""
    if Status(to) not in WAITING_FOR_AMAZON:
        return None
    if Status(current) in WAITING_FOR_AMAZON and waiting_since is not None:
        return waiting_since
    return now


def follow_up_due_at(*, waiting_since, follow_up_after_hours):
    """The moment after which a waiting case is late: ``waiting_since`` plus the agency's hours (late only once
    strictly past it)."""
    return waiting_since + datetime.timedelta(hours=follow_up_after_hours)


def needs_follow_up(*, status, priority, waiting_since, now, follow_up_after_hours):
    """Whether a case is flagged: it is open, and either high or urgent, or waiting for Amazon for more than
    ``follow_up_after_hours`` hours at ``now`` (exactly that many hours is not yet more)."""
    if Status(status) not in OPEN:
        return False
    if priority in PRESSING:
        return True
    if Status(status) not in WAITING_FOR_AMAZON or waiting_since is None:
        return False
    return now > follow_up_due_at(waiting_since=waiting_since, follow_up_after_hours=follow_up_after_hours)


def follow_up_kind(eligible):
    """What a flagged case asks for: a chat when its store may chat now (``eligible``), a follow-up otherwise."""
    return CHAT if eligible else FOLLOW_UP
