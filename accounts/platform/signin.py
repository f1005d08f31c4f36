"""Who may try to sign in: the lockout's rules, on top of django-axes (``AXES_*`` in ``config/settings/base.py``).

* The login counts in one spelling (``normalised_login``): stripped and lower-cased, the way emails are stored
  and looked up, so failures as ``viewer@…`` also lock ``Viewer@…`` and `` VIEWER@… ``.
* The address is the client's, read through the trusted proxies only (``accounts.platform.client_address``):
  behind a proxy every client is not the proxy, and what a client writes in ``X-Forwarded-For`` is not believed.
* Failures count per login and address together (``AXES_FAILURE_LIMIT``): someone elsewhere cannot lock a
  person out by guessing at their password.
* And per address alone, with a higher limit (``SIGNIN_ADDRESS_FAILURE_LIMIT``): an address that tries a few
  passwords on many logins (password spraying) is locked for every login until the cool-off has passed; other
  addresses sign in as usual.
"""

import logging

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from axes.utils import reset as reset_attempts
from django.db.models import Sum

from ..models import normalise_email

logger = logging.getLogger(__name__)


#: The longest login the lockout keeps (django-axes stores it in 255 characters; an email has at most 254).
MAX_LOGIN_LENGTH = 254


def normalise_login(login):
    """A login as the lockout counts it: the email as sign-in looks it up (stripped, lower-cased), cut to what
    an email can be (``None`` stays ``None``)."""
    return None if login is None else normalise_email(login)[:MAX_LOGIN_LENGTH]


def normalised_login(request, credentials=None):
    """``AXES_USERNAME_CALLABLE``: the login of a sign-in attempt, from its credentials or else its form."""
    if credentials:
        login = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        login = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_login(login)


def unlock_login(login):
    """Forget the failed sign-ins recorded for ``login`` (however spelled) from every address, so that its lockout
    lifts at once. An address locked for trying many logins (``SIGNIN_ADDRESS_FAILURE_LIMIT``) stays locked: that
    lock is about the address, not this person. Returns how many records were forgotten."""
    login = normalise_login(login)
    if not login:
        return 0  # axes reads an empty login as every login
    return reset_attempts(username=login)


class SigninLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a lockout of the address alone at ``SIGNIN_ADDRESS_FAILURE_LIMIT``.

    Why a handler and not a second entry in ``AXES_LOCKOUT_PARAMETERS``: axes applies one failure limit to every
    parameter set, so an ``ip_address`` entry would lock a whole office behind one address after five typos
    among colleagues. Why not an own counter in the cache: it would put Redis in the way of signing in and drift
    from axes' records (cool-off, reset on success, ``axes_reset``, the "access attempts" page). The address's
    failures are already in axes' rows (one per login, address and browser); they are summed over the cool-off,
    one query on an indexed column.
    """

    def address_failures(self, request):
        """Failed sign-ins from the request's address, over every login, within the cool-off."""
        address = request.axes_ip_address
        if not address:
            return 0  # an unknown address is nobody's: unknowns are not pooled into one lock
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def is_address_locked(self, request):
        return (settings.AXES_LOCK_OUT_AT_FAILURE
                and self.address_failures(request) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT)

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or self.is_address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        """Record the failure as axes does; the failure that reaches the address's limit is answered as a
        lockout too (like the one that reaches the login's)."""
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if self.is_address_locked(request):
            logger.warning("Sign-in locked for an address after %s failed sign-ins over several logins.",
                           settings.SIGNIN_ADDRESS_FAILURE_LIMIT)
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send("axes", request=request, username=get_client_username(request, credentials),
                                 ip_address=request.axes_ip_address)
