import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import extensions, services
from accounts.demo import DEMO_PEOPLE
from accounts.models import Agency
from accounts.tenancy import agency_scope

DEMO_SLUG = "demo"


class Command(BaseCommand):
    help = ("Load the demo agency (one person per role, clients, about 30 stores, and every app's demo data) "
            "once, and print the logins. Running it again only prints them.")

    def add_arguments(self, parser):
        parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "demo-pass-2026"),
                            help="Password of the demo users (default: $DEMO_PASSWORD or demo-pass-2026).")

    def handle(self, *args, password, **options):
        if not settings.DEMO_DATA_ALLOWED:
            # Demo people share a password that is printed and documented: they must never exist where it matters.
            raise CommandError(_("loaddemo refuses to run with the settings %(module)s (DEMO_DATA_ALLOWED is off): "
                                 "demo people with a known password must never exist in production. Nothing "
                                 "was loaded.") % {"module": settings.SETTINGS_MODULE})
        if Agency.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write(_("The demo agency exists already; nothing loaded."))
            # The key was printed once, when the agency was loaded: say how to get another one.
            self.stdout.write(_("A new API key for the ERP: python manage.py createapikey --agency %(slug)s "
                                "--name ERP") % {"slug": DEMO_SLUG})
        else:
            self._load(password)
        self.stdout.write(_("Demo agency slug (the --agency of the management commands): %(slug)s")
                          % {"slug": DEMO_SLUG})
        self._print_logins(password)

    @transaction.atomic
    def _load(self, password):
        agency = services.agency_create(slug=DEMO_SLUG, name="Demo Agency 示例代运营")
        with agency_scope(agency):
            people = {}
            for email, role, full_name in DEMO_PEOPLE:
                user = services.member_add(agency=agency, email=email, role=role, full_name=full_name)[0].user
                # The demo password is the same for everyone and may be short: it is set, not validated.
                user.set_password(password)
                user.save(update_fields=["password", "must_change_password"])
                people.setdefault(role, []).append(user)
            # Every app's demo data, the accounts app's first (accounts.extensions.demo_data).
            for load in extensions.demo_data.contributions():
                load(agency=agency, people=people)
            _key, raw = services.api_key_create(agency=agency, name="Demo ERP", access="read_write")
        self.stdout.write(self.style.SUCCESS(_("Loaded the demo agency “%(name)s”.") % {"name": agency.name}))
        self.stdout.write(_("Demo ERP API key (shown once): %(key)s") % {"key": raw})

    def _print_logins(self, password):
        self.stdout.write(_("Demo logins (password: %(password)s):") % {"password": password})
        for email, role, _name in DEMO_PEOPLE:
            self.stdout.write(f"  {role:<9} {email}")
