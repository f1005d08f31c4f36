"""The invitation email: the link goes to the invited address only, so that only whoever reads that mailbox can
accept (and choose the password of a new account), and the inviting agency never holds it."""

import smtplib

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def send_invitation(*, invitation, link):
    """Send ``link`` to the invitation's address, in the agency's language, as HTML with a plain-text part.

    Raises ``ValidationError`` on the email field when the mail server refuses it, so that nothing is kept of
    an invitation nobody received."""
    with translation.override(invitation.agency.default_language):
        context = {"invitation": invitation, "link": link,
                   "until": date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")}
        subject = _("Invitation to join %(agency)s") % {"agency": invitation.agency.name}
        message = EmailMultiAlternatives(subject, render_to_string("accounts/email/invitation.txt", context),
                                         to=[invitation.email])
        message.attach_alternative(render_to_string("accounts/email/invitation.html", context), "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise ValidationError({"email": [_("The invitation could not be sent to %(email)s (%(reason)s); try "
                                           "again later.") % {"email": invitation.email,
                                                              "reason": type(error).__name__}]}) from None
