"""Rules a store or a client must satisfy, in one place (model ``clean()``, services, the admin, the API and imports
use them)."""

import zoneinfo

from django.utils import timezone
from django.utils.translation import gettext as _

from . import marketplaces


def agency_today(agency):
    """Today's date in the agency's time zone."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(agency.time_zone)).date()


def store_errors(store):
    """Field errors of a store about to be saved, as ``{field: [message]}``; empty when it may be saved."""
    from .models import Store

    errors = {}
    if store.marketplace and marketplaces.marketplace(store.marketplace) is None:
        errors["marketplace"] = [_("“%(value)s” is not an Amazon marketplace this product knows.")
                                 % {"value": store.marketplace}]
    if store.client_id and store.agency_id and store.client.agency_id != store.agency_id:
        # Another agency's client is answered as if it did not exist.
        errors["client"] = [_("No such client.")]
    if store.registered_on and store.agency_id and store.registered_on > agency_today(store.agency):
        errors["registered_on"] = [_("The registration date %(date)s is in the future.")
                                   % {"date": store.registered_on.isoformat()}]
    if store.agency_id and store.seller_id and store.marketplace and "marketplace" not in errors:
        duplicate = Store.objects.filter(
            agency_id=store.agency_id, seller_id=store.seller_id, marketplace=store.marketplace
        ).exclude(pk=store.pk)
        if duplicate.exists():
            errors["seller_id"] = [_("Seller id %(seller_id)s already has a store on marketplace %(marketplace)s "
                                     "in this agency.") % {"seller_id": store.seller_id,
                                                           "marketplace": store.marketplace}]
    return errors


def client_errors(client):
    """Field errors of a client about to be saved, as ``{field: [message]}``; empty when it may be saved."""
    from .models import Client

    errors = {}
    if client.agency_id and client.name:
        taken = Client.objects.filter(agency_id=client.agency_id, name=client.name).exclude(pk=client.pk)
        if taken.exists():
            errors["name"] = [_("A client named “%(name)s” already exists in this agency.") % {"name": client.name}]
    return errors


def operator_errors(*, agency, users):
    """Messages about people who cannot be made responsible for the agency's stores; empty when all can.

    Only members of the agency who work on stores (owners, managers, operators) can; viewers read only.
    """
    from .models import Membership
    from .roles import can_be_assigned_stores

    roles = dict(Membership.objects.filter(agency=agency, user__in=[u.pk for u in users])
                 .values_list("user_id", "role"))
    messages = []
    strangers = [str(u) for u in users if u.pk not in roles]
    if strangers:
        messages.append(_("Not a member of this agency: %(people)s.") % {"people": ", ".join(strangers)})
    readers = [str(u) for u in users if u.pk in roles and not can_be_assigned_stores(roles[u.pk])]
    if readers:
        messages.append(_("Viewers cannot be responsible for a store: %(people)s.") % {"people": ", ".join(readers)})
    return messages
