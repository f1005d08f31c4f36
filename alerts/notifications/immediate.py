"""The immediate email: new red alerts, in ONE email per recipient and run, never one per alert (sent by
``notices``). Recipients are the people whose immediate emails are on and about the alert's store
(``subscriptions``): the store's operators, the managers. Muted alerts email nobody; an alert resolved before its
email went out is left out of it.
"""

from django.utils.translation import gettext as _

from ..models import Alert
from . import content


def still_told(alerts):
    """Those of ``alerts`` an immediate email still tells about: red, unmuted, open."""
    return [alert for alert in alerts if alert.severity == Alert.Severity.RED and not alert.muted and alert.is_open]


def new_alerts_email(*, agency, alerts):
    """The ``Email`` of ``alerts`` (red, new) to one recipient."""
    subject = _("New red alerts (%(count)s): %(stores)s") % {"count": len(alerts),
                                                               "stores": content.store_names(alerts)}
    return content.email_from_templates("immediate", subject=subject, agency=agency,
                                        alerts=content.listing(alerts))
