"""The catch-up: the alert emails that an attempt left unsent (its worker died after writing or claiming the row, or
its retries ran out while the row was deferred) are sent by the periodic round (``alerts.tasks.escalate_overdue``).

The daily digest needs none: its periodic task looks for the day's unsent digests itself (``digest``).
"""

from ..models import SentNotification
from . import delivery, escalation, notices

#: How each kind's rows are sent again.
DELIVERERS = {
    SentNotification.Kind.IMMEDIATE: notices.deliver_rows,
    SentNotification.Kind.RESOLVED: notices.deliver_rows,
    SentNotification.Kind.ESCALATION: escalation.deliver_rows,
}


def leftovers_deliver(*, agency, now=None):
    """Send every leftover row (``delivery.leftovers``) of the immediate, resolved and escalation emails. Returns one
    ``delivery.Delivery`` for them all."""
    total = delivery.Delivery()
    for kind, deliver in DELIVERERS.items():
        rows = delivery.leftovers(agency=agency, kind=kind, now=now)
        if rows:
            total.extend(deliver(agency=agency, rows=rows, now=now))
    return total


def alert_emails_send(*, agency, now=None):
    """The email run of new and resolved alerts (``alerts.tasks.send_alert_notices``): what earlier attempts left
    unsent first (on a retry: the emails this run's mail server deferred, which must not be tried twice at once), then
    the alerts waiting for their email. Returns one ``delivery.Delivery``."""
    done = leftovers_deliver(agency=agency, now=now)
    return done.extend(notices.notices_send(agency=agency, now=now))


def periodic_round(*, agency, now=None):
    """The agency's 15-minute round (``alerts.tasks.escalate_overdue``): what was left unsent, the overdue alerts
    escalated to the managers, and the alerts still waiting for their email (their run lost or dead). Returns one
    ``delivery.Delivery``."""
    done = leftovers_deliver(agency=agency, now=now)
    done.extend(escalation.escalations_notify(agency=agency, now=now))
    return done.extend(notices.notices_send(agency=agency, now=now))
