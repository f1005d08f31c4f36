"""The overview page's section "Open alerts" (``accounts.extensions.OverviewSection``, order 20): how many alerts of
the stores the person sees (an operator: theirs) are open or acknowledged, by severity, and how many are overdue,
each a link to the inbox filtered so; then the overdue ones, most overdue first, and the newest, each linking to its
page; a capped list. Left out when none is open.

It reads through ``selectors.alert_list`` (the one visibility rule) and ``selectors.overdue`` (the overdue rule), in
four queries whatever the number of alerts: the counts by severity, the overdue count, the overdue and the newest
listed.
"""

from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import caller_of

from . import labels, selectors
from .admin.filters import OVERDUE, OVERDUE_PARAMETER, SEVERITY_PARAMETER, inbox_url
from .models import Alert

#: How many alerts the section lists; the rest are behind the counts' links.
LISTED = 8
TITLE = _("Open alerts")


def _row(alert):
    return {**labels.summary(alert), "url": reverse("admin:alerts_alert_change", args=[alert.pk])}


def render_open_alerts(*, request, agency):
    """The section's safe HTML for the request's caller, or "" when none of their alerts is open."""
    caller = caller_of(request)
    now = timezone.now()
    open_alerts = selectors.alert_list(agency=agency, caller=caller).filter(status__in=Alert.OPEN_STATUSES)
    by_severity = dict(open_alerts.order_by().values_list("severity").annotate(total=Count("pk")))
    total = sum(by_severity.values())
    if not total:
        return ""
    overdue = selectors.overdue(open_alerts, now=now)
    overdue_count = overdue.count()
    # The most overdue first, then the newest of the others: two capped reads, whatever the numbers.
    listed = list(overdue.order_by("due_at", "pk")[:LISTED])
    newest = open_alerts.order_by("-first_seen_at", "-pk")[:2 * LISTED]
    listed += [alert for alert in newest if alert.pk not in {shown.pk for shown in listed}][:LISTED - len(listed)]
    counts = [{"severity": severity.value, "label": severity.label, "count": by_severity.get(severity.value, 0),
               "tone": labels.SEVERITY_TONES[severity.value],
               "url": inbox_url(**{SEVERITY_PARAMETER: severity.value})} for severity in Alert.Severity]
    return render_to_string("alerts/overview_open_alerts.html", {
        "total": total,
        "counts": counts,
        "overdue": overdue_count,
        "overdue_url": inbox_url(**{OVERDUE_PARAMETER: OVERDUE}),
        "rows": [_row(alert) for alert in listed],
        "more": max(total - len(listed), 0),
        "inbox_url": inbox_url(),
    }, request=request)
