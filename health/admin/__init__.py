"""The health app's admin: the portfolio dashboard, snapshots, the health policy and metrics imports."""

from . import dashboard, imports, policy, snapshots  # noqa: F401
