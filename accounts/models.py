"""Agencies (the tenants), the people who work in them, their clients, stores and API keys, and the tasks a
broker outage left unsent.

Every tenant-owned model derives from ``TenantModel``: its own ``agency`` column and a django-scopes manager,
so that a query made with no agency scope active raises instead of returning every agency's rows (see
``accounts.tenancy``). ``tests/test_tenant_models.py`` fails on a model of the project that is neither.

Agency-level numbers of a domain app (thresholds, the chat quota, freshness days, the digest hour, the
review's due day) live in one policy row per app and agency, never in new columns on ``Agency`` nor in Django
settings:

* a ``TenantModel`` named for its app, e.g. ``health.models.HealthPolicy``, one row per agency (a unique
  constraint on ``agency``), each number a field whose default is DOMAIN.md's default;
* read through one selector of the app, e.g. ``health.selectors.health_policy(*, agency)``, that returns the
  agency's row, or an unsaved row with the defaults when the agency never changed them (so nothing needs
  creating when an agency is created);
* written by a service (``health_policy_update(*, agency, **numbers)``), edited by owners and managers in the
  admin; the rule modules take the numbers as arguments (``thresholds.metric_status(value, *, target)``),
  never read the row themselves.
"""

import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from . import marketplaces, rules
from .audit import audit_trail
from .free_text import FreeTextField
from .roles import Role
from .store_statuses import StoreStatus  # noqa: F401  (the model's choices; others import it from here too)


def time_zone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def normalise_email(value):
    """An email address as the product stores, compares and looks it up: stripped and lower-cased."""
    return str(value or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalise_email(self.normalize_email(email)), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # An exact match on the stored (lower-cased) address: the database's case-insensitive comparison folds
        # letters Python's lower() keeps apart (PostgreSQL's UPPER('ı') is 'I'), which would let one account be
        # reached under spellings the sign-in lockout counts apart.
        return self.get(email=normalise_email(username))


class User(AbstractUser):
    """A person who signs in with an email address. Not tenant-owned: one person may serve several agencies."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("The language of the admin and of emails. Empty: the agency's default language."),
    )
    active_agency = models.ForeignKey(
        "Agency", verbose_name=_("active agency"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("The agency this person is working in right now."),
    )
    must_change_password = models.BooleanField(
        _("must change password"), default=False,
        help_text=_("The password is a one-time password someone else set: the person must choose their own at "
                    "the next sign-in before anything else."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = normalise_email(self.email)

    def set_password(self, raw_password):
        """A password set this way is the person's own (they chose it); ``set_one_time_password`` is for one that
        someone else chose for them."""
        super().set_password(raw_password)
        self.must_change_password = False

    def set_one_time_password(self, raw_password):
        """Set a password that someone else chose or generated (an owner's reset, ``addmember``): it works once,
        to sign in and choose one's own."""
        self.set_password(raw_password)
        self.must_change_password = True

    def check_password(self, raw_password):
        # Django re-hashes a correct password whose hasher is outdated through set_password() (and saves only the
        # password): that is not the person choosing a password, so the one-time flag stays as it was.
        must_change_password = self.must_change_password
        try:
            return super().check_password(raw_password)
        finally:
            self.must_change_password = must_change_password

    @property
    def preferred_language(self):
        """The language of what the product writes to this person (emails): their own choice, else their active
        agency's default, else the product's."""
        if self.language:
            return self.language
        if self.active_agency_id is not None:
            return self.active_agency.default_language
        return settings.LANGUAGE_CODE

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name or self.email


class Agency(models.Model):
    """The tenant: one agency that runs seller accounts for its clients."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai", choices=time_zone_choices)
    default_language = models.CharField(
        _("default language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = audit_trail()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def agency(self):
        """An agency is its own tenant; lets generic tenant code treat it like any tenant-owned row."""
        return self

    @property
    def agency_id(self):
        return self.pk

    def today(self):
        """Today's date in the agency's time zone."""
        return timezone.now().astimezone(zoneinfo.ZoneInfo(self.time_zone)).date()


class TenantModel(models.Model):
    """The base of every row an agency owns.

    * ``agency``: the row's own column, also where the agency could be reached through a parent (a chat
      message's session), so that scoping is one column and the table can be distributed by ``agency_id``;
      it leads every composite index and unique constraint of the model;
    * ``objects``: django-scopes' manager, so a query with no agency scope active raises;
    * ``created_at``;
    * ``store_path``: how a row reaches the store it belongs to, as a lookup (``"store"``, ``"pk"`` for a
      store itself, ``"stores"`` for a client); ``None`` when it belongs to no store. Operators see only the
      rows of their stores through it (``accounts.selectors.visible_rows``).
    * ``clean()`` refuses a reference to another agency's row, on that field, as if the row did not exist.
    """

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(agency="agency")

    store_path = None

    class Meta:
        abstract = True

    def clean(self):
        errors = {}
        if self.agency_id is not None:
            for field in self._meta.concrete_fields:
                if not field.many_to_one or field.name == "agency" or not issubclass(field.related_model,
                                                                                     TenantModel):
                    continue
                related_id = getattr(self, field.attname)
                if related_id is not None and getattr(self, field.name).agency_id != self.agency_id:
                    # Another agency's row is answered as if it did not exist.
                    errors[field.name] = [gettext("No such %(model)s: %(id)s.")
                                          % {"model": field.related_model._meta.verbose_name, "id": related_id}]
        if errors:
            raise ValidationError(errors)


class Membership(TenantModel):
    """A person's role in one agency. An agency always keeps at least one owner."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OPERATOR)
    is_active = models.BooleanField(
        _("active"), default=True,
        help_text=_("A deactivated member keeps their account, their role and their store assignments, but has no "
                    "access to this agency until reactivated; their other agencies are not affected."),
    )

    history = audit_trail()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["agency", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "user"], name="membership_unique_per_agency"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"

    def clean(self):
        super().clean()
        if self.agency_id is None:
            return
        role_before = None
        if self.pk is not None:
            role_before = Membership.objects.filter(agency_id=self.agency_id, pk=self.pk).values_list(
                "role", flat=True).first()
        errors = rules.owner_errors(role_before=role_before, role_after=self.role,
                                    other_owners=self.other_owners().count())
        if errors:
            raise ValidationError(errors)

    def other_owners(self):
        """The agency's other active owners: a deactivated owner cannot act as one, so does not count."""
        return Membership.objects.filter(agency_id=self.agency_id, role=Role.OWNER, is_active=True).exclude(
            pk=self.pk)


class Client(TenantModel):
    """The brand owner or legal entity whose stores the agency runs."""

    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    notes = FreeTextField(_("notes"), blank=True)
    report_language = models.CharField(
        _("report language"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("The language of the client's monthly report; empty: the agency's language."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = audit_trail()
    store_path = "stores"

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="client_name_unique_per_agency"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """The client's own rules (``rules.client_errors``); forms, serializers and services reach them through
        ``full_clean()``."""
        super().clean()
        name_taken = bool(self.agency_id and self.name) and Client.objects.filter(
            agency_id=self.agency_id, name=self.name).exclude(pk=self.pk).exists()
        errors = rules.client_errors(name=self.name, name_taken=name_taken)
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # The per-agency uniqueness of the name is reported on the name field by ``clean()``.
        super().validate_constraints(exclude=set(exclude or ()) | {"name"})


class SellingPlan(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional")
    INDIVIDUAL = "individual", _("Individual")


seller_id_validator = RegexValidator(
    r"^[A-Z0-9]{8,20}$",
    _("A seller id (merchant token) is 8 to 20 capital letters and digits, e.g. A2EXAMPLE1234."),
)


class Store(TenantModel):
    """One seller account on one Amazon marketplace (店铺)."""

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="stores")
    name = models.CharField(_("display name"), max_length=200)
    marketplace = models.CharField(_("marketplace"), max_length=2, choices=marketplaces.CHOICES)
    seller_id = models.CharField(_("seller id"), max_length=20, validators=[seller_id_validator],
                                 help_text=_("Amazon's merchant token of the seller account."))
    registered_on = models.DateField(_("registered on"), null=True, blank=True,
                                     help_text=_("The day the seller account was registered with Amazon."))
    selling_plan = models.CharField(_("selling plan"), max_length=16, choices=SellingPlan.choices,
                                    default=SellingPlan.PROFESSIONAL)
    brand_registered = models.BooleanField(_("brand registered"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=StoreStatus.choices, default=StoreStatus.ACTIVE)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("operators"), through="StoreAssignment",
        through_fields=("store", "user"), related_name="assigned_stores", blank=True,
    )
    notes = FreeTextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = audit_trail()
    store_path = "pk"

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["name", "marketplace"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "seller_id", "marketplace"],
                                    name="store_seller_marketplace_unique_per_agency"),
        ]
        indexes = [
            models.Index(fields=["agency", "status"], name="store_agency_status_idx"),
            models.Index(fields=["agency", "marketplace"], name="store_agency_marketplace_idx"),
            models.Index(fields=["agency", "client"], name="store_agency_client_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.marketplace})"

    def clean(self):
        """The store's own rules; every form, serializer and import reaches them through ``full_clean()``."""
        super().clean()
        errors = self.rule_errors()
        if errors:
            raise ValidationError(errors)

    def rule_errors(self):
        """``rules.store_errors`` of this store as it stands, with what the agency already has."""
        seller_id_taken = bool(self.agency_id and self.seller_id and self.marketplace) and Store.objects.filter(
            agency_id=self.agency_id, seller_id=self.seller_id, marketplace=self.marketplace,
        ).exclude(pk=self.pk).exists()
        return rules.store_errors(
            marketplace=self.marketplace, registered_on=self.registered_on,
            today=self.agency.today() if self.agency_id else None, seller_id=self.seller_id,
            seller_id_taken=seller_id_taken,
        )

    def validate_constraints(self, exclude=None):
        # The (seller id, marketplace) uniqueness is reported on the seller id field by ``clean()``.
        exclude = set(exclude or ()) | {"seller_id"}
        super().validate_constraints(exclude=exclude)

    @property
    def marketplace_info(self):
        return marketplaces.marketplace(self.marketplace)

    @property
    def amazon_marketplace_id(self):
        info = self.marketplace_info
        return info.amazon_id if info else ""

    @property
    def region(self):
        info = self.marketplace_info
        return info.region if info else ""

    @property
    def marketplace_time_zone(self):
        info = self.marketplace_info
        return info.time_zone if info else ""


class StoreAssignment(TenantModel):
    """An operator responsible for a store. Its own row (with the agency) so that scoping stays one column."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("operator"), on_delete=models.CASCADE,
                             related_name="store_assignments")
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    history = audit_trail()
    store_path = "store"

    class Meta:
        verbose_name = _("store assignment")
        verbose_name_plural = _("store assignments")
        constraints = [
            models.UniqueConstraint(fields=["agency", "store", "user"], name="store_assignment_unique"),
        ]
        indexes = [models.Index(fields=["agency", "user"], name="assignment_agency_user_idx")]

    def __str__(self):
        return f"{self.user} → {self.store}"

    def clean(self):
        super().clean()
        if self.agency_id and self.user_id:
            # A deactivated member's assignments stay; only a new one is refused.
            deactivated = deactivated_members(agency=self.agency, users=[self.user]) if self.pk is None else []
            messages = rules.operator_errors(people=people_with_roles(agency=self.agency, users=[self.user]),
                                             deactivated=deactivated)
            if self.store_id and StoreAssignment.objects.filter(
                    agency_id=self.agency_id, store_id=self.store_id, user_id=self.user_id,
            ).exclude(pk=self.pk).exists():
                messages += rules.assignment_errors(store=str(self.store), people=[str(self.user)])
            if messages:
                raise ValidationError({"user": messages})

    def validate_constraints(self, exclude=None):
        # A person already responsible for the store is reported on the user field by ``clean()``.
        super().validate_constraints(exclude=set(exclude or ()) | {"user"})


def people_with_roles(*, agency, users):
    """``[(name, role)]`` of ``users`` in ``agency``, ``role`` ``None`` for who is not a member (for
    ``rules.operator_errors``)."""
    roles = dict(Membership.objects.filter(agency=agency, user__in=[user.pk for user in users])
                 .values_list("user_id", "role"))
    return [(str(user), roles.get(user.pk)) for user in users]


def deactivated_members(*, agency, users):
    """The names of those of ``users`` whose membership of ``agency`` is deactivated (for
    ``rules.operator_errors``)."""
    inactive = set(Membership.objects.filter(agency=agency, user__in=[user.pk for user in users], is_active=False)
                   .values_list("user_id", flat=True))
    return [str(user) for user in users if user.pk in inactive]


class ApiKeyAccess(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")


class ApiKey(TenantModel):
    """A machine credential of one agency (its ERP). Only a hash of the secret is stored; the key is shown once.

    A key reads ``<prefix>.<secret>``: the prefix finds the row by index, the secret's SHA-256 proves it.
    SHA-256 (not a slow password hash) fits because the secret is 256 random bits, not a human's choice.
    """

    name = models.CharField(_("name"), max_length=100)
    access = models.CharField(_("access"), max_length=16, choices=ApiKeyAccess.choices, default=ApiKeyAccess.READ)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    hashed_secret = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    history = audit_trail(excluded_fields=["hashed_secret", "last_used_at"])

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def can_write(self):
        return self.access == ApiKeyAccess.READ_WRITE

    @staticmethod
    def hash_secret(secret):
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def generate():
        """A new (prefix, secret) pair."""
        return secrets.token_hex(6), secrets.token_urlsafe(32)

    def matches(self, secret):
        return secrets.compare_digest(self.hashed_secret, self.hash_secret(secret))


class Invitation(TenantModel):
    """An invitation to join the agency with a role, for whoever holds its link.

    Owners invite by email address; the agency learns nothing of the person behind it (whether they have an
    account, their name, language or last sign-in) until they accept. The link carries
    ``<prefix>.<secret>``: the prefix finds the row, only a SHA-256 of the secret is kept (like an API key's),
    and it works once, until it expires or is revoked.
    """

    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OPERATOR)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    hashed_secret = models.CharField(max_length=64, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    history = audit_trail(excluded_fields=["hashed_secret"])

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "email"], name="invitation_agency_email_idx")]

    def __str__(self):
        return f"{self.email} · {self.get_role_display()}"

    @property
    def state(self):
        """``accepted``, ``revoked``, ``expired`` or ``pending``."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_pending(self):
        return self.state == "pending"

    def matches(self, secret):
        return secrets.compare_digest(self.hashed_secret, ApiKey.hash_secret(secret))


class PlatformAccess(models.Model):
    """A platform superuser looked across agencies: kept so that such access is always visible."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="+")
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("platform access")
        verbose_name_plural = _("platform accesses")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} {self.method} {self.path}"


class UnsentTask(TenantModel):
    """A task the broker could not take when it was queued after a write (Redis down): kept so that the catch-up
    sends it within a minute of the broker's return (``accounts.platform.tasks``), then deleted.

    ``created_at`` is when the broker first refused it; ``attempts`` counts the refusals, the first included, and
    ``last_error`` says what the broker answered last. ``kwargs`` are the task's keyword arguments as it was sent
    (its ``agency_id`` included), ``countdown`` the seconds it was to wait before running, counted from
    ``created_at``.
    """

    task_name = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"))
    countdown = models.FloatField(_("countdown (seconds)"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("unsent task")
        verbose_name_plural = _("unsent tasks")

    def __str__(self):
        return f"{self.task_name}{self.kwargs!r}"

    def countdown_left(self, now):
        """The seconds still to wait from ``now`` before the task may run; ``None`` when it may run at once."""
        if not self.countdown:
            return None
        left = (self.created_at - now).total_seconds() + self.countdown
        return left if left > 0 else None
