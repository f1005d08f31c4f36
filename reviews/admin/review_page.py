"""A store review's page in the admin (``/admin/reviews/storereview/<id>/change/``).

It shows the frozen month (``frozen_month``), the checklist with an answer (done, not applicable, issue found) and a
note per item in the reader's language, the reviewer's comment, a button for each move the reader may make now, and
the trail (``ReviewEvent`` rows).

The buttons follow the rules, never re-implement them: a move is offered when ``workflow.MOVES`` allows it from the
review's status and ``workflow.may_move`` lets the reader make it (operators never approve nor return); saving the
answers, refreshing the month and submitting are offered while the reviewer owes the work (``workflow.WORKING``).

A POST writes through the services only (``review_answers_set``, ``review_start``, ``review_submit``,
``review_approve``, ``review_return``, ``review_refresh``); whatever they refuse (a required item unanswered, an
issue without a note, a move someone else made meanwhile, a return without a comment) is shown on the page with what
was typed, with a 200, never a 500. Someone who may not change reviews (a viewer) is refused a POST with a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import caller_of

from .. import checklist, selectors, services, workflow
from ..models import StoreReview
from .filters import board_url
from .frozen_month import frozen_month

Status = StoreReview.Status

SAVE, START, SUBMIT, APPROVE, RETURN, REFRESH = "save", "start", "submit", "approve", "return", "refresh"
#: The button of each move of the status (``workflow.MOVES``).
BUTTON_OF_MOVE = {Status.IN_PROGRESS: START, Status.SUBMITTED: SUBMIT, Status.APPROVED: APPROVE,
                  Status.RETURNED: RETURN}
BUTTON_LABELS = {SAVE: _("Save the answers"), START: _("Start the review"), SUBMIT: _("Submit for approval"),
                 APPROVE: _("Approve"), RETURN: _("Return with comment"), REFRESH: _("Refresh the month's figures")}
BUTTON_TONES = {SAVE: "default", START: "default", SUBMIT: "primary", APPROVE: "primary", RETURN: "danger",
                REFRESH: "default"}
ANSWER_LABELS = {checklist.DONE: _("Done"), checklist.NOT_APPLICABLE: _("Not applicable"),
                 checklist.ISSUE_FOUND: _("Issue found")}


def buttons_for(caller, review, *, may_change):
    """The buttons the reader may press now, in the order they are shown."""
    if not may_change:
        return []
    buttons = []
    working = Status(review.status) in workflow.WORKING
    if working and workflow.may_move(caller, Status.SUBMITTED):
        buttons += [SAVE, REFRESH]
    for to in workflow.allowed_moves(review.status):
        if workflow.may_move(caller, to):
            buttons.append(BUTTON_OF_MOVE[to])
    if working and SUBMIT not in buttons and workflow.may_move(caller, Status.SUBMITTED):
        # Work on a pending or returned review starts it: "submit" starts it first, as a person expects.
        buttons.append(SUBMIT)
    return buttons


def posted_answers(post, items):
    """The answers of the form: ``{code: {"answer", "note"}}`` for each item given an answer (a radio button left
    empty says nothing)."""
    answers = {}
    for item in items:
        code = item["code"]
        answer = post.get(f"answer-{code}")
        if answer:
            answers[code] = {"answer": answer, "note": post.get(f"note-{code}", "")}
    return answers


def _changed(answers, stored):
    """The answers that differ from those stored (only they are written: an unchanged form writes nothing)."""
    stored = stored or {}
    return {code: value for code, value in answers.items()
            if (stored.get(code) or {}).get("answer") != value["answer"]
            or ((stored.get(code) or {}).get("note") or "").strip() != value["note"].strip()}


def _act(*, agency, caller, review, button, post, items):
    """Carry out ``button`` through the services; returns the success message. Saving and submitting write the
    changed answers and the reviewer's comment first (which starts a pending or returned review)."""
    if button in (SAVE, SUBMIT):
        answers = _changed(posted_answers(post, items), review.answers)
        comment = post.get("comment")
        comment = comment if comment is not None and comment.strip() != (review.comment or "").strip() else None
        if answers or comment is not None:
            review = services.review_answers_set(agency=agency, caller=caller, review=review,
                                                 answers=answers or None, comment=comment)
    if button == SAVE:
        return gettext("The answers are saved.")
    if button == REFRESH:
        services.review_refresh(agency=agency, caller=caller, review=review)
        return gettext("The month's figures are computed again.")
    if button == START or (button == SUBMIT and workflow.starts(review.status)):
        review = services.review_start(agency=agency, caller=caller, review=review)
        if button == START:
            return gettext("The review is in progress.")
    if button == SUBMIT:
        services.review_submit(agency=agency, caller=caller, review=review)
        return gettext("The review is submitted for approval.")
    if button == APPROVE:
        services.review_approve(agency=agency, caller=caller, review=review, comment=post.get("manager_comment", ""))
        return gettext("The review is approved.")
    services.review_return(agency=agency, caller=caller, review=review, comment=post.get("manager_comment", ""))
    return gettext("The review is returned to its reviewer.")


def _errors(error):
    """A ``ValidationError`` as ``{field: [messages]}`` (``__all__`` for one without fields)."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


def _checklist_rows(items, answers, post):
    language = get_language()
    rows = []
    for item in items:
        stored = (answers or {}).get(item["code"]) or {}
        chosen = post.get(f"answer-{item['code']}", stored.get("answer", "")) if post else stored.get("answer", "")
        note = post.get(f"note-{item['code']}", stored.get("note", "")) if post else stored.get("note", "")
        rows.append({"code": item["code"], "text": checklist.item_text(item, language),
                     "required": item.get("required", False), "answer": chosen, "note": note,
                     "choices": [(value, ANSWER_LABELS[value]) for value in checklist.ANSWERS],
                     "answer_label": ANSWER_LABELS.get(chosen, "—")})
    return rows


def _trail(*, agency, review):
    rows = []
    for event in selectors.review_events(agency=agency, review=review).order_by("at", "pk"):
        if event.kind == event.Kind.REFRESH:
            what = event.get_kind_display()
        else:
            before = Status(event.from_status).label if event.from_status in Status.values else "—"
            after = Status(event.to_status).label if event.to_status in Status.values else "—"
            what = f"{before} → {after}"
        by = str(event.actor) if event.actor else (event.api_key.name if event.api_key else gettext("the system"))
        rows.append({"at": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"), "what": what, "by": by,
                     "comment": event.comment, "kind": event.kind, "to": event.to_status})
    return rows


def review_page(model_admin, request, review):
    """The page of ``review`` (one the caller sees)."""
    caller = caller_of(request)
    agency = caller.agency if caller.agency is not None else review.agency
    may_change = model_admin.has_change_permission(request, review)
    items = review.cycle.checklist.items or []
    errors, post = {}, None
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        button = request.POST.get("action", "")
        allowed = buttons_for(caller, review, may_change=may_change)
        try:
            if button not in allowed:
                raise ValidationError({"status": [gettext(
                    "This review is %(status)s: this button is not one of its moves for you now.")
                    % {"status": review.get_status_display()}]})
            done = _act(agency=agency, caller=caller, review=review, button=button, post=request.POST, items=items)
        except (ValidationError, PermissionDenied) as error:
            errors = _errors(error) if isinstance(error, ValidationError) else {"__all__": [str(error)]}
            post = request.POST
            review.refresh_from_db()
        else:
            messages.success(request, done)
            return HttpResponseRedirect(request.path)
    overdue = workflow.is_overdue(status=review.status, due_on=review.cycle.due_on, today=agency.today())
    buttons = buttons_for(caller, review, may_change=may_change)
    signs_off = RETURN in buttons or APPROVE in buttons
    context = model_admin.context(
        request, title=_("Review of %(store)s, %(month)s") % {"store": review.store.name, "month": review.cycle},
        review=review, original=review, store=review.store, cycle=review.cycle, month=frozen_month(review.summary),
        checklist=_checklist_rows(items, review.answers, post),
        editable=bool(buttons) and Status(review.status) in workflow.WORKING,
        buttons=[{"name": name, "label": BUTTON_LABELS[name], "tone": BUTTON_TONES[name]} for name in buttons],
        signs_off=signs_off, comment=post.get("comment", review.comment) if post else review.comment,
        manager_comment=post.get("manager_comment", "") if post else "",
        errors=errors, answer_errors=errors.get("answers", []),
        comment_errors=errors.get("comment", []) if not signs_off else [],
        manager_errors=errors.get("comment", []) if signs_off else [],
        other_errors=[message for field, problems in errors.items() if field not in ("answers", "comment")
                      for message in problems],
        overdue=overdue, trail=_trail(agency=agency, review=review), board_url=board_url(review.cycle),
        store_url=reverse("admin:accounts_store_change", args=[review.store_id]),
        list_url=reverse("admin:reviews_storereview_changelist"),
        missing_required=checklist.missing_required(items, review.answers))
    return TemplateResponse(request, "reviews/review.html", context, status=200)
