"""The review list's filters and the addresses that use them: the board's counts, the overview's section and the
digest link to the review list narrowed by the same query parameters (``review_list_url``).

* ``cycle``: a cycle's id (the board's cycle);
* ``status``: a status of ``StoreReview.Status``;
* ``reviewer``: a person's id, or ``queue`` for the managers' queue (no reviewer);
* ``client``: a client's id;
* ``issues``: ``yes`` (an answer says "issue found") or ``no``;
* ``overdue``: ``yes``: the cycle's due day is over and the reviewer still owes the review (``workflow.is_overdue``,
  as a query: ``overdue_condition``).

A value that is not one of these (another agency's id, a word) narrows nothing away from the caller's own rows: the
list is always the caller's reviews first (``TenantAdmin.get_queryset``), and a filter only narrows it.
"""

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter

from accounts import selectors as account_selectors
from accounts.platform.ids import object_id_or_none
from accounts.tenancy import caller_of

from .. import workflow
from ..models import ReviewCycle, StoreReview

CYCLE = "cycle"
STATUS = "status"
REVIEWER = "reviewer"
QUEUE = "queue"
CLIENT = "client"
ISSUES = "issues"
OVERDUE = "overdue"
YES, NO = "yes", "no"


def review_list_url(**parameters):
    """The review list narrowed by ``parameters`` (names of this module: ``cycle=…, status=…``); ``None`` values are
    left out."""
    url = reverse("admin:reviews_storereview_changelist")
    query = {name: value for name, value in parameters.items() if value is not None}
    return f"{url}?{urlencode(query)}" if query else url


def board_url(cycle=None):
    """The manager's board, of ``cycle`` (else of the latest cycle)."""
    url = reverse("admin:reviews_storereview_board")
    return f"{url}?{urlencode({CYCLE: cycle.pk})}" if cycle is not None else url


def overdue_rows(queryset, *, today):
    """The reviews of ``queryset`` that are overdue on ``today`` (``overdue_condition``)."""
    return queryset.filter(overdue_condition(today=today))


def overdue_condition(*, today):
    """``Q`` of a review overdue on ``today``: ``workflow.is_overdue`` as a query (the due day itself is still on
    time; a submitted review waits for a manager, not for its reviewer)."""
    return Q(cycle__due_on__lt=today, status__in=sorted(workflow.OWED))


class CycleFilter(DropdownFilter):
    title = _("cycle")
    parameter_name = CYCLE

    def lookups(self, request, model_admin):
        agency = caller_of(request).agency
        if agency is None:
            return []
        return [(str(cycle.pk), str(cycle)) for cycle in ReviewCycle.objects.filter(agency=agency).order_by("-month")]

    def queryset(self, request, queryset):
        cycle_id = object_id_or_none(self.value()) if self.value() else None
        return queryset.filter(cycle_id=cycle_id) if cycle_id is not None else queryset


class StatusFilter(DropdownFilter):
    title = _("status")
    parameter_name = STATUS

    def lookups(self, request, model_admin):
        return StoreReview.Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() in StoreReview.Status.values else queryset


class ReviewerFilter(DropdownFilter):
    title = _("reviewer")
    parameter_name = REVIEWER

    def lookups(self, request, model_admin):
        caller = caller_of(request)
        if caller.agency is None:
            return []
        people = account_selectors.members(agency=caller.agency).order_by("email")
        if not caller.sees_all_stores:
            # An operator's list holds their own stores' reviews: the only reviewer to choose is themselves.
            people = people.filter(pk=caller.user.pk) if caller.user is not None else people.none()
        return [(QUEUE, _("Managers' queue")), *[(str(person.pk), str(person)) for person in people]]

    def queryset(self, request, queryset):
        if self.value() == QUEUE:
            return queryset.filter(reviewer__isnull=True)
        person_id = object_id_or_none(self.value()) if self.value() else None
        return queryset.filter(reviewer_id=person_id) if person_id is not None else queryset


class ClientFilter(DropdownFilter):
    title = _("client")
    parameter_name = CLIENT

    def lookups(self, request, model_admin):
        caller = caller_of(request)
        if caller.agency is None:
            return []
        clients = account_selectors.client_list(agency=caller.agency, caller=caller).order_by("name")
        return [(str(client.pk), client.name) for client in clients]

    def queryset(self, request, queryset):
        client_id = object_id_or_none(self.value()) if self.value() else None
        return queryset.filter(store__client_id=client_id) if client_id is not None else queryset


class IssuesFilter(DropdownFilter):
    title = _("issues found")
    parameter_name = ISSUES

    def lookups(self, request, model_admin):
        return [(YES, _("Issues found")), (NO, _("No issue found"))]

    def queryset(self, request, queryset):
        if self.value() in (YES, NO):
            return queryset.filter(issues_found=self.value() == YES)
        return queryset


class OverdueFilter(DropdownFilter):
    title = _("overdue")
    parameter_name = OVERDUE

    def lookups(self, request, model_admin):
        return [(YES, _("Overdue: past the due date, still owed by the reviewer"))]

    def queryset(self, request, queryset):
        agency = caller_of(request).agency
        if self.value() != YES or agency is None:
            return queryset
        return overdue_rows(queryset, today=agency.today())
