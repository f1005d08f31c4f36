"""The filters of the alert inbox that are the inbox's own: the status (open or acknowledged unless asked
otherwise: the inbox is what needs someone), overdue, and the assignee ("mine"). Severity, rule, kind and store are
the theme's filters over the model's fields. ``inbox_url`` builds the address of the inbox filtered by them, for the
overview and the store page's panel."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter

from accounts.platform.ids import object_id_or_none
from accounts.selectors import assignable_people
from accounts.tenancy import caller_of

from .. import selectors
from ..models import Alert

STATUS_PARAMETER = "status"
#: The status filter's value for every alert, resolved ones too (no value: open or acknowledged).
ALL_STATUSES = "all"
OVERDUE_PARAMETER = "overdue"
OVERDUE = "yes"
ASSIGNEE_PARAMETER = "assignee"
MINE = "mine"
NOBODY = "none"
#: The filters over fields (the theme's ``ChoicesDropdownFilter``, the platform's ``VisibleRowFilter``), by their
#: parameters.
SEVERITY_PARAMETER = "severity__exact"
RULE_PARAMETER = "rule__exact"
STORE_PARAMETER = "store__id__exact"


def inbox_url(**filters):
    """The alert inbox, filtered by ``filters`` (query parameters of its filters)."""
    url = reverse("admin:alerts_alert_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


class StatusFilter(DropdownFilter):
    title = _("status")
    parameter_name = STATUS_PARAMETER
    # No value is the inbox's default: what still needs someone.
    all_option = ["", _("Open or acknowledged")]

    def lookups(self, request, model_admin):
        return [*Alert.Status.choices, (ALL_STATUSES, _("All, resolved too"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == ALL_STATUSES:
            return queryset
        if value in Alert.Status.values:
            return queryset.filter(status=value)
        return queryset.filter(status__in=Alert.OPEN_STATUSES)


class OverdueFilter(DropdownFilter):
    title = _("overdue")
    parameter_name = OVERDUE_PARAMETER

    def lookups(self, request, model_admin):
        return [(OVERDUE, _("Overdue: open, unacknowledged, past due"))]

    def queryset(self, request, queryset):
        return selectors.overdue(queryset) if self.value() == OVERDUE else queryset


class AssigneeFilter(DropdownFilter):
    title = _("assignee")
    parameter_name = ASSIGNEE_PARAMETER

    def lookups(self, request, model_admin):
        caller = caller_of(request)
        choices = [(MINE, _("Assigned to me")), (NOBODY, _("Nobody"))] if caller.is_person else [(NOBODY, _("Nobody"))]
        if caller.agency is not None and caller.sees_all_stores:
            people = assignable_people(agency=caller.agency).order_by("email")
            choices += [(str(person.pk), str(person)) for person in people]
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == MINE:
            user = caller_of(request).user
            return queryset.filter(assignee=user) if user is not None else queryset.none()
        if value == NOBODY:
            return queryset.filter(assignee__isnull=True)
        person_id = object_id_or_none(value) if value else None
        return queryset.filter(assignee_id=person_id) if person_id is not None else queryset
