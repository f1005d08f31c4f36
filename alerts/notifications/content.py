"""What every alert email shares: an alert as a line of an email, absolute links to the admin, and the two parts
rendered from the templates ``alerts/email/<name>.html`` and ``.txt``.

Emails are written by tasks, with no request to take the host from: every link is absolute, on
``settings.SITE_URL``. They are written inside the recipient's language and the agency's time zone
(``delivery.notifications_deliver`` activates both), so the functions here use whatever is active.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from health import metrics

from .delivery import Email

#: How many alerts or stores one list of an email shows; the rest are counted, behind a link to the inbox.
LISTED = 20
#: How many store names a subject names.
STORES_IN_SUBJECT = 3


def absolute(path):
    """``path`` of the back-office as a link that works from a mailbox."""
    return settings.SITE_URL.rstrip("/") + path


def alert_url(alert_id):
    return absolute(reverse("admin:alerts_alert_change", args=[alert_id]))


def store_url(store_id):
    return absolute(reverse("admin:accounts_store_change", args=[store_id]))


def inbox_url():
    return absolute(reverse("admin:alerts_alert_changelist"))


def preferences_url():
    """The page where the recipient changes their alert emails (``alerts.admin.preferences``)."""
    return absolute(reverse("admin:alerts_notificationpreference_mine"))


def local_time(moment):
    """``moment`` in the active time zone (the agency's), as ``2025-03-01 08:00``; empty for none."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@dataclass(frozen=True)
class AlertLine:
    """One alert as an email shows it, every value already words (in the active language) or a link."""

    store: str
    store_url: str
    rule: str
    severity: str
    severity_code: str
    value: str
    target: str
    opened: str
    due: str
    resolved: str
    url: str


def line_of(alert):
    """``alert`` (with its store loaded) as an ``AlertLine``."""
    target = alert.latest_target if alert.latest_target is not None else alert.opened_target
    return AlertLine(
        store=str(alert.store), store_url=store_url(alert.store_id), rule=str(alert.get_rule_display()),
        severity=str(alert.get_severity_display()), severity_code=alert.severity,
        value=metrics.display_value(alert.rule, alert.latest_value) or "—",
        target=metrics.display_value(alert.rule, target) if target is not None else "",
        opened=local_time(alert.first_seen_at), due=local_time(alert.due_at), resolved=local_time(alert.resolved_at),
        url=alert_url(alert.pk))


@dataclass(frozen=True)
class Listing:
    """A list of an email: its first ``LISTED`` lines and how many more there are."""

    lines: list
    more: int

    def __bool__(self):
        return bool(self.lines)

    @property
    def total(self):
        return len(self.lines) + self.more


def listing(alerts):
    alerts = list(alerts)
    return Listing(lines=[line_of(alert) for alert in alerts[:LISTED]], more=max(0, len(alerts) - LISTED))


def store_names(alerts):
    """The names of the stores of ``alerts`` for a subject: the first few, in order, then "…"."""
    names = list(dict.fromkeys(str(alert.store) for alert in alerts))
    return ", ".join(names[:STORES_IN_SUBJECT]) + (" …" if len(names) > STORES_IN_SUBJECT else "")


def email_from_templates(name, *, subject, agency, **context):
    """The ``Email`` of template ``alerts/email/<name>``: both parts, with what every alert email shows (the agency,
    the inbox and the recipient's preferences page)."""
    context = {"agency": agency, "subject": subject, "inbox_url": inbox_url(), "preferences_url": preferences_url(),
               **context}
    return Email(subject=f"[{agency.name}] {subject}",
                 text=render_to_string(f"alerts/email/{name}.txt", context).strip() + "\n",
                 html=render_to_string(f"alerts/email/{name}.html", context))
