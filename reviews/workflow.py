"""How a store review's status moves, and who may move it: pure rules over values, no database.

The statuses (``StoreReview.Status``) follow the month's review:

1. A review opens **pending** (the cycle opened it, with the month's summary).
2. The reviewer starts it: **in progress** (answering the checklist or writing the comment starts it too).
3. The reviewer **submits** it once every required item of the checklist is answered (``reviews.checklist``).
4. A manager **approves** it (the end: a signed review never changes) or **returns** it with a comment saying what
   to do; a returned review goes back to **in progress** when the reviewer works on it again, then is submitted
   again.

``MOVES`` lists, for each status, the statuses it may move to; any other move is refused on ``status``, naming the
current status and the moves it allows (``check_move``), the same way in the admin, the API (409) and the services.
The answers, the comment and the summary change only while the reviewer owes the work (``WORKING``); once
submitted they are the manager's to judge, once approved nobody's to change (``check_editable``).

Who: the store's operators (those who see the store) and managers work on and submit reviews
(``powers.WORK_ON_REVIEWS``); only managers and owners (and read-write keys, which act for the agency) approve and
return them (``powers.SIGN_OFF_REVIEWS``); operators never approve; viewers and read-only keys only read.

Overdue: a review is overdue once its cycle's due day has passed (``due_on`` is the last day in time) while the
reviewer still owes it (``OWED``: pending, in progress or returned). A submitted review waits for a manager, not for
its reviewer.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from .models import StoreReview
from .powers import SIGN_OFF_REVIEWS, WORK_ON_REVIEWS

Status = StoreReview.Status

#: The moves of a review's status, by status.
MOVES = {
    Status.PENDING: (Status.IN_PROGRESS,),
    Status.IN_PROGRESS: (Status.SUBMITTED,),
    Status.SUBMITTED: (Status.APPROVED, Status.RETURNED),
    Status.RETURNED: (Status.IN_PROGRESS,),
    Status.APPROVED: (),
}

#: The statuses in which the reviewer works on the review: its answers, comment and summary may change, and work
#: on a pending or returned review starts it (moves it to in progress).
WORKING = frozenset({Status.PENDING, Status.IN_PROGRESS, Status.RETURNED})

#: The statuses in which the reviewer still owes the review (it is overdue past its due day).
OWED = WORKING

#: The moves only a manager makes.
SIGN_OFF = frozenset({Status.APPROVED, Status.RETURNED})


def allowed_moves(status):
    """The statuses a review in ``status`` may move to, in the order of ``MOVES``."""
    return MOVES[Status(status)]


def _label(status):
    return Status(status).label if status in Status.values else status


def check_move(current, to):
    """Refuse, on the ``status`` field, a move from ``current`` to ``to`` that ``MOVES`` does not allow (or to a
    status that does not exist), naming the current status and the moves it allows."""
    allowed = allowed_moves(current)
    if to in allowed:
        return
    if not allowed:
        raise ValidationError({"status": [gettext("This review is %(status)s: it can no longer change.")
                                          % {"status": _label(current)}]})
    moves = ", ".join(str(status.label) for status in allowed)
    raise ValidationError({"status": [
        gettext("This review is %(status)s: it can move to %(moves)s, not to %(to)s.")
        % {"status": _label(current), "moves": moves, "to": _label(to)}]})


def check_editable(current):
    """Refuse, on the ``status`` field, a change of the answers, comment or summary of a review in ``current``
    that is not ``WORKING`` (submitted: the manager's to judge; approved: signed), naming the status and its
    moves."""
    if Status(current) in WORKING:
        return
    allowed = allowed_moves(current)
    if not allowed:
        raise ValidationError({"status": [gettext("This review is %(status)s: it can no longer change.")
                                          % {"status": _label(current)}]})
    raise ValidationError({"status": [
        gettext("This review is %(status)s: it can no longer be changed, only moved to %(moves)s.")
        % {"status": _label(current), "moves": ", ".join(str(status.label) for status in allowed)}]})


def starts(current):
    """Whether work on a review in ``current`` starts it (moves it to in progress first)."""
    return Status(current) in (Status.PENDING, Status.RETURNED)


def power_for(to):
    """The power a move to ``to`` needs."""
    return SIGN_OFF_REVIEWS if to in SIGN_OFF else WORK_ON_REVIEWS


def may_move(caller, to):
    """Whether ``caller`` (``accounts.tenancy.Caller``; ``None``: the product itself) may make a move to ``to`` of
    a review it sees."""
    return caller is None or caller.can(power_for(to))


def check_may(caller, power):
    """Refuse (``PermissionDenied``) a caller without ``power``; the product itself (``None``) may all."""
    if caller is not None and not caller.can(power):
        raise PermissionDenied(gettext("You may not do this with monthly reviews."))


def is_overdue(*, status, due_on, today):
    """Whether a review in ``status`` of a cycle due on ``due_on`` is overdue on ``today``: the due day is over
    and the reviewer still owes it."""
    return Status(status) in OWED and today > due_on
