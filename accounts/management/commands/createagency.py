from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts import services


class Command(BaseCommand):
    help = "Create an agency (a tenant)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", default="Asia/Shanghai")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, slug, name, timezone, language, **options):
        try:
            agency = services.agency_create(slug=slug, name=name, time_zone=timezone, default_language=language)
        except ValidationError as error:
            raise CommandError(_format_errors(error)) from None
        self.stdout.write(self.style.SUCCESS(_("Created agency %(slug)s (%(name)s).")
                                             % {"slug": agency.slug, "name": agency.name}))


def _format_errors(error):
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)
