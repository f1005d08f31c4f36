"""What the alerts app contributes through the extension seam (``accounts.extensions``): after every evaluation of
the health app, the evaluated stores' alerts are opened, updated and resolved (``services.alerts_sync``) and their
emails queued (``alerts_sync_and_notify``); the sidebar's Alerts group, the overview's "Open alerts" and the store
page's alerts panel."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts import extensions
from accounts.platform.navigation import NavigationGroup, NavigationItem
from accounts.platform.tasks import enqueue_on_commit

from . import demo, overview, services, tasks
from .panels import render_alerts_panel


@extensions.health_evaluated.contribute
def alerts_sync_and_notify(*, agency, evaluated):
    """``services.alerts_sync`` of the evaluated stores; if it left the first alerts waiting for their email, the run
    that sends them (``notifications.notices``) is queued after the commit, late enough to gather the other chunks of
    the same ingest in the same emails. Safe to call twice with the same rows: the second sync opens and resolves
    nothing."""
    result = services.alerts_sync(agency=agency, evaluated=evaluated)
    if result.notices_first_due:
        enqueue_on_commit(tasks.send_alert_notices, agency=agency, countdown=settings.ALERTS_NOTICE_GATHER_SECONDS)
    return result


extensions.demo_data.contribute(demo.load)  # after the health app's: its evaluation opened the demo's alerts
extensions.admin_navigation.contribute(NavigationGroup(title=_("Alerts"), order=30, items=(
    NavigationItem(title=_("Alert inbox"), icon="notifications_active", model="alerts.Alert"),
    NavigationItem(title=_("Muted rules"), icon="notifications_off", model="alerts.AlertMute"),
    NavigationItem(title=_("Alert policy"), icon="tune", model="alerts.AlertPolicy"),
    NavigationItem(title=_("My alert emails"), icon="mail", model="alerts.NotificationPreference"),
)))
extensions.overview_sections.contribute(extensions.OverviewSection(
    title=overview.TITLE, order=20, render=overview.render_open_alerts))
extensions.store_panels.contribute(extensions.StorePanel(title=_("Alerts"), render=render_alerts_panel))
