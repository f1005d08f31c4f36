"""Demo data of the monthly review: last month's cycle, with reviews in every state.

``loaddemo`` creates the demo portfolio today, so its stores did not exist last month: they are dated back to the
start of the month before last first (``STORES_SINCE``: a real agency's portfolio was there), then last month's cycle
opens through ``services.cycle_open`` (every store reviewed, its month frozen from the other apps' demo data). The
reviews then move through the services, each by its reviewer (the store's operator, or the demo manager for the
managers' queue), as a person would:

* in progress: a few answers given;
* submitted without issues: every item answered "done" (what the board approves in bulk);
* submitted with issues: the chat channel and the red metrics' plan found wanting, with notes;
* approved (some with issues, approved on their own);
* returned with the manager's comment;
* the rest stay pending, some of them in the managers' queue.

Running it twice adds nothing: the cycle opens once, and the reviews move only while all of them are pending.
"""

from accounts.models import Store
from accounts.roles import Role
from accounts.tenancy import Caller

from . import checklist, services
from .models import StoreReview

Status = StoreReview.Status

IN_PROGRESS, SUBMITTED, SUBMITTED_ISSUES, APPROVED, APPROVED_ISSUES, RETURNED = (
    "in_progress", "submitted", "submitted_issues", "approved", "approved_issues", "returned")
#: The story of each review, by its position among the cycle's reviews (by store name); the others stay pending.
STORIES = (SUBMITTED, SUBMITTED_ISSUES, APPROVED, RETURNED, IN_PROGRESS, SUBMITTED, APPROVED_ISSUES, APPROVED,
           SUBMITTED, IN_PROGRESS, RETURNED, SUBMITTED_ISSUES, APPROVED, SUBMITTED, IN_PROGRESS, APPROVED)
#: The items found wanting in a review "with issues", with their notes.
ISSUES = {
    "red_metrics_plan": "LSR was red for 6 days mid-month: carrier delays. Plan of action drafted, not yet sent. "
                        "迟发率连续 6 天为红色，行动计划已起草未提交。",
    "cases_followed_up": "Case on the listing removal unanswered for 3 days: follow up by chat. 工单 3 天未回复。",
}
RETURN_COMMENT = "Please add the plan of action for the late shipments before I approve. 请补充迟发率的行动计划。"
REVIEWER_COMMENT = "Quiet month; metrics on target. 本月指标正常。"


def _answers(items, *, with_issues, partial=False):
    """Every item "done" (the chat channel "not applicable" where it is optional), the ``ISSUES`` items found
    wanting when ``with_issues``; the first three items only when ``partial``."""
    answers = {}
    for item in items[:3] if partial else items:
        code = item["code"]
        if with_issues and code in ISSUES:
            answers[code] = {"answer": checklist.ISSUE_FOUND, "note": ISSUES[code]}
        elif not item.get("required"):
            answers[code] = {"answer": checklist.NOT_APPLICABLE, "note": ""}
        else:
            answers[code] = {"answer": checklist.DONE, "note": ""}
    return answers


def _caller(agency, review, *, manager, roles):
    if review.reviewer_id is not None and review.reviewer_id in roles:
        return Caller.person(agency=agency, user=review.reviewer, role=roles[review.reviewer_id])
    return manager


def _tell(story, *, agency, review, reviewer, manager):
    items = review.cycle.checklist.items
    with_issues = story in (SUBMITTED_ISSUES, APPROVED_ISSUES, RETURNED)
    comment = "" if with_issues else REVIEWER_COMMENT
    review = services.review_answers_set(agency=agency, caller=reviewer, review=review, comment=comment,
                                         answers=_answers(items, with_issues=with_issues,
                                                          partial=story == IN_PROGRESS))
    if story == IN_PROGRESS:
        return
    review = services.review_submit(agency=agency, caller=reviewer, review=review)
    if story in (APPROVED, APPROVED_ISSUES):
        services.review_approve(agency=agency, caller=manager, review=review)
    elif story == RETURNED:
        services.review_return(agency=agency, caller=manager, review=review, comment=RETURN_COMMENT)


def load(*, agency, people):
    """Open last month's cycle and move its reviews (see the module)."""
    manager_user = people[Role.MANAGER][0]
    manager = Caller.person(agency=agency, user=manager_user, role=Role.MANAGER)
    last_month = services.month_before(agency.today())
    stores_since = services.month_before(last_month)
    # The demo portfolio was created a moment ago; date it back so that it was there in the month reviewed.
    Store.objects.filter(agency=agency, created_at__gte=services.month_bounds(agency=agency, month=last_month)[0]
                         ).update(created_at=services.month_bounds(agency=agency, month=stores_since)[0])
    cycle = services.cycle_open(agency=agency, month=last_month, caller=manager)
    reviews = list(StoreReview.objects.filter(agency=agency, cycle=cycle)
                   .select_related("reviewer", "store", "cycle__checklist").order_by("store__name", "pk"))
    if any(review.status != Status.PENDING for review in reviews):
        return  # loaded already
    roles = {user.pk: role for role, users in people.items() for user in users}
    for review, story in zip(reviews, STORIES, strict=False):
        _tell(story, agency=agency, review=review, manager=manager,
              reviewer=_caller(agency, review, manager=manager, roles=roles))
