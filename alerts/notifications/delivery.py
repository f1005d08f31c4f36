"""The sent-log and the sending of every alert email: exactly once per recipient, kind and period.

1. ``notifications_write`` inserts the rows of one email for its recipients, or skips the ones that exist
   (``INSERT … ON CONFLICT DO NOTHING`` on the unique key agency, recipient, kind, period), BEFORE anything is sent.
2. ``notifications_deliver`` sends the rows still to send. Each is first claimed by a conditional update that must
   return 1 (the row is pending, deferred, or held by an attempt that died: ``sending`` for longer than
   ``SENDING_LEASE``), so that two workers never both send it. The email is written in the recipient's language and
   the agency's time zone, and sent; the row then says how it went:

   * ``sent``;
   * ``deferred``: the mail server answered 4xx, or could not be reached (a temporary failure): the task retries
     after ``RETRY_DELAYS`` and gives up on the last one (``give_up``: the rows become ``failed``);
   * ``failed``: a 5xx answer (or any other permanent refusal), recorded with the error, never retried;
   * ``skipped``: the email had nothing to say (a digest of a quiet day), so nothing was sent.

An attempt killed between claiming a row and marking it leaves it ``sending``: after ``SENDING_LEASE`` (longer than
any one send, bounded by ``EMAIL_TIMEOUT``, may take) another attempt may claim it again. That is the one case in
which an email may go twice (the server took it, the worker died before marking it): the log is written before
sending, so everywhere else it goes at most once, and a retry or the catch-up (``leftovers``) makes sure it goes.
"""

import datetime
import hashlib
import logging
import smtplib
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone, translation

from ..models import SentNotification
from .recipients import language_of

logger = logging.getLogger(__name__)

#: Seconds between the attempts of a task whose mail server asked to try again later (4xx), from the setting
#: ``ALERTS_EMAIL_RETRY_DELAYS`` (15.5 minutes in all by default), read once: the tasks' ``max_retries`` is fixed when
#: they are defined. Each wait is a message a worker holds, unacknowledged, until its time (an ETA): each wait and their
#: total must stay well under the broker's visibility timeout (``REDIS_BROKER_VISIBILITY_TIMEOUT``, an hour), or the
#: broker would hand the message to a second worker while the first still holds it.
RETRY_DELAYS = tuple(settings.ALERTS_EMAIL_RETRY_DELAYS)
#: The broker's visibility timeout with Redis when the settings name none (kombu's default).
BROKER_VISIBILITY_TIMEOUT = 60 * 60
#: A row ``sending`` for longer than this was claimed by an attempt that died.
SENDING_LEASE = datetime.timedelta(minutes=10)
#: The longest error message the log keeps.
ERROR_LENGTH = SentNotification._meta.get_field("error").max_length

Status = SentNotification.Status
TO_SEND = (Status.PENDING, Status.DEFERRED)
OUTCOMES = ("sent", "deferred", "failed", "skipped", "held")


def broker_visibility_timeout():
    """Seconds before the broker hands an unacknowledged message to another worker."""
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}
    return options.get("visibility_timeout", BROKER_VISIBILITY_TIMEOUT)


@dataclass(frozen=True)
class Email:
    """One email as its writer gives it: a subject and its two parts."""

    subject: str
    text: str
    html: str


@dataclass
class Delivery:
    """What ``notifications_deliver`` did: the ids of the rows it sent, deferred, failed and skipped, and of those it
    left to another attempt that holds them (``held``)."""

    sent: list = field(default_factory=list)
    deferred: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    held: list = field(default_factory=list)

    @property
    def must_retry(self):
        """Whether the task should run again later: a row was deferred, or is held by another attempt that may
        die with it."""
        return bool(self.deferred or self.held)

    def counts(self):
        return {name: len(getattr(self, name)) for name in OUTCOMES}

    def extend(self, other):
        """Add what ``other`` did to this one; returns this one."""
        for name in OUTCOMES:
            getattr(self, name).extend(getattr(other, name))
        return self


def run_period(alert_ids):
    """The period of an email about one run's alerts (an evaluation's, an escalation's): named by the run's first alert
    and a digest of all of them, so that the same run gives the same period, and two runs (whose alerts are always
    different ones) never the same."""
    ids = sorted({int(pk) for pk in alert_ids})
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    return f"alerts-{ids[0] if ids else 0}-{digest}"


def notifications_write(*, agency, kind, period, alerts_by_recipient):
    """Write the sent-log rows of one email, one per recipient (``{user: [alert ids]}``), where none exists yet for the
    recipient, ``kind`` and ``period``; returns every row of the email (``kind`` and ``period``), new or written by an
    earlier attempt, in two queries."""
    if alerts_by_recipient:
        SentNotification.objects.bulk_create([
            SentNotification(agency=agency, recipient=user, kind=kind, period=period, address=user.email,
                             alert_ids=sorted(alert_ids))
            for user, alert_ids in alerts_by_recipient.items()], ignore_conflicts=True)
    return list(SentNotification.objects.filter(agency=agency, kind=kind, period=period)
                .select_related("recipient").order_by("pk"))


def _claimable(now):
    return Q(status__in=TO_SEND) | Q(status=Status.SENDING, claimed_at__lt=now - SENDING_LEASE)


def _claim(row, now):
    """Take ``row`` for this attempt: a conditional update that only one attempt can win."""
    return SentNotification.objects.filter(_claimable(now), agency_id=row.agency_id, pk=row.pk).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1) == 1


def _mark(row, status, **values):
    SentNotification.objects.filter(agency_id=row.agency_id, pk=row.pk).update(status=status, **values)


def is_temporary(error):
    """Whether the mail server's refusal is worth another attempt: a 4xx answer, or no answer at all (a refused,
    dropped or timed-out connection)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, OSError)


def _text(answer):
    return answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)


def describe(error):
    """The mail server's answer (or the error) as the log keeps it, e.g. ``550 5.7.1 Rejected``."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {_text(error.smtp_error)}"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{address}: {code} {_text(message)}" for address, (code, message) in error.recipients.items())
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:ERROR_LENGTH]


def _message(email, *, address, connection):
    message = EmailMultiAlternatives(email.subject, email.text, to=[address], connection=connection)
    message.attach_alternative(email.html, "text/html")
    return message


def notifications_deliver(*, agency, rows, write, now=None):
    """Send each of ``rows`` still to send (see the module), written by ``write(row) -> Email | None`` (``None``:
    nothing to say) inside the recipient's language and the agency's time zone. One connection to the mail server
    serves them all; a connection an error left in doubt is closed and the next email opens a new one. Returns a
    ``Delivery``."""
    now = now or timezone.now()
    delivery = Delivery()
    connection = get_connection()
    try:
        for row in rows:
            if row.status in (Status.SENT, Status.FAILED, Status.SKIPPED):
                continue
            if not _claim(row, now):
                delivery.held.append(row.pk)
                continue
            try:
                with translation.override(language_of(row.recipient, agency)), timezone.override(agency.time_zone):
                    email = write(row)
            except SoftTimeLimitExceeded:
                raise  # the task's time is up: the row is left to the lease, the rest to the next attempt
            except Exception as error:  # noqa: BLE001 - one email that cannot be written must not stop the others
                logger.exception("Could not write the %s email %s to %s", row.kind, row.period, row.address)
                _mark(row, Status.FAILED, error=describe(error))
                delivery.failed.append(row.pk)
                continue
            if email is None:
                _mark(row, Status.SKIPPED, error="")
                delivery.skipped.append(row.pk)
                continue
            subject = email.subject[:SentNotification._meta.get_field("subject").max_length]
            try:
                connection.open()
                _message(email, address=row.address, connection=connection).send()
            except (smtplib.SMTPException, OSError) as error:
                connection.close()
                temporary = is_temporary(error)
                logger.warning("The %s email %s to %s was %s: %s", row.kind, row.period, row.address,
                               "deferred" if temporary else "refused", describe(error))
                _mark(row, Status.DEFERRED if temporary else Status.FAILED, subject=subject, error=describe(error))
                (delivery.deferred if temporary else delivery.failed).append(row.pk)
                continue
            _mark(row, Status.SENT, subject=subject, error="", sent_at=timezone.now())
            delivery.sent.append(row.pk)
    finally:
        connection.close()
    return delivery


def give_up(*, agency, delivery):
    """Mark the rows ``delivery`` deferred as failed: their last attempt is over, the error stays."""
    if delivery.deferred:
        SentNotification.objects.filter(agency=agency, pk__in=delivery.deferred, status=Status.DEFERRED).update(
            status=Status.FAILED)


def leftovers(*, agency, kind, now=None):
    """The rows of ``kind`` that no attempt is about to send any more, for the periodic catch-up: deferred ones (their
    attempt is over), pending ones older than ``SENDING_LEASE`` (their writer died before sending), and those held by an
    attempt that died (``sending`` for longer than the lease)."""
    now = now or timezone.now()
    # Both times are judged against the round's ``now``: ``created_at`` is when the row was written, ``claimed_at`` the
    # ``now`` of the attempt that claimed it.
    return list(SentNotification.objects.filter(agency=agency, kind=kind)
                .filter(Q(status=Status.DEFERRED)
                        | Q(status=Status.PENDING, created_at__lt=now - SENDING_LEASE)
                        | Q(status=Status.SENDING, claimed_at__lt=now - SENDING_LEASE))
                .select_related("recipient").order_by("pk"))
