"""Roles inside an agency and what each may do. Every check of a role in the product asks this module."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Operations manager")
    OPERATOR = "operator", _("Operator")
    VIEWER = "viewer", _("Viewer")


def can_write(role):
    """Everyone but a viewer changes things (within what they can see)."""
    return role in (Role.OWNER, Role.MANAGER, Role.OPERATOR)


def sees_all_stores(role):
    """Owners, managers and viewers see every store of the agency; operators only their assigned ones."""
    return role in (Role.OWNER, Role.MANAGER, Role.VIEWER)


def can_manage_portfolio(role):
    """Create, edit and remove clients and stores, assign operators."""
    return role in (Role.OWNER, Role.MANAGER)


def can_administer_agency(role):
    """Agency settings, memberships and API keys."""
    return role == Role.OWNER


#: Who may be made responsible for a store: everyone who works on stores, not a viewer.
ASSIGNABLE_ROLES = (Role.OWNER, Role.MANAGER, Role.OPERATOR)


def can_be_assigned_stores(role):
    return role in ASSIGNABLE_ROLES
