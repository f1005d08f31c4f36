"""The statuses of a store (its Amazon account's standing, as the agency records it), and what each means for the
people who run it: one registry, read by the model, the admin's labels, the overview and the rules.

* ``StoreStatus``: the values and their labels;
* ``TONES``: the colour of a status wherever a person reads it: green for a working store, amber for a warning,
  red for a store that cannot sell, grey for a closed one;
* ``NEEDING_ATTENTION``: the statuses that need someone today, worst first (a store that cannot sell before one
  that may soon stop); active and closed stores need nobody;
* ``NEEDING_AN_OPERATOR``: the statuses of a store someone must be responsible for: every one but closed (a
  suspended store still needs its appeal).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoreStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    AT_RISK = "at_risk", _("At risk")
    SUSPENDED = "suspended", _("Suspended")
    DEACTIVATED = "deactivated", _("Deactivated")
    CLOSED = "closed", _("Closed")


TONES = {
    StoreStatus.ACTIVE: "success",
    StoreStatus.AT_RISK: "warning",
    StoreStatus.SUSPENDED: "danger",
    StoreStatus.DEACTIVATED: "danger",
    StoreStatus.CLOSED: "",
}

NEEDING_ATTENTION = (StoreStatus.SUSPENDED, StoreStatus.DEACTIVATED, StoreStatus.AT_RISK)

NEEDING_AN_OPERATOR = tuple(status for status in StoreStatus if status != StoreStatus.CLOSED)
