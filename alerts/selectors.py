"""Reads of the alerts app, each with the agency as an explicit keyword argument."""

from django.utils import timezone

from accounts.selectors import visible_rows

from .models import Alert, AlertMute, AlertPolicy


def alert_policy(*, agency):
    """The agency's alert numbers: its row, or an unsaved row with the defaults when it never changed them."""
    return AlertPolicy.objects.filter(agency=agency).first() or AlertPolicy(agency=agency)


def open_alerts_of(*, agency, store_ids):
    """``{(store id, rule): alert}`` of the open (or acknowledged) alerts of ``store_ids``: one query."""
    alerts = Alert.objects.filter(agency=agency, store_id__in=list(store_ids), status__in=Alert.OPEN_STATUSES)
    return {(alert.store_id, alert.rule): alert for alert in alerts}


def muted_rules(*, agency, store_ids, today):
    """``{(store id, rule)}`` muted on ``today`` among ``store_ids``: one query."""
    mutes = AlertMute.objects.filter(agency=agency, store_id__in=list(store_ids), until__gte=today)
    return {(mute.store_id, mute.rule) for mute in mutes}


def alert_list(*, agency, caller):
    """The alerts of the stores ``caller`` sees, newest first, with their store and assignee."""
    alerts = Alert.objects.filter(agency=agency).select_related("store", "store__client", "assignee")
    return visible_rows(alerts, caller=caller)


def overdue(alerts, *, now=None):
    """``alerts`` (a queryset) narrowed to the open ones past their due time that nobody acknowledged."""
    return alerts.filter(status=Alert.Status.OPEN, due_at__lt=now or timezone.now())
