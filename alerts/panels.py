"""The store page's "Alerts" panel (``accounts.extensions.StorePanel``): the store's open and acknowledged alerts,
overdue ones marked, then the few it resolved last, each linking to its page, and a link to all of the store's alerts
in the inbox.

The store page is scoped already (another agency's store, or an operator's colleague's, is a 404 before any panel
renders); the panel reads that store's alerts through ``selectors.alert_list`` (the one visibility rule), two queries
whatever the store's history holds.
"""

from django.template.loader import render_to_string
from django.urls import reverse

from accounts.tenancy import caller_of

from . import labels, selectors
from .admin.filters import ALL_STATUSES, STATUS_PARAMETER, STORE_PARAMETER, inbox_url
from .models import Alert

#: How many resolved alerts the panel lists, the latest first.
RESOLVED_LISTED = 5


def _row(alert):
    return {**labels.summary(alert), "url": reverse("admin:alerts_alert_change", args=[alert.pk]),
            "due": labels.when(alert.due_at), "resolved": labels.when(alert.resolved_at)}


def render_alerts_panel(*, request, store):
    """The panel's safe HTML for ``store``."""
    alerts = selectors.alert_list(agency=store.agency, caller=caller_of(request)).filter(store=store)
    open_alerts = list(alerts.filter(status__in=Alert.OPEN_STATUSES).order_by("-first_seen_at", "-pk"))
    resolved = list(alerts.filter(status=Alert.Status.RESOLVED).order_by("-resolved_at", "-pk")[:RESOLVED_LISTED])
    return render_to_string("alerts/panel_alerts.html", {
        "open_rows": [_row(alert) for alert in open_alerts],
        "resolved_rows": [_row(alert) for alert in resolved],
        "store_open_url": inbox_url(**{STORE_PARAMETER: store.pk}),
        "store_all_url": inbox_url(**{STORE_PARAMETER: store.pk, STATUS_PARAMETER: ALL_STATUSES}),
    }, request=request)
