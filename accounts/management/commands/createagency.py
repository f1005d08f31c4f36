from django.utils.translation import gettext as _

from accounts import services
from accounts.platform.commands import ServiceCommand


class Command(ServiceCommand):
    help = "Create an agency (a tenant)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", default="Asia/Shanghai")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, slug, name, timezone, language, **options):
        agency = services.agency_create(slug=slug, name=name, time_zone=timezone, default_language=language)
        self.stdout.write(self.style.SUCCESS(_("Created agency %(slug)s (%(name)s).")
                                             % {"slug": agency.slug, "name": agency.name}))
