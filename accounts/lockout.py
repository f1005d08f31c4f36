"""The page of a sign-in refused by the lockout (``AXES_LOCKOUT_CALLABLE``; the rules are
``accounts.platform.signin``): on the theme of the sign-in page, with the product's name, how long the lock lasts
(``AXES_COOLOFF_HOURS``) in the reader's language, and the ways out (an owner unlocks it; a new password chosen
by email lifts it too)."""

from axes.conf import settings
from axes.helpers import get_cool_off
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timesince

from .platform.admin_site import site


def readable_duration(length):
    """A length of time as a person reads it, in the active language ("1 hour", "1 hour, 30 minutes")."""
    now = timezone.now()
    return timesince(now - length, now)


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    context = {**site.each_context(request), "lasts": readable_duration(cool_off) if cool_off else None}
    return render(request, "accounts/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
