"""The alerts app's tasks: thin, they take ids and run inside the agency's scope (``accounts.tenancy.AgencyTask``),
and each is safe to run twice (the sent-log, ``alerts.notifications.delivery``, lets an email go once).

* ``send_alert_notices``: the emails of new red alerts and of resolved ones (``notices``), queued after the sync that
  left the first alerts waiting for them (``alerts.contributions``), after its commit: one message per burst of
  evaluations, whatever the number of chunks.
* ``send_due_digests`` (``CELERY_BEAT_SCHEDULE["alerts.digest"]``, every 15 minutes): queues ``send_digest`` for each
  agency whose digest hour has come in its time zone and whose digest of the day is not done.
* ``escalate_all_agencies`` (``CELERY_BEAT_SCHEDULE["alerts.escalate"]``, every 15 minutes): queues
  ``escalate_overdue`` for each agency with an alert that may be overdue, an alert still waiting for its email or an
  email left unsent; it escalates the overdue alerts to the managers and sends what earlier runs left waiting or
  unsent (a message the broker never took, a worker that died).

A mail server that answers 4xx (or cannot be reached) makes the task retry after ``delivery.RETRY_DELAYS`` (by
default 15.5 minutes in all, well under the broker's visibility timeout); after the last one the emails still deferred
are marked failed. A 5xx is recorded on its sent-log row and never retried.

The periodic tasks take ``now`` (an ISO timestamp) so that an agency's task judges the same moment its fan-out did
(and so that tests can fix the clock); it defaults to the present.
"""

import datetime

from celery import shared_task
from django.utils import timezone

from accounts.models import Agency
from accounts.platform.tasks import enqueue_on_commit
from accounts.tenancy import AgencyTask

from .notifications import catch_up, delivery, digest, escalation

RETRIES = len(delivery.RETRY_DELAYS)


def _moment(now):
    return datetime.datetime.fromisoformat(now) if now else timezone.now()


def _finish(task, *, agency, done):
    """Retry ``task`` later if some email was deferred (or is held by another attempt), after the next of
    ``delivery.RETRY_DELAYS``; on the last attempt give those up. Returns what was done, counted."""
    if done.must_retry:
        if task.request.retries < RETRIES:
            raise task.retry(countdown=delivery.RETRY_DELAYS[task.request.retries])
        delivery.give_up(agency=agency, delivery=done)
    return done.counts()


@shared_task(base=AgencyTask, bind=True, max_retries=RETRIES)
def send_alert_notices(self, *, agency_id):
    """Email the agency's alerts waiting for their email (new red, resolved), one email per recipient and kind, and
    what earlier attempts left unsent (on a retry: the emails this run's mail server deferred)."""
    agency = Agency.objects.get(pk=agency_id)
    return _finish(self, agency=agency, done=catch_up.alert_emails_send(agency=agency))


@shared_task(base=AgencyTask, bind=True, max_retries=RETRIES)
def send_digest(self, *, agency_id, now=None):
    """Send the agency's daily digest of the local day of ``now``, if due; ``None`` when it is not."""
    agency = Agency.objects.get(pk=agency_id)
    done = digest.digest_send(agency=agency, now=_moment(now))
    return None if done is None else _finish(self, agency=agency, done=done)


@shared_task
def send_due_digests(now=None):
    """Every 15 minutes: queue the digest of each agency whose digest is due (``digest.agencies_due``); returns how
    many."""
    moment = _moment(now)
    agencies = digest.agencies_due(now=moment)
    for agency in agencies:
        enqueue_on_commit(send_digest, agency=agency, now=moment.isoformat())
    return len(agencies)


@shared_task(base=AgencyTask, bind=True, max_retries=RETRIES)
def escalate_overdue(self, *, agency_id, now=None):
    """Send the alert emails earlier attempts left unsent, escalate the agency's overdue alerts to the managers, and
    email the alerts still waiting for their email. What is left goes first: a row this run defers waits for the
    retry instead of being tried again at once."""
    agency = Agency.objects.get(pk=agency_id)
    return _finish(self, agency=agency, done=catch_up.periodic_round(agency=agency, now=_moment(now)))


@shared_task
def escalate_all_agencies(now=None):
    """Every 15 minutes: queue ``escalate_overdue`` for each agency that needs it (``escalation.agencies_to_visit``);
    returns how many."""
    moment = _moment(now)
    agencies = escalation.agencies_to_visit(now=moment)
    for agency in agencies:
        enqueue_on_commit(escalate_overdue, agency=agency, now=moment.isoformat())
    return len(agencies)
