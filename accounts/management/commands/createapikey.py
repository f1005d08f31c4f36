from django.utils.translation import gettext as _

from accounts import services
from accounts.models import ApiKeyAccess
from accounts.platform.commands import AgencyCommand


class Command(AgencyCommand):
    help = "Issue an API key for an agency. The key is printed once and cannot be shown again."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--name", required=True)
        parser.add_argument("--read-only", action="store_true", help="The key may read but not write.")

    def handle_agency(self, agency, *args, name, read_only, **options):
        access = ApiKeyAccess.READ if read_only else ApiKeyAccess.READ_WRITE
        api_key, raw = services.api_key_create(agency=agency, name=name, access=access)
        self.stderr.write(_("API key “%(name)s” (%(access)s) for %(agency)s. Copy it now, it is shown once:")
                          % {"name": api_key.name, "access": api_key.get_access_display(), "agency": agency.name})
        self.stdout.write(raw)
