"""The alerts app's rows for the isolation suite (see ``tests/isolation/rows.py``): alerts, their transitions and the
muted rules belong to a store (operators see only those of their stores); the policy is the agency's."""

import datetime

from django.utils import timezone
from django_scopes import scopes_disabled

from alerts.models import Alert, AlertMute, AlertPolicy, AlertTransition, NotificationPreference, SentNotification
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


def _preference(persona):
    """The owner's own alert emails (a person sees only their own row, so the owner's is the one they open)."""
    with scopes_disabled():
        return NotificationPreference.objects.get_or_create(agency=persona.agency, user=persona.owner)[0]


def _sent(persona):
    """A digest sent to the agency's owner."""
    with scopes_disabled():
        return SentNotification.objects.get_or_create(
            agency=persona.agency, recipient=persona.owner, kind=SentNotification.Kind.DIGEST, period="2030-01-01",
            defaults={"status": SentNotification.Status.SENT, "address": persona.owner.email,
                      "subject": f"Digest of {persona.agency.name}"})[0]


TRANSITIONS_SERVED_THROUGH = ("an alert's transitions are its history: they are listed on the alert's admin page and "
                              "in GET /api/v1/alerts/{id}/ (and the answer of a move), never served by their own id")

SENT_LOG_SERVED_THROUGH = ("the sent-log of alert emails is written and read by the alerts' tasks only: no page or "
                           "route serves it")

TENANT_ROWS = {
    Alert: TenantRows(row=lambda persona: _alert(persona.assigned_store),
                      beyond_operator=lambda persona: _alert(persona.other_store)),
    AlertTransition: TenantRows(row=lambda persona: _transition(persona.assigned_store),
                                beyond_operator=lambda persona: _transition(persona.other_store),
                                served_through=TRANSITIONS_SERVED_THROUGH),
    AlertMute: TenantRows(row=lambda persona: _mute(persona.assigned_store),
                          beyond_operator=lambda persona: _mute(persona.other_store)),
    AlertPolicy: TenantRows(row=_policy),
    # Alert emails belong to the agency and a person, not to a store.
    NotificationPreference: TenantRows(row=_preference),
    SentNotification: TenantRows(row=_sent, served_through=SENT_LOG_SERVED_THROUGH),
}
