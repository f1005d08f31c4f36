"""The document library's tasks: thin, they take ids and run inside the agency's scope
(``accounts.tenancy.AgencyTask``).

Every day (``CELERY_BEAT_SCHEDULE["documents.purge_trash"]``) ``purge_trash_of_all_agencies`` queues one
``purge_trash`` per active agency, which removes for good the documents that stayed in its trash past the agency's
days (``services.documents_purge_trash``) and the files no version names any more
(``services.documents_sweep_stray_files``: an upload whose request failed after its file was stored). Both are safe
to run twice: a second run finds nothing left to purge.
"""

from celery import shared_task

from accounts.models import Agency
from accounts.platform.tasks import enqueue_on_commit
from accounts.tenancy import AgencyTask

from . import services


@shared_task(base=AgencyTask)
def purge_trash(*, agency_id):
    """Purge the agency's trash, then sweep its stray files; returns how many documents and files were removed."""
    agency = Agency.objects.get(pk=agency_id)
    return {"documents": services.documents_purge_trash(agency=agency),
            "stray_files": services.documents_sweep_stray_files(agency=agency)}


@shared_task
def purge_trash_of_all_agencies():
    """The daily purge: one ``purge_trash`` per active agency; returns how many were queued."""
    agencies = list(Agency.objects.filter(is_active=True).order_by("pk"))
    for agency in agencies:
        enqueue_on_commit(purge_trash, agency=agency)
    return len(agencies)
