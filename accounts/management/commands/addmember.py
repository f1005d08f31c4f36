import sys

from django.utils.translation import gettext as _

from accounts import services
from accounts.platform.commands import AgencyCommand
from accounts.roles import Role


class Command(AgencyCommand):
    help = ("Add a person to an agency with a role, creating their user if needed. A new user gets a one-time "
            "password printed here, which they must change at their first sign-in, unless a password is piped in "
            "on standard input (it must pass the password rules). A member keeps their role unless --change-role "
            "is given; an agency always keeps an owner.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--name", default="", help="The person's full name.")
        parser.add_argument("--change-role", action="store_true",
                            help="Change the role of someone who is a member already.")

    def handle_agency(self, agency, *args, email, role, name, change_role, **options):
        password = None
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\r\n") or None
        membership, new_password = services.member_add(
            agency=agency, email=email, role=role, password=password, full_name=name, change_role=change_role,
        )
        self.stdout.write(self.style.SUCCESS(
            _("%(email)s is now %(role)s of %(agency)s.")
            % {"email": membership.user.email, "role": membership.get_role_display(), "agency": agency.name}
        ))
        if new_password and not password:
            self.stdout.write(_("One-time password (shown once; it must be changed at the first sign-in): "
                                "%(password)s") % {"password": new_password})
        if password and not new_password:
            self.stderr.write(_("%(email)s had an account already and keeps their password: the password given "
                                "was not used.") % {"email": membership.user.email})
