"""A person's alert emails: read them (their row, or their role's defaults) and set them. The rules of what they mean
are ``subscriptions``."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership

from ..models import NotificationPreference
from . import subscriptions

FIELDS = ("immediate", "digest", "scope", "resolved")


def notification_preference_of(*, agency, user):
    """``(row or None, Subscription)`` of ``user`` in ``agency``: their saved row, else their role's defaults."""
    row = NotificationPreference.objects.filter(agency=agency, user=user).first()
    role = Membership.objects.filter(agency=agency, user=user).values_list("role", flat=True).first()
    return row, subscriptions.subscription_of(role=role, preference=row)


@transaction.atomic
def notification_preference_set(*, agency, user, immediate, digest, scope, resolved):
    """Save ``user``'s alert emails in ``agency`` (one row per person: a second call changes the first). Refused, on
    the field, for a scope that does not exist and for someone who is no active member of the agency."""
    errors = {}
    if scope not in subscriptions.StoreScope.values:
        errors["scope"] = [_("“%(scope)s” is not one of: %(choices)s.") % {
            "scope": scope, "choices": ", ".join(subscriptions.StoreScope.values)}]
    if not Membership.objects.filter(agency=agency, user=user, is_active=True).exists():
        errors["user"] = [_("%(person)s is no active member of %(agency)s.") % {"person": user, "agency": agency}]
    if errors:
        raise ValidationError(errors)
    row, _created = NotificationPreference.objects.update_or_create(
        agency=agency, user=user, defaults={"immediate": bool(immediate), "digest": bool(digest), "scope": scope,
                                            "resolved": bool(resolved)})
    return row
