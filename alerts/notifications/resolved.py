"""The resolved notice: the alerts one evaluation resolved (the store recovered), in one email per recipient.

Sent only when the agency sends such notices (``AlertPolicy.resolved_notices``), to the people whose resolved notices
are on and about the store (``subscriptions``). Muted alerts email nobody. Once per recipient and run, like the
immediate email.
"""

from django.utils.translation import gettext as _

from .. import selectors
from ..models import Alert, SentNotification
from . import content, delivery, recipients


def _alerts(*, agency, alert_ids):
    return list(Alert.objects.filter(agency=agency, pk__in=list(alert_ids), muted=False,
                                     status=Alert.Status.RESOLVED)
                .select_related("store").order_by("store__name", "store_id", "rule"))


def resolved_email(*, agency, alerts):
    """The ``Email`` of ``alerts`` (just resolved) to one recipient."""
    subject = _("Resolved (%(count)s): %(stores)s") % {"count": len(alerts), "stores": content.store_names(alerts)}
    return content.email_from_templates("resolved", subject=subject, agency=agency, alerts=content.listing(alerts))


def deliver_rows(*, agency, rows, now=None, alerts=None):
    """Send the resolved notices of the sent-log ``rows`` (``alerts``: theirs, when already loaded)."""
    if alerts is None:
        alerts = _alerts(agency=agency, alert_ids={pk for row in rows for pk in row.alert_ids})
    by_id = {alert.pk: alert for alert in alerts}

    def write(row):
        theirs = [by_id[pk] for pk in row.alert_ids if pk in by_id]
        return resolved_email(agency=agency, alerts=theirs) if theirs else None

    return delivery.notifications_deliver(agency=agency, rows=rows, write=write, now=now)


def resolved_alerts_notify(*, agency, alert_ids, now=None):
    """Email the alerts ``alert_ids`` resolved by one evaluation to everyone who asked for such notices, if the agency
    sends them. Returns the ``delivery.Delivery``."""
    if not selectors.alert_policy(agency=agency).resolved_notices:
        return delivery.Delivery()
    alerts = _alerts(agency=agency, alert_ids=alert_ids)
    by_recipient = recipients.for_resolved_alerts(agency=agency, alerts=alerts)
    rows = delivery.notifications_write(
        agency=agency, kind=SentNotification.Kind.RESOLVED, period=delivery.run_period(alert_ids),
        alerts_by_recipient={person.user: [alert.pk for alert in theirs] for person, theirs in by_recipient.items()})
    return deliver_rows(agency=agency, rows=rows, now=now, alerts=alerts)
