"""Alerts as the product makes them in the tests of the inbox and the API: a day of a store's metrics ingested and
evaluated, as the ERP's batch and its evaluation task do (``alerts.services.alerts_sync`` runs after the
evaluation)."""

import datetime

from django.utils import timezone

from alerts.models import Alert
from health import services as health_services
from health.models import Source

LSR = "late_shipment_rate"


def day(days_ago):
    return (datetime.date.today() - datetime.timedelta(days=days_ago)).isoformat()


def report(persona, store, days_ago=2, **values):
    """One day of ``store``'s metrics ingested and evaluated, in the agency's scope."""
    with persona.scope():
        health_services.snapshots_upsert(agency=persona.agency, source=Source.API,
                                         rows=[{"store": store.pk, "date": day(days_ago), **values}])
        health_services.store_health_evaluate(agency=persona.agency, store_ids=[store.pk])


def report_many(persona, stores, days_ago=2, **values):
    """The same day of metrics for each of ``stores``, ingested and evaluated as one batch."""
    with persona.scope():
        rows = [{"store": store.pk, "date": day(days_ago), **values} for store in stores]
        health_services.snapshots_upsert(agency=persona.agency, source=Source.API, rows=rows)
        health_services.store_health_evaluate(agency=persona.agency, store_ids=[store.pk for store in stores])


def alert_of(persona, store, rule=LSR):
    """``store``'s latest alert of ``rule``."""
    with persona.scope():
        return Alert.objects.filter(agency=persona.agency, store=store, rule=rule).order_by("-pk").first()


def red_alert(persona, store, rule=LSR, **values):
    """``store``'s open alert of ``rule``, opened by a red day of metrics (the Late Shipment Rate at 4.6 % unless
    ``values`` say otherwise)."""
    report(persona, store, **(values or {rule: 0.046}))
    return alert_of(persona, store, rule)


def make_overdue(persona, alert, hours=1):
    """Move ``alert``'s due time ``hours`` into the past (as if it opened long ago)."""
    with persona.scope():
        Alert.objects.filter(pk=alert.pk).update(due_at=timezone.now() - datetime.timedelta(hours=hours))
        alert.refresh_from_db()
    return alert
