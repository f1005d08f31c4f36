from celery import shared_task

from . import selectors
from .models import Agency
from .tenancy import AgencyTask, Caller


@shared_task(base=AgencyTask)
def agency_portfolio_summary(*, agency_id):
    """Count the agency's stores by status and by marketplace (read inside the agency's scope)."""
    agency = Agency.objects.get(pk=agency_id)
    return selectors.portfolio_summary(agency=agency, caller=Caller.system(agency))
