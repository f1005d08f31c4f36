from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts import services
from accounts.models import Agency, ApiKeyAccess
from accounts.tenancy import command_scope

from .createagency import _format_errors


class Command(BaseCommand):
    help = "Issue an API key for an agency. The key is printed once and cannot be shown again."

    def add_arguments(self, parser):
        parser.add_argument("agency_slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--read-only", action="store_true", help="The key may read but not write.")

    def handle(self, *args, agency_slug, name, read_only, **options):
        access = ApiKeyAccess.READ if read_only else ApiKeyAccess.READ_WRITE
        try:
            with command_scope(agency_slug) as agency:
                api_key, raw = services.api_key_create(agency=agency, name=name, access=access)
        except Agency.DoesNotExist:
            raise CommandError(_("No agency with slug “%(slug)s”.") % {"slug": agency_slug}) from None
        except ValidationError as error:
            raise CommandError(_format_errors(error)) from None
        self.stderr.write(_("API key “%(name)s” (%(access)s) for %(agency)s. Copy it now, it is shown once:")
                          % {"name": api_key.name, "access": api_key.get_access_display(), "agency": agency.name})
        self.stdout.write(raw)
