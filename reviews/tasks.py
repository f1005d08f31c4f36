"""The monthly review's tasks: thin, they take ids and run inside the agency's scope (``accounts.tenancy.AgencyTask``),
and each is safe to run twice (``services.cycle_open`` is idempotent under the database's unique constraints).

* ``open_due_cycles`` (``CELERY_BEAT_SCHEDULE["reviews.open_cycles"]``, every 15 minutes): queues ``open_cycle`` of
  last month for each active agency whose local time is the 1st of the month at or after ``OPENING_HOUR`` (01:00)
  and whose cycle of last month is not open yet. Every run of the 1st from 01:00 on looks again, so a beat missed
  at 01:00 is caught up later that day.
* ``open_cycle``: opens one agency's cycle of one month.

The periodic task takes ``now`` (an ISO timestamp) so that an agency's task judges the same moment its fan-out did
(and so that tests can fix the clock); it defaults to the present.
"""

import datetime
import zoneinfo

from celery import shared_task
from django.utils import timezone

from accounts.models import Agency
from accounts.platform.tasks import enqueue_on_commit
from accounts.tenancy import AgencyTask, all_agencies

from . import services
from .models import ReviewCycle

#: The local hour of the 1st from which last month's cycle opens (after midnight's late data has come in).
OPENING_HOUR = 1


def _moment(now):
    return datetime.datetime.fromisoformat(now) if now else timezone.now()


def month_to_open(*, time_zone, now):
    """The month (its first day) whose cycle opens at ``now`` in ``time_zone``: last month, on the 1st from
    ``OPENING_HOUR`` on; else ``None``."""
    local = now.astimezone(zoneinfo.ZoneInfo(time_zone))
    if local.day != 1 or local.hour < OPENING_HOUR:
        return None
    return services.month_before(local.date())


def agencies_due(*, now):
    """``[(agency, month)]``: the active agencies whose last month's cycle opens at ``now`` and is not open yet
    (agencies created after that month are left out). A platform-wide fan-out: unscoped, two queries whatever the
    number of agencies."""
    with all_agencies():
        due = {}
        for agency in Agency.objects.filter(is_active=True).order_by("pk"):
            month = month_to_open(time_zone=agency.time_zone, now=now)
            if month is not None and agency.created_at < services.month_bounds(agency=agency, month=month)[1]:
                due[agency] = month
        opened = set(ReviewCycle.objects.filter(agency_id__in=[agency.pk for agency in due],
                                                month__in=set(due.values())).values_list("agency_id", "month"))
    return [(agency, month) for agency, month in due.items() if (agency.pk, month) not in opened]


@shared_task(base=AgencyTask)
def open_cycle(*, agency_id, month):
    """Open the agency's review of ``month`` (ISO date of its first day); returns the cycle's id."""
    agency = Agency.objects.get(pk=agency_id)
    return services.cycle_open(agency=agency, month=datetime.date.fromisoformat(month)).pk


@shared_task
def open_due_cycles(now=None):
    """Every 15 minutes: queue ``open_cycle`` of last month for each agency whose 1st, 01:00 has come
    (``agencies_due``); returns how many."""
    due = agencies_due(now=_moment(now))
    for agency, month in due:
        enqueue_on_commit(open_cycle, agency=agency, month=month.isoformat())
    return len(due)
