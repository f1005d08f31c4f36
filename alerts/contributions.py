"""What the alerts app contributes through the extension seam (``accounts.extensions``): after every evaluation of
the health app, the evaluated stores' alerts are opened, updated and resolved (``services.alerts_sync``) and their
emails queued (``alerts_sync_and_notify``); the sidebar's Alerts group, the overview's "Open alerts" and the store
page's alerts panel."""

from django.utils.translation import gettext_lazy as _

from accounts import extensions
from accounts.platform.navigation import NavigationGroup, NavigationItem
from accounts.platform.tasks import enqueue_on_commit

from . import overview, selectors, services, tasks
from .models import Alert
from .panels import render_alerts_panel


@extensions.health_evaluated.contribute
def alerts_sync_and_notify(*, agency, evaluated):
    """``services.alerts_sync`` of the evaluated stores, then, after the commit, their emails: one task for the new
    red, unmuted alerts of this evaluation (one email per recipient), one for the alerts it resolved if the agency
    sends resolved notices. Safe to call twice with the same rows: the second sync opens and resolves nothing."""
    result = services.alerts_sync(agency=agency, evaluated=evaluated)
    new_red = [alert.pk for alert in result.opened if alert.severity == Alert.Severity.RED and not alert.muted]
    if new_red:
        enqueue_on_commit(tasks.notify_new_alerts, agency=agency, alert_ids=new_red)
    resolved = [alert.pk for alert in result.resolved if not alert.muted]
    if resolved and selectors.alert_policy(agency=agency).resolved_notices:
        enqueue_on_commit(tasks.notify_resolved_alerts, agency=agency, alert_ids=resolved)
    return result


extensions.admin_navigation.contribute(NavigationGroup(title=_("Alerts"), order=30, items=(
    NavigationItem(title=_("Alert inbox"), icon="notifications_active", model="alerts.Alert"),
    NavigationItem(title=_("Muted rules"), icon="notifications_off", model="alerts.AlertMute"),
    NavigationItem(title=_("Alert policy"), icon="tune", model="alerts.AlertPolicy"),
    NavigationItem(title=_("My alert emails"), icon="mail", model="alerts.NotificationPreference"),
)))
extensions.overview_sections.contribute(extensions.OverviewSection(
    title=overview.TITLE, order=20, render=overview.render_open_alerts))
extensions.store_panels.contribute(extensions.StorePanel(title=_("Alerts"), render=render_alerts_panel))
