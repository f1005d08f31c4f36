"""The alerts app's admin, one module per page: the alert inbox (``inbox``), the muted rules (``mutes``), the alert
policy (``policy``) and each person's own alert emails (``preferences``)."""

from . import inbox, mutes, policy, preferences  # noqa: F401  (registration on import)
