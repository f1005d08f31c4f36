"""Reads of Seller Support cases: the cases a caller sees, one case with its timeline, and the cases flagged for a
chat or a follow-up (``moves.needs_follow_up``), each with the agency as an explicit keyword argument.

The agency's follow-up hours come from its ``CasePolicy`` (``selectors.templates.policy_of``: the row, or the
defaults while the agency never changed them).
"""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Case, ExpressionWrapper, IntegerField, Prefetch, Q, Value, When
from django.utils import timezone

from accounts.selectors import visible_rows

from .. import moves
from ..models import CaseEvent, Priority, SupportCase
from .chats import chat_eligibility_of_stores
from .templates import policy_of


def case_list(*, agency, caller):
    """The cases of the stores ``caller`` sees (an operator: theirs), newest first, with their store, its client,
    the assignee and the alert they answer."""
    cases = SupportCase.objects.filter(agency=agency).select_related("store", "store__client", "assignee", "alert")
    return visible_rows(cases, caller=caller)


def case_events(*, agency, case):
    """The timeline of ``case``, oldest first, with who wrote each entry, the document and the template."""
    return (CaseEvent.objects.filter(agency=agency, case=case)
            .select_related("author", "api_key", "document", "template_version__template").order_by("at", "pk"))


def case_detail(*, agency, caller, case_id):
    """The case ``case_id`` among those ``caller`` sees, its timeline loaded (``events``, oldest first); ``None``
    when the caller sees no such case."""
    events = (CaseEvent.objects.filter(agency=agency)
              .select_related("author", "api_key", "document", "template_version__template").order_by("at", "pk"))
    return case_list(agency=agency, caller=caller).prefetch_related(Prefetch("events", queryset=events)).filter(
        pk=case_id).first()


def follow_up_hours(*, agency):
    """The agency's hours of waiting for Amazon after which a case is flagged."""
    return policy_of(agency=agency).follow_up_after_hours


def follow_up_rule(*, now, follow_up_after_hours):
    """``moves.needs_follow_up`` as a condition of the database at ``now``: open, and high or urgent, or waiting for
    Amazon since strictly before ``now`` minus the hours."""
    late_since = now - datetime.timedelta(hours=follow_up_after_hours)
    return Q(status__in=moves.OPEN) & (
        Q(priority__in=moves.PRESSING)
        | Q(status__in=moves.WAITING_FOR_AMAZON, waiting_since__isnull=False, waiting_since__lt=late_since))


def needing_follow_up(cases, *, now, follow_up_after_hours, flagged=True):
    """``cases`` (a queryset) narrowed to those ``moves.needs_follow_up`` flags at ``now`` (``flagged=False``: to
    the others), in the database."""
    rule = follow_up_rule(now=now, follow_up_after_hours=follow_up_after_hours)
    return cases.filter(rule) if flagged else cases.exclude(rule)


def with_follow_up(cases, *, agency, now):
    """``cases`` annotated with ``flagged``: whether ``moves.needs_follow_up`` flags each at ``now``, by the agency's
    hours, in the same query (a list reads it per row without a query per row)."""
    rule = follow_up_rule(now=now, follow_up_after_hours=follow_up_hours(agency=agency))
    return cases.annotate(flagged=ExpressionWrapper(rule, output_field=BooleanField()))


#: Urgent cases first, then high ones, then the others.
PRESSING_FIRST = Case(When(priority=Priority.URGENT, then=Value(0)), When(priority=Priority.HIGH, then=Value(1)),
                      default=Value(2), output_field=IntegerField())


@dataclass(frozen=True)
class FollowUp:
    """A flagged case and what it asks for (``moves.CHAT`` when its store may chat now, ``moves.FOLLOW_UP``
    otherwise), with the moment it became late (``None`` for a case flagged for its priority alone)."""

    case: SupportCase
    kind: str
    late_since: datetime.datetime | None

    @property
    def kind_label(self):
        return dict(moves.FOLLOW_UP_KINDS)[self.kind]


def cases_needing_follow_up(*, agency, caller, now=None, limit=None):
    """The cases ``caller`` sees that are flagged at ``now`` (default: now), urgent then high first, then the longest
    waiting, each a ``FollowUp`` with its kind from the stores' chat eligibility
    (``selectors.chats.chat_eligibility_of_stores``): one query for the cases and the fixed queries of the
    eligibility, however many cases and stores."""
    now = now or timezone.now()
    hours = follow_up_hours(agency=agency)
    flagged = list(needing_follow_up(case_list(agency=agency, caller=caller), now=now, follow_up_after_hours=hours)
                   .order_by(PRESSING_FIRST, "waiting_since", "pk")[:limit])
    may_chat = chat_eligibility_of_stores(agency=agency, store_ids={case.store_id for case in flagged}, now=now)
    return [FollowUp(case=case, kind=moves.follow_up_kind(may_chat.get(case.store_id, False)),
                     late_since=_late_since(case, now=now, hours=hours))
            for case in flagged]


def _late_since(case, *, now, hours):
    """When ``case`` became late waiting for Amazon; ``None`` when it is not late (yet), e.g. flagged for its
    priority alone."""
    if case.waiting_since is None or case.status not in moves.WAITING_FOR_AMAZON:
        return None
    due = moves.follow_up_due_at(waiting_since=case.waiting_since, follow_up_after_hours=hours)
    return due if due < now else None


def is_flagged(case, *, now, follow_up_after_hours):
    """Whether ``moves.needs_follow_up`` flags ``case`` at ``now`` (for one case already loaded)."""
    return moves.needs_follow_up(status=case.status, priority=case.priority, waiting_since=case.waiting_since,
                                 now=now, follow_up_after_hours=follow_up_after_hours)
