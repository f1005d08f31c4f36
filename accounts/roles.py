"""Roles inside an agency and what each may do. Every check of a role in the product asks this module.

The powers are one table (``ROLE_POWERS``, and ``KEY_POWERS`` for API keys). A domain app does not add powers
or properties for its actions: it maps each action onto a power of this table, in its own module, e.g. in
``cases``::

    from accounts.roles import Power

    LOG_CHAT = Power.WORK_ON_STORES          # operators log chats of the stores they see
    EDIT_MESSAGE_TEMPLATES = Power.MANAGE    # managers keep the template library

and asks ``caller.can(LOG_CHAT)``. The caller (``accounts.tenancy.Caller``) only knows its powers.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Operations manager")
    OPERATOR = "operator", _("Operator")
    VIEWER = "viewer", _("Viewer")


class Power(models.TextChoices):
    """What a caller may do inside its agency (reading what it sees needs no power)."""

    #: Change things within the stores one sees: log cases and chats, annotate, acknowledge alerts.
    WORK_ON_STORES = "work_on_stores", _("Work on stores")
    #: See every store of the agency, not only the assigned ones.
    SEE_ALL_STORES = "see_all_stores", _("See all stores")
    #: Be made responsible for a store.
    TAKE_STORES = "take_stores", _("Be assigned stores")
    #: Create, edit and remove clients and stores, assign operators; thresholds, templates, review sign-off.
    MANAGE = "manage", _("Manage the portfolio")
    #: Agency settings, memberships and API keys.
    ADMINISTER = "administer", _("Administer the agency")


ROLE_POWERS = {
    Role.OWNER: frozenset(Power),
    Role.MANAGER: frozenset({Power.WORK_ON_STORES, Power.SEE_ALL_STORES, Power.TAKE_STORES, Power.MANAGE}),
    Role.OPERATOR: frozenset({Power.WORK_ON_STORES, Power.TAKE_STORES}),
    Role.VIEWER: frozenset({Power.SEE_ALL_STORES}),
}

#: An API key acts for the agency's ERP: it sees every store; a read-write key changes the portfolio and the
#: work on stores, but never administers the agency (keys, members, settings).
KEY_POWERS = {
    "read": frozenset({Power.SEE_ALL_STORES}),
    "read_write": frozenset({Power.SEE_ALL_STORES, Power.WORK_ON_STORES, Power.MANAGE}),
}

#: The product itself (a task, a command): everything inside the agency it works for.
SYSTEM_POWERS = frozenset(Power) - {Power.TAKE_STORES}


def powers_of(role):
    """The powers of a role; none for an unknown one."""
    return ROLE_POWERS.get(role, frozenset())


def roles_with(power):
    """The roles that have ``power``, in the order of ``Role``."""
    return [role for role in Role if power in ROLE_POWERS[role]]
