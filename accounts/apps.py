from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Agency and stores")

    def ready(self):
        # Connect the audit trail's receiver that names the API key behind a change, and register the checks.
        from . import checks, tenancy  # noqa: F401
