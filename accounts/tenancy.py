"""The one place that knows how a request, a task or a command gets its agency.

Every tenant-owned model's default manager is a django-scopes ``ScopedManager(agency="agency")``: with no
scope active, a query raises. This module activates the scope:

* for a web or API request (``tenant_for_request`` + ``AgencyScopeMiddleware``): from the API key in the
  ``Authorization: Api-Key <key>`` header, else from the signed-in person's active agency;
* for a Celery task (``AgencyTask``): tasks take ``agency_id`` and run inside that agency's scope;
* for a management command (``command_scope``).

Unscoped access happens only here, and only where it is reviewed: looking up an API key before its agency
is known, a person's memberships across agencies (the switcher), and platform-wide fan-out jobs
(``all_agencies``). Platform superusers looking across agencies are recorded (``PlatformAccess``).
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from celery import Task
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from .roles import Role, can_administer_agency, can_manage_portfolio, can_write, sees_all_stores

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


@dataclass
class Tenant:
    """Who is asking, in which agency, with which powers."""

    agency: object = None
    user: object = None
    role: str | None = None
    api_key: object = None
    api_key_error: str | None = None
    is_platform: bool = False
    memberships: list = field(default_factory=list)

    @property
    def role_label(self):
        return Role(self.role).label if self.role in Role.values else ""

    @property
    def agency_id(self):
        return self.agency.pk if self.agency is not None else None

    @property
    def is_member(self):
        return self.agency is not None and (self.role is not None or self.api_key is not None)

    @property
    def can_write(self):
        if self.api_key is not None:
            return self.api_key.can_write
        return self.role is not None and can_write(self.role)

    @property
    def can_manage_portfolio(self):
        if self.api_key is not None:
            return self.api_key.can_write
        return self.role is not None and can_manage_portfolio(self.role)

    @property
    def can_administer_agency(self):
        return self.api_key is None and self.role is not None and can_administer_agency(self.role)

    @property
    def operator(self):
        """The person whose assigned stores bound what this tenant sees; ``None`` when they see all stores."""
        if self.api_key is None and self.role is not None and not sees_all_stores(self.role):
            return self.user
        return None

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


def request_tenant(request):
    """The tenant the middleware resolved for a Django or DRF request; ``None`` outside a request."""
    request = getattr(request, "_request", request)  # a DRF request wraps Django's
    return getattr(request, "tenant", None)


def parse_api_key_header(header):
    """The raw key from ``Api-Key <key>``; ``None`` when the header uses another scheme or is absent."""
    if not header:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != API_KEY_SCHEME:
        return None
    return credentials.strip()


def api_key_from_raw(raw):
    """The usable key for ``<prefix>.<secret>``, or ``None``. Unscoped: the key is what names the agency."""
    from .models import ApiKey

    prefix, dot, secret = (raw or "").partition(".")
    if not dot or not prefix or not secret or len(prefix) > 12:
        return None
    with scopes_disabled():
        key = ApiKey.objects.select_related("agency").filter(prefix=prefix).first()
    if key is None or key.is_revoked or not key.agency.is_active or not key.matches(secret):
        return None
    return key


def _touch_api_key(key):
    from .models import ApiKey

    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        # A conditional update: concurrent requests write it once, and it is not an audited change.
        with scopes_disabled():
            ApiKey.objects.filter(pk=key.pk, last_used_at=key.last_used_at).update(last_used_at=now)
        key.last_used_at = now


def memberships_of(user):
    """Every active agency membership of a person, across agencies (for the switcher)."""
    from .models import Membership

    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, agency__is_active=True)
            .select_related("agency")
            .order_by("agency__name")
        )


def tenant_for_request(request):
    """Resolve the tenant of a request: API key first, then the signed-in person's active agency."""
    from .models import Agency

    raw = parse_api_key_header(request.META.get("HTTP_AUTHORIZATION", ""))
    if raw is not None:
        key = api_key_from_raw(raw)
        if key is None:
            return Tenant(api_key_error="invalid")
        _touch_api_key(key)
        return Tenant(agency=key.agency, api_key=key)

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return Tenant()

    memberships = memberships_of(user)
    if user.is_superuser:
        agency = None
        if user.active_agency_id:
            agency = Agency.objects.filter(pk=user.active_agency_id, is_active=True).first()
        own = next((m for m in memberships if agency is not None and m.agency_id == agency.pk), None)
        if own is not None:
            return Tenant(agency=agency, user=user, role=own.role, memberships=memberships)
        # Acting in an agency they do not belong to, or across all of them: platform access, recorded.
        return Tenant(agency=agency, user=user, role=Role.OWNER if agency else None, is_platform=True,
                      memberships=memberships)

    if not memberships:
        return Tenant(user=user)
    chosen = next((m for m in memberships if m.agency_id == user.active_agency_id), memberships[0])
    return Tenant(agency=chosen.agency, user=user, role=chosen.role, memberships=memberships)


def record_platform_access(request, tenant):
    from .models import PlatformAccess

    PlatformAccess.objects.create(user=tenant.user, method=request.method, path=request.get_full_path()[:500])


def switch_agency(*, user, agency_id):
    """Make ``agency_id`` the person's active agency; ``None`` is the platform view (superusers only).

    Returns ``False`` (and changes nothing) when the person may not work in that agency.
    """
    from .models import Agency

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


@contextmanager
def command_scope(slug):
    """Scope for a management command working on one agency, given by slug. Raises ``Agency.DoesNotExist``."""
    from .models import Agency

    agency = Agency.objects.get(slug=slug)
    with agency_scope(agency):
        yield agency


class AgencyTask(Task):
    """Base class of every tenant task: called with ``agency_id=...``, the body runs in that agency's scope.

    A task for an agency that no longer exists or is inactive does nothing and returns ``None``.
    """

    abstract = True

    def __call__(self, *args, **kwargs):
        from .models import Agency

        agency_id = kwargs.get("agency_id")
        if agency_id is None:
            raise TypeError(f"{self.name} must be called with agency_id=...")
        agency = Agency.objects.filter(pk=agency_id, is_active=True).first()
        if agency is None:
            return None
        with agency_scope(agency):
            return super().__call__(*args, **kwargs)
