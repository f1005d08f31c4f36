"""Queueing a tenant task after the transaction commits, so that a broker outage never fails a request.

Every task that follows a write is queued with ``enqueue_on_commit(task, agency=..., **kwargs)``:

* it is sent only once the transaction commits (a rolled-back write queues nothing, and a worker never
  looks for rows it cannot see yet);
* if the broker cannot take it (Redis down or not answering, a network error), the data stays committed, the
  request still succeeds within seconds (the connect, socket and retry limits of the Celery settings), and
  the failure is logged with the task and its arguments; the app's periodic sweep (each app
  that queues work also schedules a sweep in ``CELERY_BEAT_SCHEDULE``) picks the work up later, which is
  why every task must be safe to run twice.
"""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *, agency, countdown=None, **kwargs):
    """Send ``task`` with ``agency_id`` and ``kwargs`` after the current transaction commits (at once outside
    one), to run no sooner than ``countdown`` seconds later when given. Never raises for the broker: a failure to
    queue is logged and left to the periodic sweep."""
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
    except (OperationalError, OSError):
        logger.exception("Could not queue %s%r; the periodic sweep will pick the work up.", task.name, kwargs)
