"""Writes of the monthly review. Each takes the agency explicitly; those a person or a key makes take the caller
(``accounts.tenancy.Caller``; ``None``: the product itself, e.g. the task that opens last month's cycle), whose
powers they check (``reviews.powers``) and whom the review's trail records.

* ``cycle_open`` opens one agency's review of one month: the cycle, then a review of every store that was active at
  any time in the month, each with the month frozen as its summary (``reviews.summary``). It is idempotent and safe
  for two workers at once: the database holds one cycle per agency and month and one review per store and cycle,
  and a second opening (or one that waited for the first to commit) adds only the reviews still missing.
* The reviewer's work (``review_answers_set``, ``review_refresh``, ``review_start``, ``review_submit``) and the
  manager's sign-off (``review_approve``, ``review_return``, ``reviews_approve_bulk``) each lock the review, check
  the move (``reviews.workflow``) and record it as a ``ReviewEvent`` (who, when, from, to, comment) in the same
  transaction. A move the status does not allow is refused on ``status``, naming the current status and the moves
  it allows. A review the caller does not see (an operator, another store's) is ``StoreReview.DoesNotExist``, as in
  the API (404).
* ``review_policy_set`` and ``checklist_revise`` change the agency's numbers and checklist; a cycle keeps the
  checklist version it opened with.
"""

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.free_text import FREE_TEXT_MAX_LENGTH
from accounts.models import Store, StoreAssignment, StoreStatus
from accounts.selectors import visible_rows

from . import checklist, reviews_sql, selectors, summary, workflow
from .models import ChecklistVersion, ReviewCycle, ReviewEvent, ReviewPolicy, StoreReview
from .powers import MANAGE_REVIEWS, SIGN_OFF_REVIEWS, WORK_ON_REVIEWS

Status = StoreReview.Status



# -- months ----------------------------------------------------------------------------------------------------------
def first_day(month):
    """The first day of ``month`` (a date of any day of it)."""
    return month.replace(day=1)


def month_after(month):
    """The first day of the month after ``month``."""
    return (first_day(month) + datetime.timedelta(days=32)).replace(day=1)


def month_before(month):
    """The first day of the month before ``month``."""
    return (first_day(month) - datetime.timedelta(days=1)).replace(day=1)


def month_bounds(*, agency, month):
    """``(start, end)``: the month's first moment and the next month's, in the agency's time zone (aware)."""
    zone = zoneinfo.ZoneInfo(agency.time_zone)
    start, end = first_day(month), month_after(month)
    return (datetime.datetime(start.year, start.month, 1, tzinfo=zone),
            datetime.datetime(end.year, end.month, 1, tzinfo=zone))


def due_on(*, month, due_day):
    """The day a cycle of ``month`` is due: ``due_day`` of the month after."""
    return month_after(month).replace(day=due_day)


# -- the checklist and the policy ------------------------------------------------------------------------------------
def checklist_ensure(*, agency, caller=None):
    """The agency's latest checklist version, writing version 1 from ``checklist.DEFAULT_ITEMS`` when it has none
    (two at once write one: the database holds one version of each number)."""
    latest = ChecklistVersion.objects.filter(agency=agency).order_by("-number").first()
    if latest is not None:
        return latest
    version, _created = ChecklistVersion.objects.get_or_create(
        agency=agency, number=1,
        defaults={"items": checklist.default_items(),
                  "created_by": caller.user if caller is not None and caller.is_person else None})
    return version


@transaction.atomic
def checklist_revise(*, agency, caller, items):
    """Write a new version of the agency's checklist with ``items`` (``checklist.check_items``: refused on
    ``items``, naming each problem, and nothing written then). Cycles already open keep their version; the next
    one takes this. Managers only. Returns the new version."""
    workflow.check_may(caller, MANAGE_REVIEWS)
    cleaned = checklist.check_items(items)
    checklist_ensure(agency=agency, caller=caller)
    # Two revisions at once take turns on the latest version's row; the second numbers itself after the first.
    ChecklistVersion.objects.select_for_update().filter(agency=agency).order_by("-number").first()
    number = ChecklistVersion.objects.filter(agency=agency).aggregate(top=Max("number"))["top"] + 1
    return ChecklistVersion.objects.create(
        agency=agency, number=number, items=cleaned,
        created_by=caller.user if caller is not None and caller.is_person else None)


#: The settings of ``ReviewPolicy`` a manager changes.
POLICY_SETTINGS = ("due_day",)


@transaction.atomic
def review_policy_set(*, agency, caller=None, **settings):
    """Set the agency's review numbers (``POLICY_SETTINGS``); the others keep their values. A value refused, or a
    name that is no setting, is an error naming the field and the value, and nothing is written then. Managers
    only. Returns the policy."""
    workflow.check_may(caller, MANAGE_REVIEWS)
    ReviewPolicy.objects.get_or_create(agency=agency)
    policy = ReviewPolicy.objects.select_for_update().get(agency=agency)
    errors = {}
    for name, value in settings.items():
        if name not in POLICY_SETTINGS:
            errors[name] = [_("“%(field)s” is not a setting of the review policy.") % {"field": name}]
        elif isinstance(value, bool) or not isinstance(value, int):
            errors[name] = [_("“%(value)s” is not a whole number.") % {"value": value}]
        else:
            setattr(policy, name, value)
    if not errors:
        try:
            policy.full_clean(exclude=["agency"])
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    policy.save()
    return policy


# -- opening a cycle -------------------------------------------------------------------------------------------------
def stores_to_review(*, agency, month):
    """The ids of the agency's stores that were active at any time in ``month`` (in one query):

    1. created before the month ended (a store added later in the month counts; one added after it does not);
    2. and not closed all month long, by the store's audit trail (``HistoricalStore``): its status at the month's
       start (its last version before then) was not closed, or a version written during the month was not closed;
    3. a store whose trail says nothing up to the month's end (rows written without history) is judged by its
       status now.
    """
    start, end = month_bounds(agency=agency, month=month)
    history = Store.history.model.objects.filter(agency_id=agency.pk, id=OuterRef("pk")).exclude(history_type="-")
    at_start = history.filter(history_date__lt=start).order_by("-history_date", "-history_id").values("status")[:1]
    open_during = history.filter(history_date__gte=start, history_date__lt=end).exclude(status=StoreStatus.CLOSED)
    recorded = history.filter(history_date__lt=end)
    stores = (Store.objects.filter(agency=agency, created_at__lt=end)
              .annotate(status_at_start=Subquery(at_start), open_during=Exists(open_during),
                        recorded=Exists(recorded))
              .filter(Q(status_at_start__isnull=False) & ~Q(status_at_start=StoreStatus.CLOSED)
                      | Q(open_during=True)
                      | Q(recorded=False) & ~Q(status=StoreStatus.CLOSED)))
    return list(stores.order_by("pk").values_list("pk", flat=True))


def reviewers_of(*, agency, store_ids):
    """``{store id: user id}``: each store's reviewer, its operator now (the first assigned of those whose
    membership of the agency is active); a store nobody works on is left out (the managers' queue). One query."""
    assignments = (StoreAssignment.objects
                   .filter(agency=agency, store_id__in=store_ids, user__memberships__agency=agency,
                           user__memberships__is_active=True)
                   .order_by("store_id", "-created_at", "-pk").values_list("store_id", "user_id"))
    # Ordered newest first, so that the dict keeps each store's first assignment.
    return dict(assignments)


@transaction.atomic
def cycle_open(*, agency, month, caller=None):
    """Open the agency's review of ``month`` (a date of that month): the ``ReviewCycle`` (due on the policy's due
    day of the month after, with the agency's current checklist version, written from the defaults on the first
    opening) and a pending ``StoreReview`` of every store of ``stores_to_review``, each with its reviewer
    (``reviewers_of``) and its month frozen (``summary.month_summaries``, every store in one pass).

    Only a past month opens: the current month or a later one is refused on ``month``, naming it. By hand, managers
    only. Idempotent, for any number of workers at once: the cycle is created or found under its unique constraint
    (a second worker waits for the first's commit, then finds it) and the reviews are inserted with ``ON CONFLICT DO
    NOTHING`` under theirs; only the reviews still missing are computed. Returns the cycle."""
    month = first_day(month)
    if month >= first_day(agency.today()):
        raise ValidationError({"month": [_("%(month)s is not over yet: only a past month's review can be opened.")
                                         % {"month": month.strftime("%Y-%m")}]})
    workflow.check_may(caller, MANAGE_REVIEWS)
    version = checklist_ensure(agency=agency, caller=caller)
    policy = selectors.review_policy(agency=agency)
    cycle, _created = ReviewCycle.objects.get_or_create(
        agency=agency, month=month,
        defaults={"due_on": due_on(month=month, due_day=policy.due_day), "checklist": version,
                  "opened_by": caller.user if caller is not None and caller.is_person else None})
    reviewed = set(StoreReview.objects.filter(agency=agency, cycle=cycle).values_list("store_id", flat=True))
    missing = [store_id for store_id in stores_to_review(agency=agency, month=month) if store_id not in reviewed]
    if not missing:
        return cycle
    reviewers = reviewers_of(agency=agency, store_ids=missing)
    # Every store's month in one pass and every review in one statement: the queries of an opening are the same for
    # 10 stores and for 10,000.
    summaries = summary.month_summaries(agency=agency, store_ids=missing, month=month)
    now = timezone.now()
    if connection.vendor == "postgresql":
        reviews_sql.store_reviews_insert(
            agency_id=agency.pk, cycle_id=cycle.pk, now=now,
            rows=[(store_id, reviewers.get(store_id), summaries.get(store_id, {})) for store_id in missing])
    else:
        StoreReview.objects.bulk_create(
            [StoreReview(agency=agency, cycle=cycle, store_id=store_id, reviewer_id=reviewers.get(store_id),
                         summary=summaries.get(store_id, {}), summary_at=now) for store_id in missing],
            ignore_conflicts=True)
    return cycle


# -- a review's trail ------------------------------------------------------------------------------------------------
def _event(review, *, caller, at, from_status, to_status, comment="", kind=ReviewEvent.Kind.MOVE):
    return ReviewEvent(
        agency_id=review.agency_id, review=review, kind=kind, from_status=from_status, to_status=to_status,
        comment=comment, at=at, actor=caller.user if caller is not None and caller.is_person else None,
        api_key=caller.api_key if caller is not None else None)


def _reviews_of(agency, caller):
    """The agency's reviews that ``caller`` sees (``None``, the product itself: all): a review beyond an operator is
    as if it did not exist, here as in the API."""
    reviews = StoreReview.objects.filter(agency=agency)
    return reviews if caller is None else visible_rows(reviews, caller=caller)


def _locked(agency, review, caller):
    """``review`` read again under its row lock, with its cycle's checklist (moves of one review take turns);
    ``StoreReview.DoesNotExist`` when ``caller`` does not see it."""
    return (_reviews_of(agency, caller).select_for_update(of=("self",)).select_related("cycle", "cycle__checklist")
            .get(pk=review.pk))


def _comment(comment, *, field="comment"):
    comment = str(comment or "").strip()
    if len(comment) > FREE_TEXT_MAX_LENGTH:
        raise ValidationError({field: [_("The comment is %(length)s characters long; at most %(max)s.")
                                       % {"length": len(comment), "max": FREE_TEXT_MAX_LENGTH}]})
    return comment


#: The fields a move changes.
MOVED_FIELDS = ["status", "submitted_at", "approved_at", "approved_by", "updated_at"]


def _apply_move(review, to_status, *, caller, comment, now):
    """Move ``review`` (locked) to ``to_status`` if ``workflow.MOVES`` allows it, setting the time of that status;
    returns the unsaved event."""
    workflow.check_move(review.status, to_status)
    event = _event(review, caller=caller, at=now, from_status=review.status, to_status=to_status, comment=comment)
    review.status = to_status
    if to_status == Status.SUBMITTED:
        review.submitted_at = now
    if to_status == Status.APPROVED:
        review.approved_at, review.approved_by = now, caller.user if caller is not None and caller.is_person else None
    return event


def _move(review, to_status, *, caller, comment="", now=None):
    event = _apply_move(review, to_status, caller=caller, comment=comment, now=now or timezone.now())
    review.save(update_fields=MOVED_FIELDS)
    event.save()
    return review


# -- the reviewer's work ---------------------------------------------------------------------------------------------
@transaction.atomic
def review_start(*, agency, caller, review, comment=""):
    """Start ``review`` (pending or returned → in progress). Returns the review."""
    workflow.check_may(caller, WORK_ON_REVIEWS)
    review = _locked(agency, review, caller)
    return _move(review, Status.IN_PROGRESS, caller=caller, comment=_comment(comment))


@transaction.atomic
def review_answers_set(*, agency, caller, review, answers=None, comment=None):
    """Answer items of ``review``'s checklist (``answers``: ``{code: answer}``, laid over the answers it has; ``None``
    for an item clears it; ``checklist.check_answers`` refuses, on ``answers``, what its version does not take)
    and/or set the reviewer's ``comment``. Only while the reviewer works on it (``workflow.WORKING``; else refused
    on ``status``); work on a pending or returned review starts it first (a recorded move). Returns the review."""
    workflow.check_may(caller, WORK_ON_REVIEWS)
    review = _locked(agency, review, caller)
    workflow.check_editable(review.status)
    cleaned = checklist.check_answers(review.cycle.checklist.items, answers) if answers is not None else {}
    comment = _comment(comment) if comment is not None else None
    now = timezone.now()
    if workflow.starts(review.status):
        _move(review, Status.IN_PROGRESS, caller=caller, now=now)
    review.answers = checklist.merge_answers(review.answers, cleaned)
    review.issues_found = checklist.has_issues(review.answers)
    if comment is not None:
        review.comment = comment
    review.save(update_fields=["answers", "issues_found", "comment", "updated_at"])
    return review


@transaction.atomic
def review_refresh(*, agency, caller, review):
    """Compute ``review``'s month again from the data (``summary.month_summaries``) and record the refresh. Only
    before submission (``workflow.WORKING``): a submitted or approved review's summary never changes (refused on
    ``status``). Returns the review."""
    workflow.check_may(caller, WORK_ON_REVIEWS)
    review = _locked(agency, review, caller)
    workflow.check_editable(review.status)
    now = timezone.now()
    summaries = summary.month_summaries(agency=agency, store_ids=[review.store_id], month=review.cycle.month)
    review.summary, review.summary_at = summaries.get(review.store_id, {}), now
    review.save(update_fields=["summary", "summary_at", "updated_at"])
    _event(review, caller=caller, at=now, from_status=review.status, to_status=review.status,
           kind=ReviewEvent.Kind.REFRESH).save()
    return review


@transaction.atomic
def review_submit(*, agency, caller, review, comment=""):
    """Submit ``review`` (in progress → submitted) for the manager's sign-off, with an optional ``comment`` recorded
    on the move. Every required item of its checklist must be answered (else refused on ``answers``, naming them).
    Returns the review."""
    workflow.check_may(caller, WORK_ON_REVIEWS)
    review = _locked(agency, review, caller)
    workflow.check_move(review.status, Status.SUBMITTED)
    checklist.check_complete(review.cycle.checklist.items, review.answers)
    return _move(review, Status.SUBMITTED, caller=caller, comment=_comment(comment))


# -- the manager's sign-off ------------------------------------------------------------------------------------------
@transaction.atomic
def review_approve(*, agency, caller, review, comment=""):
    """Approve a submitted ``review``, with an optional ``comment``: it is signed and never changes again. Managers
    only. Returns the review."""
    workflow.check_may(caller, SIGN_OFF_REVIEWS)
    review = _locked(agency, review, caller)
    return _move(review, Status.APPROVED, caller=caller, comment=_comment(comment))


@transaction.atomic
def review_return(*, agency, caller, review, comment):
    """Return a submitted ``review`` to its reviewer, saying what to do (``comment``, required: refused on
    ``comment`` without one). Managers only. Returns the review."""
    workflow.check_may(caller, SIGN_OFF_REVIEWS)
    review = _locked(agency, review, caller)
    workflow.check_move(review.status, Status.RETURNED)  # a review not submitted is a conflict, whatever the comment
    comment = _comment(comment)
    if not comment:
        raise ValidationError({"comment": [_("Say what the reviewer should do again.")]})
    return _move(review, Status.RETURNED, caller=caller, comment=comment)


@transaction.atomic
def reviews_approve_bulk(*, agency, caller, reviews, comment=""):
    """Approve each of ``reviews`` that is submitted and found no issue, in a few statements whatever their number
    (a review that found issues is approved on its own, once read). Managers only. Returns ``(the reviews
    approved, [(review, ValidationError)] of those refused)``."""
    workflow.check_may(caller, SIGN_OFF_REVIEWS)
    comment = _comment(comment)
    locked = (_reviews_of(agency, caller).select_for_update(of=("self",)).select_related("store")
              .filter(pk__in=[review.pk for review in reviews]).order_by("pk"))
    now, approved, refused, events = timezone.now(), [], [], []
    for review in locked:
        try:
            workflow.check_move(review.status, Status.APPROVED)
            if review.issues_found:
                raise ValidationError({"issues_found": [
                    _("The review of %(store)s found issues: open it and approve it on its own.")
                    % {"store": review.store}]})
            events.append(_apply_move(review, Status.APPROVED, caller=caller, comment=comment, now=now))
        except ValidationError as error:
            refused.append((review, error))
            continue
        review.updated_at = now
        approved.append(review)
    StoreReview.objects.bulk_update(approved, MOVED_FIELDS)
    ReviewEvent.objects.bulk_create(events)
    return approved, refused
