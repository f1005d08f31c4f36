import csv
import io
import os

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from accounts.platform.commands import AgencyCommand
from health import services
from health.ingestion import BatchRejected


class Command(AgencyCommand):
    help = ("Import a CSV of daily metrics into an agency's snapshots: columns store (or seller_id and marketplace), "
            "date and any metric keys. The file is streamed and written in one transaction; a bad line writes "
            "nothing and is reported by its line number.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="The CSV file (UTF-8, header on line 1).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Validate and show what would change, writing nothing.")
        parser.add_argument("--no-progress", action="store_true", help="Draw no progress bar.")

    def handle_agency(self, agency, *args, file, dry_run, no_progress, **options):
        try:
            binary = open(file, "rb")  # noqa: SIM115 - closed below, with the text stream over it
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}) from None
        bar = tqdm(total=os.fstat(binary.fileno()).st_size, unit="B", unit_scale=True,
                   # The wrapped stream itself: the wrapper's write() ends each of the bar's redraws with a newline.
                   file=self.stderr._out,
                   disable=no_progress, desc=os.path.basename(file))

        def progress(rows_read):
            bar.update(binary.tell() - bar.n)

        with binary, io.TextIOWrapper(binary, encoding="utf-8-sig", newline="") as text, bar:
            try:
                result = services.snapshots_import_csv(agency=agency, file=text, dry_run=dry_run, progress=progress)
            except BatchRejected as rejected:
                for error in rejected.errors:
                    self.stderr.write(_("line %(line)s, field %(field)s: %(message)s")
                                      % {"line": error.index, "field": error.field, "message": error.message})
                raise CommandError(_("Nothing was imported: %(count)d error(s).")
                                   % {"count": len(rejected.errors)}) from None
            except UnicodeDecodeError:
                raise CommandError(_("%(file)s is not a UTF-8 text file.") % {"file": file}) from None
            except csv.Error as error:
                # A line the CSV reader cannot read at all (a cell over its size limit, a NUL byte).
                raise CommandError(_("%(file)s cannot be read as CSV: %(error)s. Nothing was imported.")
                                   % {"file": file, "error": error}) from None
            bar.update(bar.total - bar.n)
        counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        if dry_run:
            self.stdout.write(_("Dry run, nothing written: %(created)d would be created, %(updated)d updated, "
                                "%(unchanged)d unchanged.") % counts)
        else:
            self.stdout.write(self.style.SUCCESS(_("%(created)d created, %(updated)d updated, %(unchanged)d "
                                                   "unchanged.") % counts))
