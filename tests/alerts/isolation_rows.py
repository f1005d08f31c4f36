"""The alerts app's rows for the isolation suite (see ``tests/isolation/rows.py``): alerts, their transitions and the
muted rules belong to a store (operators see only those of their stores); the policy is the agency's."""

import datetime

from django.utils import timezone
from django_scopes import scopes_disabled

from alerts.models import Alert, AlertMute, AlertPolicy, AlertTransition
from alerts.rules import AlertKind
from tests.isolation.rows import TenantRows


def _alert(store):
    """The store's open Late Shipment Rate alert (the same one each time it is asked for), with its transition."""
    with scopes_disabled():
        found = Alert.objects.filter(store=store, rule="late_shipment_rate").first()
        if found is None:
            now = timezone.now()
            found = Alert.objects.create(
                agency=store.agency, store=store, rule="late_shipment_rate", kind=AlertKind.METRIC, severity="red",
                first_seen_at=now, last_seen_at=now, opened_value=0.046, opened_target=0.04, latest_value=0.046,
                latest_target=0.04, due_at=now + datetime.timedelta(hours=72))
            AlertTransition.objects.create(agency=store.agency, alert=found, from_status="", to_status="open", at=now,
                                           reason=f"Opened for {store.name}")
    return found


def _transition(store):
    with scopes_disabled():
        return AlertTransition.objects.filter(alert=_alert(store)).order_by("pk").first()


def _mute(store):
    with scopes_disabled():
        found = AlertMute.objects.filter(store=store, rule="late_shipment_rate").first()
        return found or AlertMute.objects.create(agency=store.agency, store=store, rule="late_shipment_rate",
                                                 until=datetime.date(2030, 1, 1), reason=f"Known at {store.name}")


def _policy(persona):
    with scopes_disabled():
        return AlertPolicy.objects.get_or_create(agency=persona.agency)[0]


NOT_SERVED_YET = ("no page or route of the product serves alerts yet (issue 10 builds the inbox and the API): "
                  "nothing reaches these rows but the product's own evaluation")

TENANT_ROWS = {
    Alert: TenantRows(row=lambda persona: _alert(persona.assigned_store),
                      beyond_operator=lambda persona: _alert(persona.other_store), served_through=NOT_SERVED_YET),
    AlertTransition: TenantRows(row=lambda persona: _transition(persona.assigned_store),
                                beyond_operator=lambda persona: _transition(persona.other_store),
                                served_through=NOT_SERVED_YET),
    AlertMute: TenantRows(row=lambda persona: _mute(persona.assigned_store),
                          beyond_operator=lambda persona: _mute(persona.other_store), served_through=NOT_SERVED_YET),
    AlertPolicy: TenantRows(row=_policy),
}
