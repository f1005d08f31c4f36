from celery import shared_task

from . import selectors
from .models import Agency
from .platform.tasks import resend_unsent
from .tenancy import AgencyTask, Caller


@shared_task(base=AgencyTask)
def agency_portfolio_summary(*, agency_id):
    """Count the agency's stores by status and by marketplace (read inside the agency's scope)."""
    agency = Agency.objects.get(pk=agency_id)
    return selectors.portfolio_summary(agency=agency, caller=Caller.system(agency))


@shared_task(bind=True)
def resend_unsent_tasks(self):
    """The catch-up after a broker outage (``CELERY_BEAT_SCHEDULE["accounts.resend_unsent"]``, every minute): the
    tasks the broker could not take are sent again, the oldest first, across agencies
    (``accounts.platform.tasks.resend_unsent``); returns how many were sent, dropped and kept."""
    return resend_unsent(app=self.app)
