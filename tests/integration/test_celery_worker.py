"""A tenant task sent through Redis to a real Celery worker runs in its agency's scope, and only there."""

import pytest
from celery.result import AsyncResult, EagerResult

from accounts.tasks import agency_portfolio_summary
from tests.factories import AgencyFactory, StoreFactory

pytestmark = pytest.mark.integration


def test_portfolio_summary_counts_only_the_requested_agencys_stores(live_celery, agency_a, agency_b):
    # Agency A: the personas' two active stores (US, DE) and a suspended one in Japan.
    StoreFactory(agency=agency_a.agency, client=agency_a.client, marketplace="JP", status="suspended")
    # Agency B: more stores than A, in statuses and marketplaces A does not have.
    for marketplace, status in (("US", "at_risk"), ("GB", "closed"), ("FR", "active")):
        StoreFactory(agency=agency_b.agency, client=agency_b.client, marketplace=marketplace, status=status)

    result = agency_portfolio_summary.delay(agency_id=agency_a.agency.pk)

    assert isinstance(result, AsyncResult) and not isinstance(result, EagerResult)
    summary = result.get(timeout=live_celery.timeout)
    assert summary == {
        "stores": 3,
        "by_status": {"active": 2, "suspended": 1},
        "by_marketplace": {"US": 1, "DE": 1, "JP": 1},
    }
    assert result.successful()
    assert result.id in live_celery.log(), "the task ran somewhere other than the worker this test started"

    summary_b = agency_portfolio_summary.delay(agency_id=agency_b.agency.pk).get(timeout=live_celery.timeout)
    assert summary_b["stores"] == 5
    assert summary_b["by_status"] == {"active": 3, "at_risk": 1, "closed": 1}


def test_task_for_an_inactive_or_missing_agency_does_nothing(live_celery):
    closed = AgencyFactory(slug="closed-agency", is_active=False)
    StoreFactory(agency=closed)

    inactive = agency_portfolio_summary.delay(agency_id=closed.pk)
    assert inactive.get(timeout=live_celery.timeout) is None
    assert inactive.successful()

    missing = agency_portfolio_summary.delay(agency_id=closed.pk + 10_000)
    assert missing.get(timeout=live_celery.timeout) is None
