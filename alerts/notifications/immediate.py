"""The immediate email: the new red alerts of one evaluation, in ONE email per recipient, never one per alert.

Queued after every sync that opened red alerts (``alerts.contributions``), with the ids of those alerts. Recipients
are the people whose immediate emails are on and about the alert's store (``subscriptions``): the store's operators,
the managers. Muted alerts email nobody; an alert resolved before its email went out is left out of it. The
period of the email is the run (``delivery.run_period`` of its alert ids): the same run sent twice is sent once.
"""

from django.utils.translation import gettext as _

from ..models import Alert, SentNotification
from . import content, delivery, recipients


def _alerts(*, agency, alert_ids):
    """The alerts of ``alert_ids`` an immediate email still tells about: red, unmuted, open."""
    return list(Alert.objects.filter(agency=agency, pk__in=list(alert_ids), severity=Alert.Severity.RED,
                                     muted=False, status__in=Alert.OPEN_STATUSES)
                .select_related("store").order_by("store__name", "store_id", "rule"))


def new_alerts_email(*, agency, alerts):
    """The ``Email`` of ``alerts`` (red, new) to one recipient."""
    subject = _("New red alerts (%(count)s): %(stores)s") % {"count": len(alerts),
                                                               "stores": content.store_names(alerts)}
    return content.email_from_templates("immediate", subject=subject, agency=agency,
                                        alerts=content.listing(alerts))


def deliver_rows(*, agency, rows, now=None, alerts=None):
    """Send the immediate emails of the sent-log ``rows`` (``alerts``: theirs, when already loaded)."""
    if alerts is None:
        alerts = _alerts(agency=agency, alert_ids={pk for row in rows for pk in row.alert_ids})
    by_id = {alert.pk: alert for alert in alerts}

    def write(row):
        theirs = [by_id[pk] for pk in row.alert_ids if pk in by_id]
        return new_alerts_email(agency=agency, alerts=theirs) if theirs else None

    return delivery.notifications_deliver(agency=agency, rows=rows, write=write, now=now)


def new_alerts_notify(*, agency, alert_ids, now=None):
    """Email the new red alerts ``alert_ids`` of one evaluation to everyone who gets them, once per recipient (see the
    module). Returns the ``delivery.Delivery``."""
    alerts = _alerts(agency=agency, alert_ids=alert_ids)
    by_recipient = recipients.for_new_alerts(agency=agency, alerts=alerts)
    rows = delivery.notifications_write(
        agency=agency, kind=SentNotification.Kind.IMMEDIATE, period=delivery.run_period(alert_ids),
        alerts_by_recipient={person.user: [alert.pk for alert in theirs] for person, theirs in by_recipient.items()})
    return deliver_rows(agency=agency, rows=rows, now=now, alerts=alerts)
