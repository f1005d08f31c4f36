"""The appeal-document library: papers per client and store, their versions (the files), the trail of who did what
with them, their links to other records, the agency's own document types and its document policy.

* ``AppealDocument``: one paper of a client (a business licence, last month's utility bill) that serves one or more
  of the client's stores (``DocumentStore``); its type, title, dates, notes and tags. Deleting it moves it to the
  trash (``deleted_at``), from which a manager restores it within the agency's days; then it is purged.
* ``DocumentVersion``: one uploaded file of a document, kept with its SHA-256, size, sniffed content type, cleaned
  name, who uploaded it and when. A new version never replaces an earlier one; each stays downloadable. The file
  lives in the documents storage under a random key below the agency's prefix (``documents.storage``).
* ``DocumentEvent``: the trail, one row per upload, new version, download, change, deletion, restoration and
  removal for good; it stays when its document is purged.
* ``DocumentLink``: a document attached to another record (a case, a chat), through
  ``services.document_link`` and ``selectors.documents_linked_to``.
* ``DocumentType``: a type an agency adds to the built-in ones (``documents.types``).
* ``DocumentPolicy``: the agency's freshness numbers and appeal kit (one row per agency).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_trail
from accounts.free_text import FreeTextField
from accounts.models import Client, Store, TenantModel

from . import storage, types


def default_appeal_kit():
    return list(types.DEFAULT_APPEAL_KIT)


def default_tags():
    return []


class DocumentPolicy(TenantModel):
    """The agency's document numbers (one row per agency; ``selectors.document_policy`` gives the defaults when the
    agency never changed them)."""

    expiring_within_days = models.PositiveSmallIntegerField(
        _("warn of expiry (days ahead)"), default=30, validators=[MaxValueValidator(365)],
        help_text=_("A document is “expiring soon” when the last day it is good is this many days away or fewer."))
    address_proof_max_age_days = models.PositiveSmallIntegerField(
        _("address proof fresh for (days)"), default=types.DEFAULT_MAX_AGE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("An address proof (utility bill) is stale this many days after it was issued."))
    invoice_max_age_days = models.PositiveSmallIntegerField(
        _("supplier invoice fresh for (days)"), default=types.DEFAULT_MAX_AGE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("A supplier invoice is stale this many days after it was issued."))
    card_statement_max_age_days = models.PositiveSmallIntegerField(
        _("card statement fresh for (days)"), default=types.DEFAULT_MAX_AGE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("A credit-card statement is stale this many days after it was issued."))
    appeal_kit = models.JSONField(
        _("appeal kit"), default=default_appeal_kit, blank=True,
        help_text=_("The document types every store must have ready and fresh for an appeal."))
    trash_days = models.PositiveSmallIntegerField(
        _("days in the trash"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("A deleted document can be restored for this many days; then it is removed for good."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = audit_trail()

    class Meta:
        verbose_name = _("document policy")
        verbose_name_plural = _("document policies")
        constraints = [models.UniqueConstraint(fields=["agency"], name="document_policy_one_per_agency")]

    def __str__(self):
        return gettext("Document policy of %(agency)s") % {"agency": self.agency.name}

    def max_age_days(self, kind):
        """The days a paper of ``kind`` (a ``types.DocumentType``) stays fresh after its issue date (``None``: it
        does not age by issue date)."""
        if kind.max_age_policy:
            return getattr(self, kind.max_age_policy)
        return kind.max_age_days


type_code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{1,39}$",
    _("A type code is 2 to 40 lower-case letters, digits and underscores, starting with a letter."))


class DocumentType(TenantModel):
    """A document type the agency adds to the built-in ones (``documents.types.BUILT_IN``)."""

    code = models.CharField(_("code"), max_length=40, validators=[type_code_validator])
    name = models.CharField(_("name"), max_length=100)
    rule = models.CharField(_("freshness rule"), max_length=16, choices=types.FreshnessRule.choices,
                            default=types.FreshnessRule.NONE)
    max_age_days = models.PositiveSmallIntegerField(
        _("fresh for (days)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("For a type that goes stale after its issue date: how many days it stays fresh."))

    history = audit_trail()

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="document_type_code_unique")]

    def __str__(self):
        return self.name

    def as_type(self):
        """This type as the registry's ``types.DocumentType``."""
        return types.DocumentType(self.code, self.name, self.rule, max_age_days=self.max_age_days, built_in=False)


class AppealDocument(TenantModel):
    """A paper of a client that serves one or more of its stores."""

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="documents")
    stores = models.ManyToManyField(Store, verbose_name=_("stores"), through="DocumentStore",
                                    through_fields=("document", "store"), related_name="documents")
    type_code = models.CharField(_("type"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    notes = FreeTextField(_("notes"), blank=True)
    tags = models.JSONField(_("tags"), default=default_tags, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("deleted by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # Set when the document goes to the trash, from the trash days of that moment: a later change of the days
    # neither shortens nor lengthens what was promised.
    purge_after = models.DateTimeField(_("removed for good after"), null=True, blank=True)

    store_path = "stores"

    class Meta:
        verbose_name = _("appeal document")
        verbose_name_plural = _("appeal documents")
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "client", "type_code"], name="document_client_type_idx"),
            models.Index(fields=["agency", "deleted_at"], name="document_deleted_idx"),
            models.Index(fields=["agency", "expires_on"], name="document_expires_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def in_trash(self):
        return self.deleted_at is not None


class DocumentStore(TenantModel):
    """A store a document serves (its own row, with the agency, so that scoping stays one column)."""

    document = models.ForeignKey(AppealDocument, verbose_name=_("document"), on_delete=models.CASCADE,
                                 related_name="store_links")
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")

    store_path = "store"

    class Meta:
        verbose_name = _("store served")
        verbose_name_plural = _("stores served")
        constraints = [
            models.UniqueConstraint(fields=["agency", "document", "store"], name="document_store_unique"),
        ]
        indexes = [models.Index(fields=["agency", "store"], name="document_store_store_idx")]

    def __str__(self):
        return f"{self.document} · {self.store}"


class DocumentVersion(TenantModel):
    """One uploaded file of a document. Versions are numbered from 1; the highest is the current one."""

    document = models.ForeignKey(AppealDocument, verbose_name=_("document"), on_delete=models.CASCADE,
                                 related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), storage=storage.documents_storage, upload_to=storage.new_key,
                            max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_by_key = models.ForeignKey("accounts.ApiKey", verbose_name=_("uploaded with API key"), null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="+")
    duplicate_of = models.ForeignKey("self", verbose_name=_("same file as"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     help_text=_("An earlier file of the same client with the same bytes."))

    store_path = "document__stores"

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "document", "number"], name="document_version_unique"),
        ]
        indexes = [models.Index(fields=["agency", "sha256"], name="document_version_sha_idx")]

    def __str__(self):
        return gettext("%(title)s, version %(number)s") % {"title": self.document.title, "number": self.number}


class DocumentEvent(TenantModel):
    """One line of a document's trail: who (a person or an API key) did what, when, to which version."""

    class Action(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        NEW_VERSION = "new_version", _("New version")
        DOWNLOADED = "downloaded", _("Downloaded")
        CHANGED = "changed", _("Details changed")
        DELETED = "deleted", _("Moved to the trash")
        RESTORED = "restored", _("Restored from the trash")
        PURGED = "purged", _("Removed for good")
        LINKED = "linked", _("Attached to a record")
        UNLINKED = "unlinked", _("Detached from a record")

    # The trail outlives the document: when the trash is purged, its lines stay, naming it by its title.
    document = models.ForeignKey(AppealDocument, verbose_name=_("document"), null=True, on_delete=models.SET_NULL,
                                 related_name="events")
    document_title = models.CharField(_("document title"), max_length=200, blank=True)
    version = models.ForeignKey(DocumentVersion, verbose_name=_("version"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    api_key = models.ForeignKey("accounts.ApiKey", verbose_name=_("API key"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    store_path = "document__stores"

    class Meta:
        verbose_name = _("document trail entry")
        verbose_name_plural = _("document trail entries")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["agency", "document", "at"], name="document_event_idx")]

    def __str__(self):
        return f"{self.document_title} · {self.get_action_display()}"


class DocumentLink(TenantModel):
    """A document attached to another record of the agency (a case, a chat): the record is named by its model
    and id, so that the library knows nothing of the apps above it."""

    document = models.ForeignKey(AppealDocument, verbose_name=_("document"), on_delete=models.CASCADE,
                                 related_name="links")
    target_type = models.ForeignKey(ContentType, verbose_name=_("record type"), on_delete=models.CASCADE,
                                    related_name="+")
    target_id = models.PositiveBigIntegerField(_("record id"))
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("attached by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    store_path = "document__stores"

    class Meta:
        verbose_name = _("document attachment")
        verbose_name_plural = _("document attachments")
        constraints = [
            models.UniqueConstraint(fields=["agency", "target_type", "target_id", "document"],
                                    name="document_link_unique"),
        ]

    def __str__(self):
        return f"{self.document} → {self.target_type.model} {self.target_id}"
