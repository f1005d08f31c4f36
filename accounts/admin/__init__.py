"""The accounts models in the admin, one module per area; ``platform`` registers the audit trails last."""

from . import agency, keys, people, platform, stores  # noqa: F401  (registration on import)
