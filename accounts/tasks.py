from celery import shared_task

from . import selectors
from .models import Agency
from .tenancy import AgencyTask


@shared_task(base=AgencyTask)
def agency_portfolio_summary(*, agency_id):
    """Count the agency's stores by status and by marketplace (read inside the agency's scope)."""
    return selectors.portfolio_summary(agency=Agency.objects.get(pk=agency_id))
