"""The resolved notice: alerts that resolved by themselves (the store recovered), in one email per recipient and run
(sent by ``notices``). Only when the agency sends such notices (``AlertPolicy.resolved_notices``), to the people
whose resolved notices are on and about the store (``subscriptions``). Muted alerts email nobody.
"""

from django.utils.translation import gettext as _

from ..models import Alert
from . import content


def still_told(alerts):
    """Those of ``alerts`` a resolved notice still tells about: unmuted, resolved."""
    return [alert for alert in alerts if not alert.muted and alert.status == Alert.Status.RESOLVED]


def resolved_email(*, agency, alerts):
    """The ``Email`` of ``alerts`` (just resolved) to one recipient."""
    subject = _("Resolved (%(count)s): %(stores)s") % {"count": len(alerts), "stores": content.store_names(alerts)}
    return content.email_from_templates("resolved", subject=subject, agency=agency, alerts=content.listing(alerts))
