"""Escalation: an alert nobody acknowledged within the agency's ``AlertPolicy.escalate_after_hours`` of its opening is
escalated ONCE to the managers (``subscriptions``: the owners and operations managers whose immediate emails are on
and about the store), by the periodic task (``alerts.tasks.escalate_overdue``).

1. The open (not acknowledged), unmuted alerts past the delay that were never escalated are read.
2. They are claimed together: locked (``SELECT … FOR UPDATE SKIP LOCKED``, so that a second worker running the same
   round passes them by, and once the first commits no longer finds them) and marked with ``Alert.escalated_at`` in
   one statement: of two workers, only one escalates a given alert.
3. In the same transaction, the sent-log rows of the escalation are written, one per manager (the period is the
   alerts this round claimed, ``delivery.run_period``): an alert marked escalated always has its email to send,
   even if the worker dies right after the commit (``catch_up`` sends it then).
4. The emails go out, one per manager with every alert of the round, never one per alert.

A muted alert is never escalated (nobody is emailed about it); one without a manager to tell is still marked.
"""


from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency
from accounts.tenancy import all_agencies

from .. import rules, selectors
from ..models import Alert, AlertPolicy, SentNotification
from . import content, delivery, recipients

#: The escalation delay of an agency that never changed its policy (``AlertPolicy.escalate_after_hours``).
DEFAULT_DELAY = AlertPolicy._meta.get_field("escalate_after_hours").default
#: The kinds of email the round catches up on (``catch_up``), and the statuses of an email not sent yet.
CAUGHT_UP = (SentNotification.Kind.IMMEDIATE, SentNotification.Kind.RESOLVED, SentNotification.Kind.ESCALATION)
UNSENT = (SentNotification.Status.PENDING, SentNotification.Status.DEFERRED, SentNotification.Status.SENDING)


def overdue_for_escalation(*, agency, hours, now):
    """The agency's alerts to escalate at ``now``: open, unmuted, never escalated, opened ``hours`` or more before."""
    return (Alert.objects.filter(agency=agency, status=Alert.Status.OPEN, escalated_at__isnull=True, muted=False,
                                 first_seen_at__lte=rules.escalation_cutoff(now, hours))
            .select_related("store").order_by("store__name", "store_id", "rule"))


@transaction.atomic
def alerts_escalate(*, agency, now=None):
    """Mark the agency's overdue alerts escalated (locked first: only one worker claims a given alert) and write the
    sent-log rows of their email to the managers, together. Returns ``(claimed alerts, rows)``."""
    now = now or timezone.now()
    policy = selectors.alert_policy(agency=agency)
    claimed = list(overdue_for_escalation(agency=agency, hours=policy.escalate_after_hours, now=now)
                   .select_for_update(skip_locked=True, of=("self",)))
    if not claimed:
        return [], []
    Alert.objects.filter(agency=agency, pk__in=[alert.pk for alert in claimed]).update(escalated_at=now)
    by_recipient = recipients.for_escalation(agency=agency, alerts=claimed)
    rows = delivery.notifications_write(
        agency=agency, kind=SentNotification.Kind.ESCALATION, period=delivery.run_period([a.pk for a in claimed]),
        alerts_by_recipient={person.user: [alert.pk for alert in theirs] for person, theirs in by_recipient.items()})
    return claimed, rows


def escalation_email(*, agency, alerts, hours):
    """The ``Email`` of ``alerts`` (escalated) to one manager."""
    subject = _("Escalated: %(count)s alert(s) nobody acknowledged within %(hours)s hours") % {
        "count": len(alerts), "hours": hours}
    return content.email_from_templates("escalation", subject=subject, agency=agency, hours=hours,
                                        alerts=content.listing(alerts))


def deliver_rows(*, agency, rows, now=None, alerts=None):
    """Send the escalation emails of the sent-log ``rows`` (``alerts``: theirs, when already loaded). An alert
    acknowledged or resolved before its email went out is left out of it."""
    if alerts is None:
        alerts = (Alert.objects.filter(agency=agency, pk__in=list({pk for row in rows for pk in row.alert_ids}))
                  .select_related("store").order_by("store__name", "store_id", "rule"))
    by_id = {alert.pk: alert for alert in alerts if alert.status == Alert.Status.OPEN}
    hours = selectors.alert_policy(agency=agency).escalate_after_hours if rows else 0

    def write(row):
        theirs = [by_id[pk] for pk in row.alert_ids if pk in by_id]
        return escalation_email(agency=agency, alerts=theirs, hours=hours) if theirs else None

    return delivery.notifications_deliver(agency=agency, rows=rows, write=write, now=now)


def escalations_notify(*, agency, now=None):
    """Escalate the agency's overdue alerts and email them to the managers (see the module). Returns the
    ``delivery.Delivery``."""
    claimed, rows = alerts_escalate(agency=agency, now=now)
    return deliver_rows(agency=agency, rows=rows, now=now, alerts=claimed)


def agencies_to_visit(*, now=None):
    """The active agencies the periodic round must visit at ``now``: with an alert overdue for escalation by the
    agency's own delay (open, unmuted, never escalated), an alert still waiting for its email (``notices``), or an
    alert email left unsent (``catch_up``). A platform-wide fan-out: unscoped, five queries whatever the number of
    agencies and alerts."""
    now = now or timezone.now()
    with all_agencies():
        delays = dict(AlertPolicy.objects.values_list("agency_id", "escalate_after_hours"))
        oldest = (Alert.objects.filter(status=Alert.Status.OPEN, escalated_at__isnull=True, muted=False)
                  .order_by().values_list("agency_id").annotate(oldest=Min("first_seen_at")))
        overdue = {agency_id for agency_id, opened in oldest
                   if opened <= rules.escalation_cutoff(now, delays.get(agency_id, DEFAULT_DELAY))}
        unsent = set(SentNotification.objects.filter(kind__in=CAUGHT_UP, status__in=UNSENT)
                     .values_list("agency_id", flat=True).distinct())
        waiting = set(Alert.objects.exclude(notice_due="").values_list("agency_id", flat=True).distinct())
        return list(Agency.objects.filter(pk__in=overdue | unsent | waiting, is_active=True).order_by("pk"))
