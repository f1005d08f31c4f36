import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts import services
from accounts.models import Agency
from accounts.roles import Role
from accounts.tenancy import command_scope

from .createagency import _format_errors


class Command(BaseCommand):
    help = ("Add a person to an agency with a role, creating their user if needed. A new user gets a one-time "
            "password printed here, unless a password is piped in on standard input.")

    def add_arguments(self, parser):
        parser.add_argument("agency_slug")
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--name", default="", help="The person's full name.")

    def handle(self, *args, agency_slug, email, role, name, **options):
        password = None
        if not sys.stdin.isatty():
            password = sys.stdin.readline().strip() or None
        try:
            with command_scope(agency_slug) as agency:
                membership, new_password = services.member_add(
                    agency=agency, email=email, role=role, password=password, full_name=name
                )
        except Agency.DoesNotExist:
            raise CommandError(_("No agency with slug “%(slug)s”.") % {"slug": agency_slug}) from None
        except ValidationError as error:
            raise CommandError(_format_errors(error)) from None
        self.stdout.write(self.style.SUCCESS(
            _("%(email)s is now %(role)s of %(agency)s.")
            % {"email": membership.user.email, "role": membership.get_role_display(), "agency": agency.name}
        ))
        if new_password and not password:
            self.stdout.write(_("One-time password (shown once): %(password)s") % {"password": new_password})
