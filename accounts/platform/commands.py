"""Bases of the product's management commands: errors a person can act on, and the agency they work on.

``ServiceCommand`` turns a service's ``ValidationError`` into a ``CommandError`` that names each field and its
problem. ``AgencyCommand`` adds ``--agency SLUG``: the agency is looked up (an unknown slug is a clear error,
nothing runs) and ``handle_agency`` runs inside its scope::

    class Command(AgencyCommand):
        help = "Import a CSV of daily metrics."

        def add_arguments(self, parser):
            super().add_arguments(parser)
            parser.add_argument("path")

        def handle_agency(self, agency, *, path, **options):
            result = services.snapshots_import_csv(agency=agency, path=path)
            self.stdout.write(...)
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ..tenancy import agency_scope, command_agency


def format_validation_error(error):
    """``field: message; other_field: message`` for a ``ValidationError`` with fields, else its messages."""
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


class ServiceCommand(BaseCommand):
    """A command that calls services: their ``ValidationError`` becomes a ``CommandError`` naming the fields."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ValidationError as error:
            raise CommandError(format_validation_error(error)) from None


class AgencyCommand(ServiceCommand):
    """A command that works on one agency, given by ``--agency SLUG``; ``handle_agency`` runs in its scope."""

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, metavar="SLUG", help="The agency's slug.")

    def handle(self, *args, agency, **options):
        found = command_agency(agency)
        if found is None:
            raise CommandError(_("No agency with slug “%(slug)s”.") % {"slug": agency})
        with agency_scope(found):
            return self.handle_agency(found, *args, **options)

    def handle_agency(self, agency, *args, **options):
        raise NotImplementedError("an AgencyCommand implements handle_agency(agency, ...)")
