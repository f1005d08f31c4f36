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
