"""Alerts: a store's red warnings as work for people, from the moment a verdict opens one to its resolution.

* ``Alert``: one episode of one store's trouble with one metric (its ``rule``: the metric's key). At most one is open
  (open or acknowledged) per store and rule, which the database enforces; a repeat updates it; a recovery resolves
  it; a later breach is a new episode. It keeps its value and target when it opened and at its latest update.
* ``AlertTransition``: every move of an alert's status, who or what made it, when, from, to and why (rows, never
  an overwritten field).
* ``AlertMute``: a manager's "not this rule of this store until that day, because …": alerts are still recorded,
  nobody is emailed about them.
* ``AlertPolicy``: the agency's alert numbers (one row per agency).
* ``NotificationPreference``: one person's alert emails (immediate, digest, which stores, resolved notices).
* ``SentNotification``: the sent-log, one row per recipient, kind and period, written before the email is sent.

The rules of what opens, keeps and resolves an alert are ``alerts.rules``; ``alerts.services`` carries them out.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_trail
from accounts.free_text import FreeTextField
from accounts.models import Store, TenantModel
from health import metrics
from health.thresholds import Colour

from .rules import AlertKind


class AlertPolicy(TenantModel):
    """The agency's alert numbers (one row per agency; ``selectors.alert_policy`` gives the defaults when the agency
    never changed them)."""

    alert_on_yellow = models.BooleanField(
        _("alert on yellow"), default=False,
        help_text=_("Open alerts for metrics close to their target too, not only for red ones."))
    resolve_after_green = models.PositiveSmallIntegerField(
        _("green evaluations to resolve"), default=1, validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("An alert resolves by itself after this many green evaluations in a row."))
    warning_due_hours = models.PositiveSmallIntegerField(
        _("account warnings due in (hours)"), default=24, validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("How soon someone must act on an account status, a warning, a policy complaint or the AHR."))
    metric_due_hours = models.PositiveSmallIntegerField(
        _("metrics due in (hours)"), default=72, validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("How soon someone must act on a metric past its target."))
    escalate_after_hours = models.PositiveSmallIntegerField(
        _("escalate after (hours)"), default=24, validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("An alert nobody acknowledged this long after it opened is escalated once to the managers."))
    digest_hour = models.PositiveSmallIntegerField(
        _("daily digest at (hour)"), default=8, validators=[MaxValueValidator(23)],
        help_text=_("The hour of the daily digest email, in the agency's time zone."))
    resolved_notices = models.BooleanField(
        _("email when resolved"), default=False,
        help_text=_("Also email the people of a store when its alert resolves."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = audit_trail()

    class Meta:
        verbose_name = _("alert policy")
        verbose_name_plural = _("alert policies")
        constraints = [models.UniqueConstraint(fields=["agency"], name="alert_policy_one_per_agency")]

    def __str__(self):
        return gettext("Alert policy of %(agency)s") % {"agency": self.agency.name}


class Alert(TenantModel):
    """One episode of a store's trouble with one metric."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    class Severity(models.TextChoices):
        RED = Colour.RED.value, _("Red")
        YELLOW = Colour.YELLOW.value, _("Yellow")

    class Notice(models.TextChoices):
        """The email an alert waits for (``alerts.notifications.notices``)."""

        NEW = "new", _("New red alert")
        RESOLVED = "resolved", _("Resolved alert")

    #: The statuses of an alert still open (the database allows one such alert per store and rule).
    OPEN_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED)

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="alerts")
    rule = models.CharField(_("rule"), max_length=40, choices=metrics.CHOICES)
    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    opened_value = models.JSONField(_("value when opened"), null=True, blank=True)
    opened_target = models.FloatField(_("target when opened"), null=True, blank=True)
    latest_value = models.JSONField(_("latest value"), null=True, blank=True)
    latest_target = models.FloatField(_("latest target"), null=True, blank=True)
    green_streak = models.PositiveSmallIntegerField(_("green evaluations in a row"), default=0)
    green_day = models.DateField(_("last green day counted"), null=True, blank=True,
                                 help_text=_("The day of the snapshot of the last green evaluation counted: the same "
                                             "day evaluated again does not count twice."))
    due_at = models.DateTimeField(_("due"))
    muted = models.BooleanField(_("muted"), default=False,
                                help_text=_("Its rule is muted for the store: nobody is emailed about it."))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    notes = FreeTextField(_("notes"), blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    notice_due = models.CharField(
        _("email waiting"), max_length=16, choices=Notice.choices, blank=True, default="",
        help_text=_("The email this alert still waits for: set by the evaluation, cleared by the one run that "
                    "writes the email's sent-log rows."))

    store_path = "store"

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-first_seen_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "store", "rule"],
                                    condition=Q(status__in=["open", "acknowledged"]),
                                    name="alert_one_open_per_store_and_rule"),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "severity"], name="alert_agency_status_idx"),
            models.Index(fields=["agency", "store", "status"], name="alert_agency_store_idx"),
            # The alerts waiting for their email: few at any time, looked for after every evaluation.
            models.Index(fields=["agency", "notice_due"], condition=~Q(notice_due=""), name="alert_notice_due_idx"),
        ]

    def __str__(self):
        return f"{self.store} · {self.get_rule_display()}"

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES


class AlertTransition(TenantModel):
    """One move of an alert's status: from, to, who or what made it (a person, an API key, or the product's own
    evaluation when both are empty), when and why."""

    alert = models.ForeignKey(Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=16, choices=Alert.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Alert.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    api_key = models.ForeignKey("accounts.ApiKey", verbose_name=_("API key"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    reason = FreeTextField(_("why"), blank=True)
    at = models.DateTimeField(_("at"))

    store_path = "alert__store"

    class Meta:
        verbose_name = _("alert transition")
        verbose_name_plural = _("alert transitions")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["agency", "alert", "at"], name="alert_transition_idx")]

    def __str__(self):
        return f"{self.alert} · {self.from_status or '—'} → {self.to_status}"


class AlertMute(TenantModel):
    """A rule of a store muted until a day (that day included): its alerts are recorded, nobody is emailed."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(_("rule"), max_length=40, choices=metrics.CHOICES)
    until = models.DateField(_("muted until"))
    reason = FreeTextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("muted by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    history = audit_trail()
    store_path = "store"

    class Meta:
        verbose_name = _("muted rule")
        verbose_name_plural = _("muted rules")
        ordering = ["-until"]
        constraints = [models.UniqueConstraint(fields=["agency", "store", "rule"], name="alert_mute_one_per_rule")]

    def __str__(self):
        return f"{self.store} · {self.get_rule_display()} · {self.until.isoformat()}"


class StoreScope(models.TextChoices):
    """Which stores a person's alert emails are about (``alerts.subscriptions``)."""

    MY_STORES = "my_stores", _("My stores")
    ALL_STORES = "all_stores", _("All stores I can see")


class NotificationPreference(TenantModel):
    """One person's alert emails in one agency: which they get, and about which stores. A person with no row gets the
    defaults of their role (``alerts.subscriptions.DEFAULTS``); they change them on their own page of the
    admin (``alerts.admin.preferences``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE,
                             related_name="+")
    immediate = models.BooleanField(
        _("new red alerts at once"), default=True,
        help_text=_("One email as soon as an evaluation opens red alerts (and when one is escalated to managers)."))
    digest = models.BooleanField(
        _("daily digest"), default=True,
        help_text=_("Every morning: open alerts, what opened and resolved since the last digest, stores newly red."))
    scope = models.CharField(_("about"), max_length=16, choices=StoreScope.choices, default=StoreScope.MY_STORES,
                             help_text=_("Only the stores assigned to you, or every store you can see."))
    resolved = models.BooleanField(
        _("resolved alerts"), default=False,
        help_text=_("An email when an alert resolves by itself, if the agency sends such notices."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("my alert emails")
        verbose_name_plural = _("my alert emails")
        constraints = [models.UniqueConstraint(fields=["agency", "user"],
                                               name="notification_preference_one_per_person")]

    def __str__(self):
        return gettext("Alert emails of %(person)s") % {"person": self.user}


class SentNotification(TenantModel):
    """The sent-log: one email of one kind to one person for one period (``period``: the evaluation run of an
    immediate email, the local day of a digest, the escalation run, ...), unique, written BEFORE the email is sent
    (``alerts.notifications.delivery``): a second attempt finds the row and sends nothing twice."""

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", _("New red alerts")
        DIGEST = "digest", _("Daily digest")
        ESCALATION = "escalation", _("Escalation")
        RESOLVED = "resolved", _("Resolved alerts")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        DEFERRED = "deferred", _("Mail server busy, will retry")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Nothing to send")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
                                  related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    alert_ids = models.JSONField(_("alerts"), default=list, blank=True)
    address = models.EmailField(_("sent to"), blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    claimed_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sent notification")
        verbose_name_plural = _("sent notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["agency", "recipient", "kind", "period"],
                                               name="sent_notification_once_per_period")]
        indexes = [models.Index(fields=["agency", "kind", "status"], name="sent_notification_status_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.recipient} · {self.period}"
