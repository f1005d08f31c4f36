"""The health app's tasks: thin, they take ids and run inside the agency's scope (``accounts.tenancy.AgencyTask``).

Evaluation is queued after the writes that call for it (a batch of snapshots, a policy change) with
``queue_evaluation``, in chunks of at most ``evaluation.CHUNK`` stores per task; the daily sweep
(``sweep_all_agencies``, ``CELERY_BEAT_SCHEDULE["health.sweep"]``) evaluates every store of every active agency
again, which also picks up whatever a broker outage left unqueued. Every task is safe to run twice.

``health.services`` queues these tasks, so the tasks call the evaluation and the selectors directly rather than
the services (a task module that imported ``services`` would import itself in a circle).
"""

from celery import shared_task

from accounts.models import Agency
from accounts.platform.tasks import enqueue_on_commit
from accounts.tenancy import AgencyTask

from . import evaluation, selectors


def chunks(store_ids, size=evaluation.CHUNK):
    """``store_ids`` without repeats, in order, in lists of at most ``size``."""
    ids = sorted(set(store_ids))
    return [ids[start:start + size] for start in range(0, len(ids), size)]


def queue_evaluation(*, agency, store_ids):
    """Queue the evaluation of ``store_ids`` of ``agency`` after the current transaction commits, one task per
    chunk of at most ``evaluation.CHUNK`` stores."""
    for chunk in chunks(store_ids):
        enqueue_on_commit(evaluate_stores, agency=agency, store_ids=chunk)


@shared_task(base=AgencyTask)
def evaluate_stores(*, agency_id, store_ids):
    """Evaluate ``store_ids`` of the agency and write their ``StoreHealth`` (``services.store_health_evaluate``
    does the same inside a request); returns how many stores were evaluated."""
    agency = Agency.objects.get(pk=agency_id)
    rules = selectors.health_policy(agency=agency).thresholds()
    return evaluation.store_health_upsert(agency=agency, store_ids=store_ids, rules=rules)


@shared_task(base=AgencyTask)
def evaluate_agency(*, agency_id):
    """Queue the evaluation of every store of the agency, in chunks; returns how many stores."""
    agency = Agency.objects.get(pk=agency_id)
    store_ids = selectors.all_store_ids(agency=agency)
    queue_evaluation(agency=agency, store_ids=store_ids)
    return len(store_ids)


@shared_task
def sweep_all_agencies():
    """The daily sweep: every active agency evaluates all its stores again (one task per agency)."""
    agencies = list(Agency.objects.filter(is_active=True).order_by("pk"))
    for agency in agencies:
        enqueue_on_commit(evaluate_agency, agency=agency)
    return len(agencies)
