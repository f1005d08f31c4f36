"""Who gets which alert email about which stores: pure rules over values, no database.

A person's **subscription** in an agency is their ``NotificationPreference`` row, or, when they never saved one, the
defaults of their role (``DEFAULTS``), decided so that nobody has to configure anything to be told about trouble:

============  =========  ======  ===========  ================
role          immediate  digest  about        resolved notices
============  =========  ======  ===========  ================
owner         on         on      all stores   off
manager       on         on      all stores   off
operator      on         on      my stores    on
viewer        off        off     all stores   off
============  =========  ======  ===========  ================

The stores a subscription is about (``stores_of_interest``): "my stores" are the stores assigned to the person;
"all stores" are every store the person may see, which for an operator is still only their assigned ones (a
preference never shows anyone a store their role hides).

Which email goes to whom:

* **immediate** (new red alerts of one evaluation) and **resolved** notices: everyone whose subscription has it on
  and is about the alert's store; a resolved notice also needs the agency's ``AlertPolicy.resolved_notices``;
* **escalation** (an alert nobody acknowledged in time): the managers (owners and operations managers, who manage
  the portfolio) whose immediate emails are on and about the store: escalations are immediate emails too;
* **digest**: everyone whose digest is on, about the stores of their subscription.

Muted alerts are in none of them (``AlertMute``: "recorded, nobody is emailed").
"""

from dataclasses import dataclass

from accounts.roles import Power, Role, powers_of

from .models import StoreScope


@dataclass(frozen=True)
class Subscription:
    """What alert emails one person gets (see the module)."""

    immediate: bool
    digest: bool
    scope: str
    resolved: bool


DEFAULTS = {
    Role.OWNER: Subscription(immediate=True, digest=True, scope=StoreScope.ALL_STORES, resolved=False),
    Role.MANAGER: Subscription(immediate=True, digest=True, scope=StoreScope.ALL_STORES, resolved=False),
    Role.OPERATOR: Subscription(immediate=True, digest=True, scope=StoreScope.MY_STORES, resolved=True),
    Role.VIEWER: Subscription(immediate=False, digest=False, scope=StoreScope.ALL_STORES, resolved=False),
}
#: A role this table does not know gets nothing.
NOTHING = Subscription(immediate=False, digest=False, scope=StoreScope.MY_STORES, resolved=False)


def subscription_of(*, role, preference=None):
    """The person's ``Subscription``: their saved ``preference`` (anything with the four fields), else their role's
    defaults."""
    if preference is not None:
        return Subscription(immediate=preference.immediate, digest=preference.digest, scope=preference.scope,
                            resolved=preference.resolved)
    return DEFAULTS.get(role, NOTHING)


def is_manager(role):
    """Whether escalations go to people of ``role``: those who manage the portfolio."""
    return Power.MANAGE in powers_of(role)


def stores_of_interest(subscription, *, role, assigned, every_store):
    """The ids of the stores ``subscription`` is about, for a person of ``role`` with the ``assigned`` store ids, in an
    agency whose stores are ``every_store`` (a set of ids, or anything that answers ``in``)."""
    if subscription.scope == StoreScope.ALL_STORES and Power.SEE_ALL_STORES in powers_of(role):
        return every_store
    return assigned


class Everything:
    """Every store of the agency, without listing them (``stores_of_interest``'s ``every_store``)."""

    def __contains__(self, store_id):
        return True


EVERY_STORE = Everything()
