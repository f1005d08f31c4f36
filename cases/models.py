"""Seller Support: the agency's record of every conversation with Amazon, and the numbers of the chat rules.

* ``CasePolicy``: the agency's chat and follow-up numbers (one row per agency; ``selectors.case_policy`` gives the
  defaults of DOMAIN.md when the agency never changed them), read by the pure rules through ``rules()``.
* ``CaseCategory``: an issue category an agency adds to the built-in ones (``cases.categories``).
* ``SupportCase``: one Seller Support case of a store: Amazon's case id (its digits), category, ASINs, priority,
  expected result, status (``cases.moves``), the alert it answers.
* ``CaseEvent``: the case's timeline, one row per message of ours, reply of Amazon's, internal note, status move
  and document attached, each with its time and author.
* ``ChatSession`` and ``ChatMessage``: one Help Request chat of a store and its transcript.
* ``StoreChatChannel``: what the agency records of a store's chat channel (a recent bulk deletion of listings,
  Amazon opening the channel anyway); ``ChatFreezeLift``: a manager lifting a freeze early, with the reason.
* ``MessageTemplate`` and ``MessageTemplateVersion``: the four-part template library, versioned, its use counted.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_trail
from accounts.free_text import FreeTextField
from accounts.models import Store, TenantModel
from alerts.models import Alert

from . import categories, chat_rules, templating
from .case_ids import display_case_id


class CasePolicy(TenantModel):
    """The agency's chat and follow-up numbers (DOMAIN.md's defaults)."""

    defaults = chat_rules.ChatRules()

    min_store_age_days = models.PositiveSmallIntegerField(
        _("store older than (days)"), default=defaults.min_store_age_days, validators=[MaxValueValidator(3650)],
        help_text=_("Chat is open to stores registered more than this many days ago."))
    ahr_threshold = models.PositiveSmallIntegerField(
        _("lowest AHR"), default=defaults.ahr_threshold, validators=[MaxValueValidator(1000)],
        help_text=_("The Account Health Rating must have stayed at or above this on every day of the window."))
    ahr_days = models.PositiveSmallIntegerField(
        _("AHR window (days)"), default=defaults.ahr_days, validators=[MinValueValidator(1), MaxValueValidator(365)])
    violation_days = models.PositiveSmallIntegerField(
        _("no major violation within (days)"), default=defaults.violation_days,
        validators=[MinValueValidator(1), MaxValueValidator(365)])
    bulk_deletion_days = models.PositiveSmallIntegerField(
        _("bulk deletion blocks for (days)"), default=defaults.bulk_deletion_days,
        validators=[MinValueValidator(1), MaxValueValidator(365)])
    chats_per_day = models.PositiveSmallIntegerField(
        _("chats per store per day"), default=defaults.chats_per_day,
        validators=[MinValueValidator(1), MaxValueValidator(50)])
    invalid_to_freeze = models.PositiveSmallIntegerField(
        _("invalid inquiries in a row that freeze"), default=defaults.invalid_to_freeze,
        validators=[MinValueValidator(1), MaxValueValidator(10)])
    freeze_days = models.PositiveSmallIntegerField(
        _("freeze (days)"), default=defaults.freeze_days, validators=[MinValueValidator(1), MaxValueValidator(90)])
    follow_up_after_hours = models.PositiveSmallIntegerField(
        _("follow up after (hours)"), default=24, validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text=_("A case waiting this long for Amazon is flagged for a chat or a follow-up."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = audit_trail()

    class Meta:
        verbose_name = _("case and chat policy")
        verbose_name_plural = _("case and chat policies")
        constraints = [models.UniqueConstraint(fields=["agency"], name="case_policy_one_per_agency")]

    def __str__(self):
        return gettext("Case and chat policy of %(agency)s") % {"agency": self.agency.name}

    def rules(self):
        """The numbers as the pure rules take them (``cases.chat_rules.ChatRules``)."""
        return chat_rules.ChatRules(
            min_store_age_days=self.min_store_age_days, ahr_threshold=self.ahr_threshold, ahr_days=self.ahr_days,
            violation_days=self.violation_days, bulk_deletion_days=self.bulk_deletion_days,
            chats_per_day=self.chats_per_day, invalid_to_freeze=self.invalid_to_freeze,
            freeze_days=self.freeze_days)


class CaseCategory(TenantModel):
    """An issue category the agency adds to the built-in ones (``cases.categories.BUILT_IN``)."""

    code = models.CharField(_("code"), max_length=40, validators=[categories.category_code_validator])
    name = models.CharField(_("name"), max_length=100)

    history = audit_trail()

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="case_category_code_unique")]

    def __str__(self):
        return self.name


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class SupportCase(TenantModel):
    """One Seller Support case of a store."""

    class Status(models.TextChoices):
        DRAFTED = "drafted", _("Drafted")
        OPENED = "opened", _("Opened")
        AWAITING_AMAZON = "awaiting_amazon", _("Awaiting Amazon")
        ANSWERED = "answered", _("Answered")
        NEEDS_ACTION = "needs_action", _("Needs our action")
        TRANSFERRED = "transferred", _("Transferred")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    amazon_case_id = models.CharField(_("Amazon case id"), max_length=16, blank=True,
                                      help_text=_("As Amazon shows it: 1234567890 or 123-456-7890."))
    subject = models.CharField(_("subject"), max_length=200)
    category = models.CharField(_("category"), max_length=40)
    asins = models.JSONField(_("ASINs"), default=list, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    expected_result = FreeTextField(_("expected result"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFTED)
    transferred_to = models.CharField(_("transferred to"), max_length=120, blank=True,
                                      help_text=_("The Amazon team that has the case, e.g. Policy Enforcement."))
    alert = models.ForeignKey(Alert, verbose_name=_("answers alert"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    #: When the case last began to wait for Amazon (``None`` while it does not): the follow-up timer.
    waiting_since = models.DateTimeField(_("waiting for Amazon since"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    store_path = "store"

    class Meta:
        verbose_name = _("Seller Support case")
        verbose_name_plural = _("Seller Support cases")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One record per Amazon case in an agency (a draft has no id yet).
            models.UniqueConstraint(fields=["agency", "amazon_case_id"], name="case_amazon_id_unique",
                                    condition=~models.Q(amazon_case_id="")),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "waiting_since"], name="case_agency_status_idx"),
            models.Index(fields=["agency", "store", "created_at"], name="case_agency_store_idx"),
        ]

    def __str__(self):
        return f"{self.display_case_id or gettext('Draft')} · {self.subject}"

    @property
    def display_case_id(self):
        return display_case_id(self.amazon_case_id) if self.amazon_case_id else ""


class CaseEvent(TenantModel):
    """One entry of a case's timeline: a message, a reply, a note, a status move, a document attached."""

    class Kind(models.TextChoices):
        OUR_MESSAGE = "our_message", _("Our message")
        AMAZON_REPLY = "amazon_reply", _("Amazon's reply")
        NOTE = "note", _("Internal note")
        STATUS = "status", _("Status change")
        DOCUMENT = "document", _("Document attached")

    case = models.ForeignKey(SupportCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    text = FreeTextField(_("text"), blank=True)
    from_status = models.CharField(_("from"), max_length=16, choices=SupportCase.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=SupportCase.Status.choices, blank=True)
    document = models.ForeignKey("documents.AppealDocument", verbose_name=_("document"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    template_version = models.ForeignKey("MessageTemplateVersion", verbose_name=_("template"), null=True,
                                         blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    api_key = models.ForeignKey("accounts.ApiKey", verbose_name=_("API key"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    store_path = "case__store"

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["agency", "case", "at"], name="case_event_idx")]

    def __str__(self):
        return f"{self.case} · {self.get_kind_display()}"


class ChatSession(TenantModel):
    """One Help Request chat of a store: when it was requested, whether it connected, with whom, about what, and
    how it ended."""

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        TRANSFERRED = "transferred", _("Transferred to a case")
        INVALID = "invalid", _("Invalid inquiry")
        NOT_CONNECTED = "not_connected", _("Not connected")

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    connected = models.BooleanField(_("connected"), default=True)
    agent = models.CharField(_("agent"), max_length=120, blank=True)
    category = models.CharField(_("issue category"), max_length=40)
    message = FreeTextField(_("our message"), blank=True,
                            help_text=_("The four-part message sent: issue type, ASIN / Case ID, evidence, expected "
                                        "result."))
    template_version = models.ForeignKey("MessageTemplateVersion", verbose_name=_("template"), null=True,
                                         blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    case = models.ForeignKey(SupportCase, verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="chats", help_text=_("The case the chat was transferred to."))
    notes = FreeTextField(_("notes"), blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("logged by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    store_path = "store"

    class Meta:
        verbose_name = _("HR chat")
        verbose_name_plural = _("HR chats")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["agency", "store", "requested_at"], name="chat_agency_store_idx")]

    def __str__(self):
        return f"{self.store} · {self.requested_at:%Y-%m-%d %H:%M}"


class ChatMessage(TenantModel):
    """One message of a chat's transcript, in order."""

    class Role(models.TextChoices):
        SELLER = "seller", _("Us")
        AMAZON = "amazon", _("Amazon")
        SYSTEM = "system", _("System")

    session = models.ForeignKey(ChatSession, verbose_name=_("chat"), on_delete=models.CASCADE,
                                related_name="messages")
    position = models.PositiveIntegerField(_("position"))
    sender = models.CharField(_("sender"), max_length=120, blank=True)
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    text = FreeTextField(_("text"))

    store_path = "session__store"

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["session", "position"]
        constraints = [models.UniqueConstraint(fields=["agency", "session", "position"],
                                               name="chat_message_position_unique")]

    def __str__(self):
        return f"{self.session} · {self.position}"


class StoreChatChannel(TenantModel):
    """What the agency records of one store's chat channel: a recent bulk deletion of listings (it blocks chat for
    the policy's days), and Amazon having opened the channel anyway (it overrides the eligibility inputs, not the
    quota or a freeze)."""

    store = models.OneToOneField(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    bulk_deletion_on = models.DateField(_("listings bulk-deleted on"), null=True, blank=True)
    opened_anyway = models.BooleanField(_("Amazon opened the channel anyway"), default=False)
    opened_anyway_reason = FreeTextField(_("why the channel is open"), blank=True)
    opened_anyway_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                         blank=True, on_delete=models.SET_NULL, related_name="+")
    opened_anyway_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = audit_trail()

    store_path = "store"

    class Meta:
        verbose_name = _("store chat channel")
        verbose_name_plural = _("store chat channels")

    def __str__(self):
        return str(self.store)


class ChatFreezeLift(TenantModel):
    """A manager lifting a store's chat freeze before its end, with the reason."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    lifted_at = models.DateTimeField(_("lifted at"))
    frozen_until = models.DateTimeField(_("was frozen until"))
    reason = FreeTextField(_("reason"))
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lifted by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    store_path = "store"

    class Meta:
        verbose_name = _("chat freeze lifted")
        verbose_name_plural = _("chat freezes lifted")
        ordering = ["-lifted_at"]
        indexes = [models.Index(fields=["agency", "store", "lifted_at"], name="chat_freeze_lift_idx")]

    def __str__(self):
        return f"{self.store} · {self.lifted_at:%Y-%m-%d %H:%M}"


class MessageTemplate(TenantModel):
    """A four-part message of the agency for one issue category and language; its text lives in versions."""

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        CHINESE = "zh-hans", _("Simplified Chinese")

    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=40)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH)
    is_active = models.BooleanField(_("in use"), default=True)
    use_count = models.PositiveIntegerField(_("times used"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["category", "language", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "category", "language", "name"],
                                               name="message_template_unique")]

    def __str__(self):
        return self.name


class MessageTemplateVersion(TenantModel):
    """One version of a template's four parts; a change writes a new version, the earlier ones stay."""

    template = models.ForeignKey(MessageTemplate, verbose_name=_("template"), on_delete=models.CASCADE,
                                 related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    issue_type = FreeTextField(templating.PART_LABELS["issue_type"])
    reference = FreeTextField(templating.PART_LABELS["reference"])
    evidence = FreeTextField(templating.PART_LABELS["evidence"])
    expected_result = FreeTextField(templating.PART_LABELS["expected_result"])
    use_count = models.PositiveIntegerField(_("times used"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("message template version")
        verbose_name_plural = _("message template versions")
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["agency", "template", "number"],
                                               name="message_template_version_unique")]

    def __str__(self):
        return f"{self.template} v{self.number}"

    def parts(self):
        return {part: getattr(self, part) for part in templating.PARTS}
