"""The health app's rows for the isolation suite (see ``tests/isolation/rows.py``): snapshots and evaluated health
(rows of a store: operators see only their stores'), the agency's health policy and its metrics imports."""

import datetime

from django.utils import timezone
from django_scopes import scopes_disabled

from health import services
from health.models import HealthPolicy, HealthSnapshot, MetricsImport, StoreHealth
from tests.health.factories import HealthSnapshotFactory
from tests.isolation.rows import TenantRows

#: A day of history that is past in every marketplace.
DAY = datetime.date(2025, 1, 15)


def _snapshot(store):
    """The store's snapshot of ``DAY`` (the same row each time it is asked for)."""
    with scopes_disabled():
        found = HealthSnapshot.objects.filter(store=store, date=DAY).first()
    return found or HealthSnapshotFactory(store=store, date=DAY)


def _store_health(store):
    """The store's evaluated health (evaluated once, from its snapshot)."""
    with scopes_disabled():
        found = StoreHealth.objects.filter(store=store).first()
        if found is None:
            _snapshot(store)
            services.store_health_evaluate(agency=store.agency, store_ids=[store.pk])
            found = StoreHealth.objects.get(store=store)
    return found


def _policy(persona):
    with scopes_disabled():
        return services.health_policy_ensure(agency=persona.agency)


def _metrics_import(persona):
    """A finished import of the agency, named after it (so that its name is the agency's alone)."""
    name = f"metrics-{persona.agency.slug}.csv"
    with scopes_disabled():
        found = MetricsImport.objects.filter(agency=persona.agency, original_name=name).first()
        return found or MetricsImport.objects.create(
            agency=persona.agency, file=f"health-imports/{name}", original_name=name, uploaded_by=persona.owner,
            status=MetricsImport.Status.DONE, rows_total=2, rows_done=2, created=2, finished_at=timezone.now())


TENANT_ROWS = {
    HealthSnapshot: TenantRows(row=lambda persona: _snapshot(persona.assigned_store),
                               beyond_operator=lambda persona: _snapshot(persona.other_store)),
    StoreHealth: TenantRows(row=lambda persona: _store_health(persona.assigned_store),
                            beyond_operator=lambda persona: _store_health(persona.other_store)),
    HealthPolicy: TenantRows(row=_policy),
    MetricsImport: TenantRows(row=_metrics_import),
}

# API routes without an object id whose view serves no model, by URL name, with the reason there is no row of an
# agency to point them at. Both take rows inside their body: tests/isolation/test_payloads.py walks them with the
# payloads of tests/health/isolation_payloads.py.
MODELLESS_API_ROUTES = {
    "api:health-snapshot-bulk": "a batch of snapshots (POST only) that names the agency's stores in its rows",
    "api:health-report": "Amazon's account-health report (POST only), naming the agency's store by its seller id",
}
