"""What the alerts' actions need, as powers of ``accounts.roles`` (one table for the API and the admin). Reading what
one sees needs no power: everyone of the agency reads the alerts of the stores they see (an operator, those of their
own stores)."""

from accounts.roles import Power

#: Acknowledge, resolve, assign and annotate alerts (operators: those of their stores).
WORK_ON_ALERTS = Power.WORK_ON_STORES
#: Mute a rule of a store, set the alert policy.
MANAGE_ALERTS = Power.MANAGE
