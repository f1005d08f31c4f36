"""The one place that knows how a request, a task or a command gets its agency, and who is asking.

Every tenant-owned model's default manager is a django-scopes ``ScopedManager(agency="agency")``: with no
scope active, a query raises. This module activates the scope:

* for a web or API request (``caller_for_request`` + ``AgencyScopeMiddleware``): from the API key in the
  ``Authorization: Api-Key <key>`` header, else from the signed-in person's active agency;
* for a Celery task (``AgencyTask``): tasks take ``agency_id`` and run inside that agency's scope;
* for a management command (``command_agency``, used by ``accounts.platform.commands.AgencyCommand``).

The result for a request is its **caller** (``Caller``): a person with a role in one agency, an API key of one
agency, a platform superuser, or nobody (``NOBODY``, never ``None``). Code reads it one way,
``caller_of(request)``, and asks it what it may do with ``caller.can(power)`` (the powers are the table of
``accounts.roles``). A task or a command that reads through a selector passes ``Caller.system(agency)``, the
product itself, which sees everything of the agency it works for.

Unscoped access happens only here, and only where it is reviewed: looking up an API key or an invitation's
link before its agency is known, a person's memberships across agencies (the switcher, and whether an account
is one agency's alone before its owner resets the password), and platform-wide fan-out jobs
(``all_agencies``). Platform superusers looking across agencies are recorded (``PlatformAccess``).
"""

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from celery import Task
from django.dispatch import receiver
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from .models import Agency, ApiKey, Invitation, Membership, PlatformAccess
from .roles import KEY_POWERS, SYSTEM_POWERS, Power, Role, powers_of

API_KEY_SCHEME = "api-key"
# A key's last-used time is written at most this often, so that busy keys don't write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@contextmanager
def agency_scope(agency):
    """Run the block inside one agency's scope (``agency`` is an ``Agency`` or its id)."""
    with scope(agency=agency):
        yield


@contextmanager
def no_agency_scope():
    """A scope that matches no agency: tenant queries return nothing rather than raise."""
    with scope(agency=[]):
        yield


@contextmanager
def all_agencies():
    """Platform-wide access across every agency. Only for fan-out jobs and audited platform views."""
    with scopes_disabled():
        yield


@dataclass(frozen=True)
class Caller:
    """Who is asking, in which agency, with which powers.

    ``agency`` is ``None`` for nobody, for a person of no agency, and for a platform superuser looking across
    all agencies (who may read, never write, there).
    """

    agency: Agency | None = None
    user: object = None
    role: str | None = None
    api_key: ApiKey | None = None
    api_key_refused: bool = False
    is_platform: bool = False
    memberships: tuple = ()
    powers: frozenset = frozenset()

    @classmethod
    def person(cls, *, agency, user, role, memberships=(), is_platform=False):
        return cls(agency=agency, user=user, role=role, memberships=tuple(memberships), is_platform=is_platform,
                   powers=powers_of(role))

    @classmethod
    def key(cls, api_key):
        return cls(agency=api_key.agency, api_key=api_key, powers=KEY_POWERS.get(api_key.access, frozenset()))

    @classmethod
    def system(cls, agency):
        """The product itself working for one agency (a task, a command): it sees and may do everything there."""
        return cls(agency=agency, powers=SYSTEM_POWERS)

    def can(self, power):
        """Whether this caller has ``power`` (an ``accounts.roles.Power``) in its agency."""
        return self.agency is not None and power in self.powers

    @property
    def sees_all_stores(self):
        return self.is_platform or self.can(Power.SEE_ALL_STORES)

    @property
    def is_member(self):
        """A person with a role in the agency, or one of its API keys."""
        return self.agency is not None and (self.role is not None or self.api_key is not None)

    @property
    def is_person(self):
        return self.user is not None

    @property
    def role_label(self):
        return Role(self.role).label if self.role in Role.values else ""

    @contextmanager
    def scope(self):
        if self.is_platform and self.agency is None:
            with all_agencies():
                yield
        elif self.agency is not None:
            with agency_scope(self.agency):
                yield
        else:
            with no_agency_scope():
                yield


#: The caller of a request nobody could be found for (anonymous, a person of no agency, outside a request).
NOBODY = Caller()


def caller_of(request):
    """The caller the middleware resolved for a Django or DRF request; ``NOBODY`` when there is none."""
    request = getattr(request, "_request", request)  # a DRF request wraps Django's
    return getattr(request, "caller", NOBODY)


def parse_api_key_header(header):
    """The raw key from ``Api-Key <key>``; ``None`` when the header uses another scheme or is absent."""
    if not header:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != API_KEY_SCHEME:
        return None
    return credentials.strip()


def _row_of_token(model, raw):
    """The row of ``model`` whose ``<prefix>.<secret>`` token is ``raw`` (secret checked), or ``None``.
    Unscoped: the token is what names the agency."""
    prefix, dot, secret = (raw or "").partition(".")
    if not dot or not prefix or not secret or len(prefix) > 12:
        return None
    with scopes_disabled():
        row = model.objects.select_related("agency").filter(prefix=prefix).first()
    if row is None or not row.agency.is_active or not row.matches(secret):
        return None
    return row


def api_key_from_raw(raw):
    """The usable key for ``<prefix>.<secret>``, or ``None``."""
    key = _row_of_token(ApiKey, raw)
    return None if key is None or key.is_revoked else key


def invitation_from_token(raw):
    """The pending invitation whose link carries ``raw``, or ``None`` (unknown, used, revoked or expired)."""
    invitation = _row_of_token(Invitation, raw)
    return invitation if invitation is not None and invitation.is_pending else None


def _touch_api_key(key):
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        # A conditional update: concurrent requests write it once, and it is not an audited change.
        with scopes_disabled():
            ApiKey.objects.filter(pk=key.pk, last_used_at=key.last_used_at).update(last_used_at=now)
        key.last_used_at = now


def memberships_of(user):
    """Every membership through which a person works, across agencies (for the switcher): active, of an active
    agency. A deactivated membership is no access at all: to the product that person is not in that agency."""
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
            .select_related("agency")
            .order_by("agency__name")
        )


def owners_leaving_agencies(users):
    """``[(agency, owners, owners among users)]`` of every agency, across the platform, that one of ``users``
    owns: what ``rules.removal_errors`` needs to judge deleting these people together."""
    leaving = {user.pk for user in users}
    with scopes_disabled():
        # Active owners only: a deactivated owner is not the owner an agency keeps.
        agency_ids = set(Membership.objects.filter(user_id__in=leaving, role=Role.OWNER, is_active=True)
                         .values_list("agency_id", flat=True))
        owners = list(Membership.objects.filter(agency_id__in=agency_ids, role=Role.OWNER, is_active=True)
                      .select_related("agency"))
    totals, departing, agencies = Counter(), Counter(), {}
    for membership in owners:
        agencies[membership.agency_id] = membership.agency
        totals[membership.agency_id] += 1
        departing[membership.agency_id] += membership.user_id in leaving
    return [(agencies[pk], totals[pk], departing[pk]) for pk in sorted(agencies)]


def caller_for_request(request):
    """Resolve the caller of a request: API key first, then the signed-in person's active agency."""
    raw = parse_api_key_header(request.META.get("HTTP_AUTHORIZATION", ""))
    if raw is not None:
        key = api_key_from_raw(raw)
        if key is None:
            return Caller(api_key_refused=True)
        _touch_api_key(key)
        return Caller.key(key)

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY

    memberships = memberships_of(user)
    if user.is_superuser:
        agency = None
        if user.active_agency_id:
            agency = Agency.objects.filter(pk=user.active_agency_id, is_active=True).first()
        own = next((m for m in memberships if agency is not None and m.agency_id == agency.pk), None)
        if own is not None:
            return Caller.person(agency=agency, user=user, role=own.role, memberships=memberships)
        # Acting in an agency they do not belong to, or across all of them: platform access, recorded.
        return Caller.person(agency=agency, user=user, role=Role.OWNER if agency else None,
                             memberships=memberships, is_platform=True)

    if not memberships:
        return Caller(user=user)
    chosen = next((m for m in memberships if m.agency_id == user.active_agency_id), memberships[0])
    return Caller.person(agency=chosen.agency, user=user, role=chosen.role, memberships=memberships)


def audit_origin():
    """The columns of ``accounts.audit.AuditOrigin`` for an audit-trail row written now: the API key behind the
    current request's change (``{}`` for a person, a task or a command; simple-history names the person).

    Rows saved one by one get them through ``_record_api_key``; a write in bulk passes them on, e.g.
    ``bulk_create_with_history(rows, Model, custom_historical_attrs=audit_origin())``.
    """
    api_key = caller_of(getattr(HistoricalRecords.context, "request", None)).api_key
    return {} if api_key is None else {"history_api_key": f"{api_key.name} ({api_key.prefix}…)"}


@receiver(pre_create_historical_record)
def _record_api_key(sender, history_instance, **kwargs):
    """The audit trail names the API key behind a change made over the API."""
    if hasattr(history_instance, "history_api_key"):
        for name, value in audit_origin().items():
            setattr(history_instance, name, value)


def record_platform_access(request, caller):
    PlatformAccess.objects.create(user=caller.user, method=request.method, path=request.get_full_path()[:500])


def has_other_agencies(user, *, agency):
    """Whether ``user`` is a member (active or not) of an agency besides ``agency``: then their account is not
    that agency's alone. Unscoped, and answers only yes or no: which agencies is none of ``agency``'s business."""
    with scopes_disabled():
        return Membership.objects.filter(user=user).exclude(agency=agency).exists()


def switch_agency(*, user, agency_id):
    """Make ``agency_id`` the person's active agency; ``None`` is the platform view (superusers only).

    Returns ``False`` (and changes nothing) when the person may not work in that agency.
    """
    if agency_id is None:
        if not user.is_superuser:
            return False
        user.active_agency = None
    else:
        allowed = any(m.agency_id == agency_id for m in memberships_of(user))
        if not allowed and not (user.is_superuser and Agency.objects.filter(pk=agency_id, is_active=True).exists()):
            return False
        user.active_agency_id = agency_id
    user.save(update_fields=["active_agency"])
    return True


def command_agency(slug):
    """The agency a management command works on, by its slug (any agency, active or not); ``None`` if none has
    it. The command then runs inside ``agency_scope(agency)`` (``accounts.platform.commands.AgencyCommand``)."""
    return Agency.objects.filter(slug=slug).first()


class AgencyTask(Task):
    """Base class of every tenant task: called with ``agency_id=...``, the body runs in that agency's scope.

    A task for an agency that no longer exists or is inactive does nothing and returns ``None``.
    """

    abstract = True

    def __call__(self, *args, **kwargs):
        agency_id = kwargs.get("agency_id")
        if agency_id is None:
            raise TypeError(f"{self.name} must be called with agency_id=...")
        agency = Agency.objects.filter(pk=agency_id, is_active=True).first()
        if agency is None:
            return None
        with agency_scope(agency):
            return super().__call__(*args, **kwargs)
