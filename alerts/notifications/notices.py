"""The emails the alerts of evaluations wait for, new red alerts and resolved ones, in ONE email per recipient and run:
never one per alert, nor one per 500-store chunk of an ingest.

1. The sync of each chunk (``alerts.services.alerts_sync``) marks the alerts that need an email
   (``Alert.notice_due``: a new red, unmuted alert; a resolved one when the agency sends resolved notices). Only the
   sync that finds no alert waiting before it queues this run (``alerts.contributions``), after its commit and after
   ``settings.ALERTS_NOTICE_GATHER_SECONDS``, so that the chunks of one ingest are gathered in one email: one broker
   message per burst of evaluations, not one per chunk.
2. The run takes the agency's sync turn (``services.take_sync_turn``: no sync can mark an alert half-way), reads every
   waiting alert, clears their marks and writes the sent-log rows of their emails, in one transaction: a run killed
   before its commit leaves the alerts waiting, one killed after it leaves rows to send, never neither.
3. The emails go out (``delivery``), at most one per recipient and kind for the run.

The periodic round (``alerts.tasks.escalate_overdue``, every 15 minutes) runs it too, so that alerts whose run was
never queued (the broker was down) or never finished are emailed anyway, once.
"""

from dataclasses import dataclass

from django.db import transaction

from .. import selectors, services
from ..models import Alert, SentNotification
from . import delivery, immediate, recipients, resolved


@dataclass(frozen=True)
class Notice:
    """One kind of email an alert can wait for: its sent-log kind, the alerts it still tells about, who gets it and
    how it is written."""

    kind: str
    still_told: object
    recipients: object
    email: object


NOTICES = {
    Alert.Notice.NEW: Notice(SentNotification.Kind.IMMEDIATE, immediate.still_told, recipients.for_new_alerts,
                             immediate.new_alerts_email),
    Alert.Notice.RESOLVED: Notice(SentNotification.Kind.RESOLVED, resolved.still_told, recipients.for_resolved_alerts,
                                  resolved.resolved_email),
}
BY_KIND = {notice.kind: notice for notice in NOTICES.values()}


def _alerts(*, agency, alert_ids):
    return list(Alert.objects.filter(agency=agency, pk__in=list(alert_ids)).select_related("store")
                .order_by("store__name", "store_id", "rule"))


@transaction.atomic
def notices_claim(*, agency):
    """Take the agency's waiting alerts off the wait and write the sent-log rows of their emails, together. Returns
    ``(the alerts, the rows)``."""
    services.take_sync_turn(agency=agency)
    waiting_ids = list(selectors.notices_due(agency=agency).values_list("pk", flat=True))
    if not waiting_ids:
        return [], []
    alerts = _alerts(agency=agency, alert_ids=waiting_ids)
    Alert.objects.filter(agency=agency, pk__in=waiting_ids).update(notice_due="")
    send_resolved = selectors.alert_policy(agency=agency).resolved_notices
    rows = []
    for due, notice in NOTICES.items():
        told = notice.still_told([alert for alert in alerts if alert.notice_due == due])
        if not told or (due == Alert.Notice.RESOLVED and not send_resolved):
            continue
        by_recipient = notice.recipients(agency=agency, alerts=told)
        rows += delivery.notifications_write(
            agency=agency, kind=notice.kind, period=delivery.run_period([alert.pk for alert in told]),
            alerts_by_recipient={person.user: [alert.pk for alert in theirs]
                                 for person, theirs in by_recipient.items()})
    return alerts, rows


def deliver_rows(*, agency, rows, now=None, alerts=None):
    """Send the new-alert and resolved emails of the sent-log ``rows`` (``alerts``: theirs, when already loaded); an
    alert that no longer fits its email (resolved before its new-alert email went out) is left out of it."""
    if alerts is None:
        alerts = _alerts(agency=agency, alert_ids={pk for row in rows for pk in row.alert_ids})
    by_id = {alert.pk: alert for alert in alerts}

    def write(row):
        notice = BY_KIND[row.kind]
        told = notice.still_told([by_id[pk] for pk in row.alert_ids if pk in by_id])
        return notice.email(agency=agency, alerts=told) if told else None

    return delivery.notifications_deliver(agency=agency, rows=rows, write=write, now=now)


def notices_send(*, agency, now=None):
    """Email every alert of the agency waiting for its email (see the module). Returns the ``delivery.Delivery``."""
    alerts, rows = notices_claim(agency=agency)
    return deliver_rows(agency=agency, rows=rows, now=now, alerts=alerts)
