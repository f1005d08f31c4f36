"""What the health app contributes through the extension seam (``accounts.extensions``): the ``?health=`` filter
of the store list, the overview's red-and-yellow section, the store page's trend panel, the sidebar's Health
group and the demo history."""

from django.utils.translation import gettext_lazy as _

from accounts import extensions
from accounts.platform.navigation import NavigationGroup, NavigationItem

from . import demo, overview
from .filters import health_store_filter
from .panels import render_health_panel

extensions.store_panels.contribute(extensions.StorePanel(title=_("Account health"), render=render_health_panel))
extensions.admin_navigation.contribute(NavigationGroup(title=_("Health"), order=20, items=(
    NavigationItem(title=_("Portfolio health"), icon="monitor_heart", model="health.StoreHealth"),
    NavigationItem(title=_("Snapshots"), icon="timeline", model="health.HealthSnapshot"),
    NavigationItem(title=_("Metrics imports"), icon="upload_file", model="health.MetricsImport"),
    NavigationItem(title=_("Health policy"), icon="tune", model="health.HealthPolicy"),
)))
extensions.demo_data.contribute(demo.load)
extensions.store_filters.contribute(("health", health_store_filter()))
extensions.overview_sections.contribute(extensions.OverviewSection(
    title=overview.TITLE, order=10, render=overview.render_stores_needing_attention))
