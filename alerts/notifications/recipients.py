"""Who gets an alert email, read from the database in a fixed number of queries whatever the number of people and
alerts; the rules of who gets what are ``subscriptions``.

A recipient is an active member of the agency (an active account, an active membership) with an email address.
"""

from dataclasses import dataclass

from accounts.models import Membership, StoreAssignment

from .. import subscriptions
from ..models import NotificationPreference


@dataclass(frozen=True, eq=False)  # one person is one key of a dict, whatever their stores
class Recipient:
    """One person as the alert emails see them: their account, role, subscription and the ids of the stores their
    emails are about (``subscriptions.stores_of_interest``)."""

    user: object
    role: str
    subscription: subscriptions.Subscription
    stores: object

    def is_about(self, store_id):
        return store_id in self.stores


def language_of(user, agency):
    """The language of what the product writes to ``user`` for ``agency``: their own choice, else the agency's."""
    return getattr(user, "language", "") or agency.default_language


def people(*, agency):
    """Every ``Recipient`` of the agency, whatever they subscribed to (three queries)."""
    memberships = (Membership.objects.filter(agency=agency, is_active=True, user__is_active=True)
                   .exclude(user__email="").select_related("user").order_by("user__email"))
    preferences = {row.user_id: row for row in NotificationPreference.objects.filter(agency=agency)}
    assigned = {}
    for user_id, store_id in StoreAssignment.objects.filter(agency=agency).values_list("user_id", "store_id"):
        assigned.setdefault(user_id, set()).add(store_id)
    found = []
    for membership in memberships:
        subscription = subscriptions.subscription_of(role=membership.role,
                                                     preference=preferences.get(membership.user_id))
        stores = subscriptions.stores_of_interest(subscription, role=membership.role,
                                                  assigned=assigned.get(membership.user_id, set()),
                                                  every_store=subscriptions.EVERY_STORE)
        found.append(Recipient(user=membership.user, role=membership.role, subscription=subscription, stores=stores))
    return found


def _alerts_by_recipient(alerts, recipients):
    """``{recipient: [their alerts]}`` for those of ``recipients`` that ``alerts`` concern, in the alerts' order."""
    found = {}
    for recipient in recipients:
        theirs = [alert for alert in alerts if recipient.is_about(alert.store_id)]
        if theirs:
            found[recipient] = theirs
    return found


def for_new_alerts(*, agency, alerts):
    """``{recipient: alerts}``: who gets the immediate email of ``alerts`` (new red, unmuted)."""
    return _alerts_by_recipient(alerts, [person for person in people(agency=agency) if person.subscription.immediate])


def for_escalation(*, agency, alerts):
    """``{recipient: alerts}``: the managers who get the escalation of ``alerts``."""
    return _alerts_by_recipient(alerts, [person for person in people(agency=agency)
                                         if person.subscription.immediate and subscriptions.is_manager(person.role)])


def for_resolved_alerts(*, agency, alerts):
    """``{recipient: alerts}``: who gets the resolved notice of ``alerts`` (the agency must send such notices)."""
    return _alerts_by_recipient(alerts, [person for person in people(agency=agency) if person.subscription.resolved])


def for_digest(*, agency):
    """The recipients of the agency's daily digest."""
    return [person for person in people(agency=agency) if person.subscription.digest]
