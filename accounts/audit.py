"""The audit trail: one mechanism for every audited model (django-simple-history).

Use ``history = audit_trail()`` on a model. Each create, update and delete then writes a historical row
with who (the signed-in person, or the API key's name), when and the field values, which the admin
shows per object, with the changes between versions. The API key's name is filled in by
``accounts.tenancy`` (which knows the request's caller).

``bulk_create()`` and ``update()`` write no history: write sets with simple-history's
``bulk_create_with_history`` / ``bulk_update_with_history`` and pass
``custom_historical_attrs=accounts.tenancy.audit_origin()`` so that the rows name the API key too (the person
comes from the request either way). A queryset's ``delete()`` is recorded, one "-" row per deleted row.
"""

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AuditOrigin(models.Model):
    """Extra columns of every historical row."""

    history_api_key = models.CharField(_("API key"), max_length=120, blank=True)

    class Meta:
        abstract = True


def _history_user(instance, request, **kwargs):
    """The signed-in person behind a change; ``None`` for API keys (their name goes in ``history_api_key``)."""
    user = getattr(request, "user", None) if request is not None else None
    if user is not None and isinstance(user, get_user_model()) and user.is_authenticated:
        return user
    return None


def audit_trail(**options):
    return HistoricalRecords(bases=[AuditOrigin], get_user=_history_user, **options)
