"""The daily digest: every morning, at the agency's ``AlertPolicy.digest_hour`` (08:00 by default) in the agency's
time zone, one email to each person whose digest is on (``subscriptions``), about the stores of their subscription:

1. the open alerts, by severity (red, then yellow), with how many of each;
2. what opened since their last digest, and what resolved since then;
3. the stores newly red: red now, and none of their open red alerts is older than the last digest;
4. then each section the other apps contribute (``accounts.extensions.digest_sections``: the appeal documents',
   the cases'), called with ``(agency=, recipient=, since=)``, in their order; a section that fails is left out
   (and logged), never the digest.

"Since the last digest" is the moment the recipient's last sent digest was written; for a first digest, a day
before. Muted alerts are left out (nobody is emailed about them). A digest with nothing in it is not sent (its row is
``skipped``).

The periodic task runs every 15 minutes (``CELERY_BEAT_SCHEDULE["alerts.digest"]``): ``agencies_due`` names the
agencies whose digest hour has come on their local day and whose digest of that day is not done, and each of them
sends its digest (``digest_send``). The period of the sent-log is the local day, so a person gets one digest a day
however often the task runs; a digest that a worker left unsent is picked up by the next run.
"""

import datetime
import logging
import zoneinfo
from dataclasses import dataclass
from functools import cached_property

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import extensions
from accounts.models import Agency
from accounts.tenancy import all_agencies

from .. import selectors
from ..models import Alert, AlertPolicy, SentNotification
from . import content, delivery, recipients

logger = logging.getLogger(__name__)

#: What a first digest looks back on.
FIRST_DIGEST_LOOKBACK = datetime.timedelta(days=1)
DEFAULT_DIGEST_HOUR = AlertPolicy._meta.get_field("digest_hour").default
NOT_DONE = (SentNotification.Status.PENDING, SentNotification.Status.DEFERRED, SentNotification.Status.SENDING)


def digest_period(*, time_zone, digest_hour, now):
    """The local day (ISO date) whose digest is due at ``now`` in ``time_zone``: today once its ``digest_hour`` has
    come, else ``None``."""
    local = now.astimezone(zoneinfo.ZoneInfo(time_zone))
    return local.date().isoformat() if local.hour >= digest_hour else None


def agencies_due(*, now=None):
    """The active agencies whose digest is due at ``now`` and not done: their digest hour has come today (local), and
    either no digest of today was written yet, or one is still to send. A platform-wide fan-out: unscoped, three
    queries whatever the number of agencies."""
    now = now or timezone.now()
    with all_agencies():
        hours = dict(AlertPolicy.objects.values_list("agency_id", "digest_hour"))
        periods = {}
        for agency in Agency.objects.filter(is_active=True).order_by("pk"):
            period = digest_period(time_zone=agency.time_zone, digest_hour=hours.get(agency.pk, DEFAULT_DIGEST_HOUR),
                                   now=now)
            if period is not None:
                periods[agency] = period
        written = {}
        for agency_id, period, status in (SentNotification.objects
                                          .filter(kind=SentNotification.Kind.DIGEST, period__in=set(periods.values()),
                                                  agency_id__in=[agency.pk for agency in periods])
                                          .values_list("agency_id", "period", "status").distinct()):
            written.setdefault((agency_id, period), set()).add(status)
    return [agency for agency, period in periods.items()
            if (agency.pk, period) not in written or written[(agency.pk, period)] & set(NOT_DONE)]


@dataclass(frozen=True)
class StoreLine:
    """A store newly red, as the digest shows it."""

    store: str
    url: str
    rules: str
    since: str


@dataclass(frozen=True)
class ContributedSection:
    """A section another app contributed: its title, its HTML (escaped by the section, as its contract says) and its
    text."""

    title: str
    html: str
    text: str


def stores_newly_red(red_alerts, *, since):
    """``StoreLine`` of each store of ``red_alerts`` (open, red) whose oldest open red alert opened at ``since`` or
    later, in the alerts' order."""
    oldest, by_store = {}, {}
    for alert in red_alerts:
        oldest[alert.store_id] = min(oldest.get(alert.store_id, alert.first_seen_at), alert.first_seen_at)
        by_store.setdefault(alert.store_id, []).append(alert)
    return [StoreLine(store=str(alerts[0].store), url=content.store_url(store_id),
                      rules=", ".join(str(alert.get_rule_display()) for alert in alerts),
                      since=content.local_time(oldest[store_id]))
            for store_id, alerts in by_store.items() if oldest[store_id] >= since]


class DigestWriter:
    """Writes each recipient's digest of one day (``__call__(row) -> Email | None``). The agency's alerts are read
    once, on the first digest written, in a fixed number of queries; each recipient's part is picked from them."""

    def __init__(self, *, agency, period, people, now):
        self.agency = agency
        self.period = period
        self.people = {person.user.pk: person for person in people}
        self.now = now

    @cached_property
    def last_digests(self):
        """``{recipient id: when their last sent digest before this one was written}``."""
        return dict(SentNotification.objects.filter(agency=self.agency, kind=SentNotification.Kind.DIGEST,
                                                    status=SentNotification.Status.SENT, period__lt=self.period)
                    .values("recipient_id").annotate(last=Max("claimed_at")).values_list("recipient_id", "last"))

    def since_of(self, recipient_id):
        return self.last_digests.get(recipient_id) or self.now - FIRST_DIGEST_LOOKBACK

    @cached_property
    def alerts(self):
        """``(open alerts, alerts opened or resolved since the earliest recipient's last digest)``, unmuted."""
        earliest = min((self.since_of(pk) for pk in self.people), default=self.now - FIRST_DIGEST_LOOKBACK)
        unmuted = Alert.objects.filter(agency=self.agency, muted=False).select_related("store").order_by(
            "store__name", "store_id", "rule", "pk")
        return (list(unmuted.filter(status__in=Alert.OPEN_STATUSES)),
                list(unmuted.filter(Q(first_seen_at__gte=earliest) | Q(resolved_at__gte=earliest))))

    def sections(self, recipient, since):
        """The contributed sections of ``recipient``'s digest, each in a savepoint of its own: one that fails (even
        in the database) is logged and left out, and the others and the digest go on."""
        found = []
        for section in extensions.digest_sections.contributions():
            try:
                with transaction.atomic():
                    part = section(agency=self.agency, recipient=recipient, since=since)
            except SoftTimeLimitExceeded:
                raise
            except Exception:  # noqa: BLE001 - another app's section must not stop the digest
                logger.exception("The digest section %r failed for %s; the digest goes out without it.", section,
                                 recipient.email)
                continue
            if part is not None:
                found.append(ContributedSection(title=str(part.title), html=str(part.html), text=str(part.text)))
        return found

    def __call__(self, row):
        person = self.people.get(row.recipient_id)
        if person is None:  # no longer subscribed since the row was written
            return None
        since = self.since_of(row.recipient_id)
        open_alerts, recent = self.alerts
        mine = [alert for alert in open_alerts if person.is_about(alert.store_id)]
        red = [alert for alert in mine if alert.severity == Alert.Severity.RED]
        yellow = [alert for alert in mine if alert.severity == Alert.Severity.YELLOW]
        recent = [alert for alert in recent if person.is_about(alert.store_id)]
        opened = [alert for alert in recent if since <= alert.first_seen_at < self.now]
        resolved = [alert for alert in recent
                    if alert.resolved_at is not None and since <= alert.resolved_at < self.now]
        sections = self.sections(row.recipient, since)
        if not (mine or opened or resolved or sections):
            return None
        subject = _("Daily alert digest, %(date)s") % {"date": self.period}
        return content.email_from_templates(
            "digest", subject=subject, agency=self.agency, since=content.local_time(since),
            red=content.listing(red), yellow=content.listing(yellow), opened=content.listing(opened),
            resolved=content.listing(resolved), newly_red=stores_newly_red(red, since=since)[:content.LISTED],
            sections=sections)


def digest_send(*, agency, now=None):
    """Send the agency's digest of the local day of ``now``, if its hour has come, to each recipient who did not get
    it yet (see the module). Returns the ``delivery.Delivery``, or ``None`` when the digest is not due."""
    now = now or timezone.now()
    period = digest_period(time_zone=agency.time_zone, now=now,
                           digest_hour=selectors.alert_policy(agency=agency).digest_hour)
    if period is None:
        return None
    people = recipients.for_digest(agency=agency)
    rows = delivery.notifications_write(agency=agency, kind=SentNotification.Kind.DIGEST, period=period,
                                        alerts_by_recipient={person.user: [] for person in people})
    writer = DigestWriter(agency=agency, period=period, people=people, now=now)
    return delivery.notifications_deliver(agency=agency, rows=rows, write=writer, now=now)
