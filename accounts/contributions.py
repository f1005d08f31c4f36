"""What the accounts app contributes through the extension seam (``accounts.extensions``)."""

from django.utils.translation import gettext_lazy as _

from . import demo, extensions
from .platform.navigation import NavigationGroup, NavigationItem

extensions.demo_data.contribute(demo.load)

extensions.admin_navigation.contribute(NavigationGroup(title=_("Stores"), order=10, items=(
    NavigationItem(title=_("Stores"), icon="storefront", model="accounts.Store"),
    NavigationItem(title=_("Clients"), icon="business_center", model="accounts.Client"),
    NavigationItem(title=_("Assignments"), icon="assignment_ind", model="accounts.StoreAssignment"),
)))
extensions.admin_navigation.contribute(NavigationGroup(title=_("Settings"), order=900, items=(
    NavigationItem(title=_("Members"), icon="group", model="accounts.Membership"),
    NavigationItem(title=_("Invitations"), icon="forward_to_inbox", model="accounts.Invitation"),
    NavigationItem(title=_("API keys"), icon="key", model="accounts.ApiKey"),
    NavigationItem(title=_("Agency"), icon="apartment", model="accounts.Agency"),
    NavigationItem(title=_("People"), icon="badge", model="accounts.User"),
)))
