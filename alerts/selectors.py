"""Reads of the alerts app, each with the agency as an explicit keyword argument."""

from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, StoreAssignment, User
from accounts.roles import Power, roles_with
from accounts.selectors import visible_rows

from . import subscriptions
from .models import Alert, AlertMute, AlertPolicy, AlertTransition, NotificationPreference


def alert_policy(*, agency):
    """The agency's alert numbers: its row, or an unsaved row with the defaults when it never changed them."""
    return AlertPolicy.objects.filter(agency=agency).first() or AlertPolicy(agency=agency)


def open_alerts_of(*, agency, store_ids):
    """``{(store id, rule): alert}`` of the open (or acknowledged) alerts of ``store_ids``: one query."""
    alerts = Alert.objects.filter(agency=agency, store_id__in=list(store_ids), status__in=Alert.OPEN_STATUSES)
    return {(alert.store_id, alert.rule): alert for alert in alerts}


def notices_due(*, agency):
    """The agency's alerts waiting for their email (``Alert.notice_due``), oldest first."""
    return Alert.objects.filter(agency=agency).exclude(notice_due="").order_by("pk")


def active_mutes(mutes, *, today, active=True):
    """``mutes`` (a queryset) narrowed to those that hold on ``today`` (``rules.mute_is_active``: until that day,
    included), or, ``active=False``, to those that ended before it."""
    return mutes.filter(until__gte=today) if active else mutes.filter(until__lt=today)


def muted_rules(*, agency, store_ids, today):
    """``{(store id, rule)}`` muted on ``today`` among ``store_ids``: one query."""
    mutes = active_mutes(AlertMute.objects.filter(agency=agency, store_id__in=list(store_ids)), today=today)
    return {(mute.store_id, mute.rule) for mute in mutes}


def alert_list(*, agency, caller):
    """The alerts of the stores ``caller`` sees, newest first, with their store and assignee."""
    alerts = Alert.objects.filter(agency=agency).select_related("store", "store__client", "assignee")
    return visible_rows(alerts, caller=caller)


def overdue(alerts, *, now=None):
    """``alerts`` (a queryset) narrowed to the overdue ones (``rules.is_overdue``): open (nobody acknowledged them),
    and past their due time or escalated."""
    return alerts.filter(Q(due_at__lt=now or timezone.now()) | Q(escalated_at__isnull=False),
                         status=Alert.Status.OPEN)


def alert_assignees(*, agency, store):
    """The people an alert of ``store`` may be assigned to: the agency's active members who may be made responsible
    for stores and who see this one (owners and managers see every store; an operator, the stores assigned to
    them)."""
    takes = roles_with(Power.TAKE_STORES)
    sees_all = [role for role in takes if role in roles_with(Power.SEE_ALL_STORES)]
    assigned = StoreAssignment.objects.filter(agency=agency, store=store).values("user_id")
    # One filter() call, so that the role, the agency and the activity are those of one membership.
    return User.objects.filter(Q(memberships__role__in=sees_all) | Q(memberships__role__in=takes, pk__in=assigned),
                               memberships__agency=agency, memberships__is_active=True).distinct()


def alert_transitions(*, agency, alert):
    """``alert``'s moves, oldest first, with who made them."""
    return AlertTransition.objects.filter(agency=agency, alert=alert).select_related("actor", "api_key")


def mute_list(*, agency, caller):
    """The muted rules of the stores ``caller`` sees, latest end first, with their store and who muted them."""
    mutes = AlertMute.objects.filter(agency=agency).select_related("store", "store__client", "created_by")
    return visible_rows(mutes, caller=caller)


def notification_preference_of(*, agency, user):
    """``(row or None, Subscription)`` of ``user``'s alert emails in ``agency``: their saved row, else their role's
    defaults (``subscriptions``)."""
    row = NotificationPreference.objects.filter(agency=agency, user=user).first()
    role = Membership.objects.filter(agency=agency, user=user).values_list("role", flat=True).first()
    return row, subscriptions.subscription_of(role=role, preference=row)
