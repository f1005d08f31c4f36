"""Queueing a tenant task after the transaction commits, so that a broker outage never fails a request, and sending
again, once the broker is back, what it could not take.

Every task that follows a write is queued with ``enqueue_on_commit(task, agency=..., **kwargs)``:

* it is sent only once the transaction commits (a rolled-back write queues nothing, and a worker never
  looks for rows it cannot see yet);
* if the broker cannot take it (Redis down or not answering, a network error), the data stays committed, the
  request still succeeds within seconds (the connect, socket and retry limits of the Celery settings), the
  failure is logged with the task and its arguments, and the task is kept as an ``UnsentTask`` row of its agency;
  the catch-up (``resend_unsent``, which celery beat runs every minute: ``accounts.tasks.resend_unsent_tasks``,
  ``CELERY_BEAT_SCHEDULE["accounts.resend_unsent"]``) sends it within a minute of the broker's return. Should the
  database refuse the row too, that is logged and the app's periodic sweep (each app that queues work also
  schedules one) picks the work up later.

The catch-up, ``resend_unsent``, in one transaction:

1. claims the oldest rows of every agency, at most ``RESEND_BATCH`` (``SELECT … FOR UPDATE SKIP LOCKED``: two runs
   at once never take the same row, the second takes the next ones or none);
2. sends each again, in order, with its arguments and what is left of its countdown; a row whose task no longer
   exists, or no longer takes its arguments (the code changed), is logged and dropped;
3. stops at the first broker failure (the broker is still down): that row and the rest it claimed stay, with one
   attempt more and the error;
4. deletes the rows it sent or dropped, and commits.

A task may still arrive twice (a run whose deletes do not commit sends its rows again the next minute), which is
one reason why every task must be safe to run twice.
"""

import logging

from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from ..models import UnsentTask
from ..tenancy import agency_scope, all_agencies

logger = logging.getLogger(__name__)

#: What sending to a broker that is down, unreachable or not answering raises, once Celery's retries are spent.
BROKER_ERRORS = (OperationalError, OSError)
#: The most rows one catch-up claims; the next run, a minute later, takes the next ones. It bounds how long the
#: run holds its rows (one publish each, milliseconds) and what it loads at once.
RESEND_BATCH = 1000


def enqueue_on_commit(task, *, agency, countdown=None, **kwargs):
    """Send ``task`` with ``agency_id`` and ``kwargs`` after the current transaction commits (at once outside
    one), to run no sooner than ``countdown`` seconds later when given. Never raises for the broker: a task it
    cannot take is logged and kept for the catch-up (``resend_unsent``)."""
    kwargs = {"agency_id": agency.pk, **kwargs}
    transaction.on_commit(lambda: _send(task, kwargs, countdown))


def _send(task, kwargs, countdown=None):
    if task.app.conf.task_always_eager:
        # In-process (no broker): the task runs here and now (a countdown is not waited for), and its own errors are
        # errors of the request.
        task.apply_async(kwargs=kwargs, countdown=countdown or None)
        return
    try:
        # Celery retries the publish as CELERY_TASK_PUBLISH_RETRY_POLICY says, then gives up.
        task.apply_async(kwargs=kwargs, countdown=countdown or None)
    except BROKER_ERRORS as error:
        logger.exception("Could not queue %s%r; it is kept to be sent again once the broker is back.",
                         task.name, kwargs)
        _keep_unsent(task.name, kwargs, countdown, error)


def _keep_unsent(task_name, kwargs, countdown, error):
    """Keep a task the broker refused as an ``UnsentTask`` row of its agency. ``_send`` runs after the commit, so
    the row is a transaction of its own; a database that is down too is logged, never raised into the request."""
    try:
        with agency_scope(kwargs["agency_id"]), transaction.atomic():
            UnsentTask.objects.create(agency_id=kwargs["agency_id"], task_name=task_name, kwargs=kwargs,
                                      countdown=countdown or None, last_error=_error_text(error))
    except DatabaseError:
        logger.exception("Could not keep %s%r to send it again either; the periodic sweep will pick the work up.",
                         task_name, kwargs)


def _error_text(error):
    limit = UnsentTask._meta.get_field("last_error").max_length
    return f"{type(error).__name__}: {error}"[:limit]


def resend_unsent(*, app, limit=RESEND_BATCH):
    """Send again, through ``app`` (the Celery app), the oldest tasks the broker could not take, of every agency,
    at most ``limit``: the steps are the module's. Returns ``{"sent": n, "dropped": n, "kept": n}``.

    A platform-wide job: it reads the rows of every agency (``all_agencies``), in three statements whatever their
    number (claim, delete, update), plus one publish per row."""
    now = timezone.now()
    sent, dropped, kept = [], [], []
    with all_agencies(), transaction.atomic():
        claimed = list(UnsentTask.objects.select_for_update(skip_locked=True).order_by("pk")[:limit])
        failure = None
        for position, row in enumerate(claimed):
            task = app.tasks.get(row.task_name)
            if task is None:
                logger.error("Dropped the unsent task %s%r: no such task any more.", row.task_name, row.kwargs)
                dropped.append(row.pk)
                continue
            try:
                task.apply_async(kwargs=row.kwargs, countdown=row.countdown_left(now))
            except TypeError as error:
                # Celery checks the arguments against the task's signature before sending: the task changed since.
                logger.error("Dropped the unsent task %s%r: %s.", row.task_name, row.kwargs, error)
                dropped.append(row.pk)
                continue
            except BROKER_ERRORS as error:
                failure = error
                kept = [later.pk for later in claimed[position:]]
                break
            sent.append(row.pk)
        if sent or dropped:
            UnsentTask.objects.filter(pk__in=sent + dropped).delete()
        if kept:
            UnsentTask.objects.filter(pk__in=kept).update(attempts=F("attempts") + 1,
                                                          last_error=_error_text(failure))
    if sent:
        logger.info("Sent again %d tasks the broker could not take before.", len(sent))
    if kept:
        logger.warning("The broker still refuses tasks (%s): %d unsent tasks wait for the next run.",
                       _error_text(failure), len(kept))
    return {"sent": len(sent), "dropped": len(dropped), "kept": len(kept)}
