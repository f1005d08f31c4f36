"""Who may reach which alert over the API, and what they may do with it.

Reading needs a place in the agency (a member or a key); acknowledging and resolving need ``WORK_ON_ALERTS``
(working on stores: owners, managers, operators, read-write keys). An alert is looked up among those the caller sees
(``selectors.alert_list``) before any power is asked: another agency's id, an alert of a store beyond an operator, or
a word in the id's place is a 404 for everyone, never a 403 that would confirm it exists; a viewer or a read-only key
then gets a 403 on a move.
"""

from django.db.models import Prefetch
from django.http import Http404

from accounts.platform.api.mixins import TenantViewMixin
from accounts.platform.api.permissions import IsAgencyMember
from accounts.platform.ids import object_id_or_none

from .. import selectors
from ..models import AlertTransition
from ..powers import WORK_ON_ALERTS


class WorksOnAlerts(IsAgencyMember):
    """Members and keys read; moves need ``WORK_ON_ALERTS`` (on one alert: once it was found)."""

    power = WORK_ON_ALERTS


class AlertViewMixin(TenantViewMixin):
    """A view of the caller's alerts; views that serve one alert name it ``pk`` in their route."""

    permission_classes = [WorksOnAlerts]
    filter_backends = []
    lookup_field = "pk"  # tells the permissions that moves wait until the alert was found

    def get_rows(self):
        return selectors.alert_list(agency=self.agency, caller=self.caller)

    def alerts_with_transitions(self):
        """The caller's alerts, each with its transitions and who made them (``AlertDetailSerializer``)."""
        transitions = AlertTransition.objects.filter(agency=self.agency).select_related("actor", "api_key")
        return self.get_rows().prefetch_related(Prefetch("transitions", queryset=transitions))

    def find_alert(self):
        """The alert of the route among those the caller sees (``get_rows``), with the caller's object permissions
        checked for a move; else a 404."""
        alert_id = object_id_or_none(self.kwargs.get("pk"))
        if alert_id is None or self.agency is None:
            raise Http404
        alert = self.get_rows().filter(pk=alert_id).first()
        if alert is None:
            raise Http404
        self.check_object_permissions(self.request, alert)
        return alert
