"""The health app's tasks: thin, they take ids and call one service (see ``accounts.tenancy.AgencyTask``)."""

from accounts.platform.tasks import enqueue_on_commit  # noqa: F401


def queue_evaluation(*, agency, store_ids):
    """Queue the evaluation of ``store_ids`` after the current transaction commits (being written)."""
