"""A metrics CSV uploaded in the admin: the template file, the preview between the upload and its confirmation, and
the run of a file too big for one request (a ``MetricsImport`` row and its task, ``import_metrics``).

* **One validation.** Every path goes through ``services.snapshots_import_csv``, streaming the stored file: a
  preview is its dry run, a confirmation or a task its real run, in one transaction, nothing written when any line
  is bad (``BatchRejected``, each ``RowError`` naming the CSV line, the column and the value).
* **Operators** load their own stores only: every run is made for a caller (the person in the request, or the
  one who uploaded the file, with their role when the task runs), and the ingestion answers a line naming a store
  beyond theirs as a store that does not exist.
* **The file between the preview and the confirmation** waits in the private storage (Django's default storage)
  under a random name that the confirmation carries signed, bound to the agency and the person who uploaded it
  (``accounts.platform.admin_imports.preview_holder``): nobody else can confirm it or point the form at another
  file. Previews older than ``PREVIEW_LIFETIME`` are removed when the next one is saved.
* **A task's progress** is reported through the cache, not the row: the import's writes are one transaction that
  other connections cannot see into, and a second connection writing the row would wait on SQLite's one writer.
  ``rows_done`` is written to the row when the run ends.
"""

import csv
import datetime
import io
import os
import time
import uuid
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import Agency, Membership
from accounts.platform.admin_imports import PREVIEW_LIFETIME
from accounts.platform.tasks import enqueue_on_commit
from accounts.tenancy import AgencyTask, Caller

from . import metrics, services
from .ingestion import BatchRejected, RowError, UpsertResult
from .models import MetricsImport, Source

PREVIEW_FOLDER = "health-import-previews"
PREVIEW_SIGNING_SALT = "health.imports.preview"
#: How many lines of the file a preview shows.
SAMPLE_SIZE = 10
#: A running import reports how far it got at most this often (seconds).
PROGRESS_INTERVAL = 1.0
#: How long a running import's progress is kept in the cache (seconds): longer than any task may run.
PROGRESS_LIFETIME = 24 * 60 * 60
#: At most this many bad lines are reported (and kept on the import's row).
MAX_ERRORS = 100

#: The columns of a metrics CSV: the store (by id, or by seller id and marketplace), the date, every metric.
STORE_COLUMNS = ("store", "seller_id", "marketplace")
COLUMNS = (*STORE_COLUMNS, "date", *metrics.KEYS)


class PreviewExpired(Exception):
    """A confirmation whose preview is gone, expired, or was made by someone else."""


def template_csv():
    """The template file: the header row with every column, UTF-8 with the byte-order mark (Excel reads it)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(COLUMNS)
    return "\ufeff" + buffer.getvalue()


def text_stream(binary):
    """A text stream over a stored file's bytes, as the ingestion reads it: UTF-8, with or without the BOM."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


def unreadable_file(problem):
    """The one error of a file that cannot be read as UTF-8 CSV at all (no line of it is to blame)."""
    if isinstance(problem, UnicodeDecodeError):
        message = gettext("The file is not UTF-8 text: save it as “CSV UTF-8” (in Excel: Save As → CSV UTF-8) and "
                          "upload it again.")
    else:
        message = gettext("The file cannot be read as CSV (%(problem)s): check that it is a CSV file.") % {
            "problem": problem}
    return BatchRejected([RowError(index=None, field="file", message=message)])


# -- who loads the file --------------------------------------------------------------------------------------------
def uploader_caller(*, agency, user):
    """The person who uploaded an import, as a caller with their role in ``agency`` today; ``None`` when they are
    no longer an active member of it (their upload is then loaded for nobody)."""
    if user is None:
        return None
    membership = Membership.objects.filter(agency=agency, user=user, is_active=True).first()
    if membership is None:
        return None
    return Caller.person(agency=agency, user=user, role=membership.role)


# -- one run of a stored file ----------------------------------------------------------------------------------------
def metrics_file_load(*, agency, caller, name, dry_run, progress=None):
    """Validate (``dry_run``) or load the stored file ``name`` for ``caller``: its ``UpsertResult``, or
    ``BatchRejected`` with the bad lines, nothing written. A line naming a store beyond the caller's is a bad line
    (the ingestion answers it as a store that does not exist)."""
    try:
        with default_storage.open(name, "rb") as binary:
            return services.snapshots_import_csv(agency=agency, file=text_stream(binary), source=Source.CSV,
                                                 dry_run=dry_run, progress=progress, max_errors=MAX_ERRORS,
                                                 caller=caller)
    except (UnicodeDecodeError, csv.Error) as problem:
        raise unreadable_file(problem) from None


def errors_as_rows(rejected):
    """The bad lines of a ``BatchRejected`` as plain values (what ``MetricsImport.errors`` keeps), by line."""
    rows = [{"line": error.index, "field": error.field, "message": str(error.message)} for error in rejected.errors]
    return sorted(rows, key=lambda row: (row["line"] or 0, row["field"] or ""))


def sample_lines(name, *, size=SAMPLE_SIZE):
    """The first ``size`` lines of the stored file (after the header), each ``(line number, [(column, value)])``
    with the columns that have a value; ``[]`` for a file that is not UTF-8."""
    lines = []
    try:
        with default_storage.open(name, "rb") as binary:
            reader = csv.DictReader(text_stream(binary))
            for row in reader:
                values = [(column, value) for column, value in row.items() if column and value not in ("", None)]
                lines.append((reader.line_num, values))
                if len(lines) >= size:
                    break
    except (UnicodeDecodeError, csv.Error):
        return []
    return lines


# -- the preview between the upload and the confirmation ------------------------------------------------------------
@dataclass(frozen=True)
class StoredPreview:
    name: str
    original_name: str


def preview_save(upload):
    """Keep an uploaded file for its confirmation in the private storage; removes previews nobody confirmed."""
    _remove_stale_previews()
    return default_storage.save(f"{PREVIEW_FOLDER}/{uuid.uuid4().hex}.csv", upload)


def preview_sign(*, name, original_name, holder):
    return signing.dumps([name, original_name, *holder], salt=PREVIEW_SIGNING_SALT)


def preview_of(token, *, holder):
    """The ``StoredPreview`` that ``token`` names, if it is ``holder``'s and still there; else ``PreviewExpired``."""
    try:
        name, original_name, *signed_holder = signing.loads(token or "", salt=PREVIEW_SIGNING_SALT,
                                                            max_age=PREVIEW_LIFETIME.total_seconds())
    except (signing.BadSignature, ValueError, TypeError):
        raise PreviewExpired from None
    if signed_holder != list(holder) or os.path.dirname(name) != PREVIEW_FOLDER or not default_storage.exists(name):
        raise PreviewExpired
    return StoredPreview(name=name, original_name=original_name)


def preview_remove(name):
    try:
        default_storage.delete(name)
    except FileNotFoundError:
        pass


def _remove_stale_previews():
    try:
        _folders, names = default_storage.listdir(PREVIEW_FOLDER)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - PREVIEW_LIFETIME
    for name in names:
        path = f"{PREVIEW_FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


def preview_confirm(*, agency, caller, preview):
    """Load a previewed file for ``caller`` and record it as a done ``MetricsImport`` (the file moves to the
    import's own place); ``BatchRejected`` when a line has become bad meanwhile, nothing written."""
    with transaction.atomic():
        result = metrics_file_load(agency=agency, caller=caller, name=preview.name, dry_run=False)
        record = MetricsImport(agency=agency, original_name=preview.original_name, uploaded_by=caller.user,
                               status=MetricsImport.Status.DONE, finished_at=timezone.now())
        _record_counts(record, result)
        with default_storage.open(preview.name, "rb") as kept:
            record.file.save(os.path.basename(preview.original_name) or "metrics.csv", File(kept), save=False)
        record.save()
    preview_remove(preview.name)
    return record


def _record_counts(record, result: UpsertResult):
    record.created, record.updated, record.unchanged = result.created, result.updated, result.unchanged
    record.rows_done = record.rows_total = result.created + result.updated + result.unchanged


# -- a file too big for one request: a MetricsImport and its task ---------------------------------------------------
def metrics_import_create(*, agency, user, upload):
    """Keep an uploaded file in the private storage as a queued ``MetricsImport`` (its task is queued by the caller
    with ``queue_metrics_import``)."""
    record = MetricsImport(agency=agency, uploaded_by=user, original_name=os.path.basename(upload.name)[:255])
    record.file.save(os.path.basename(upload.name) or "metrics.csv", upload, save=False)
    record.save()
    return record


def progress_key(record_id):
    return f"health:metrics-import:{record_id}:rows-done"


def rows_done(record):
    """How many rows of ``record`` have been read: the row's own count, or a running task's latest report."""
    if record.status == MetricsImport.Status.RUNNING:
        return max(record.rows_done, cache.get(progress_key(record.pk)) or 0)
    return record.rows_done


def _progress_reporter(record_id, clock=time.monotonic):
    last = [None]

    def report(rows_read):
        now = clock()
        if last[0] is None or now - last[0] >= PROGRESS_INTERVAL:
            last[0] = now
            cache.set(progress_key(record_id), rows_read, PROGRESS_LIFETIME)

    return report


def _count_lines(name):
    """The data lines of the stored file (its newlines less the header's), for the progress bar."""
    lines, last = 0, b"\n"
    with default_storage.open(name, "rb") as binary:
        for chunk in iter(lambda: binary.read(1024 * 1024), b""):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(lines + (last != b"\n") - 1, 0)


def metrics_import_run(*, agency, import_id):
    """Run a queued import once: claim it (queued → running, a conditional update, so that a second run of the
    task finds nothing to do), load its file for the person who uploaded it, and store the counts (done) or the
    bad lines (failed, nothing written). Returns whether this run did the work.

    The messages of the bad lines are written in the uploader's language. An error of the product itself (not of
    the file) marks the import failed too, so that it never stays "running", and is raised again.
    """
    now = timezone.now()
    # A run whose worker died (the broker hands the task to another worker, acks_late) left its row "running"
    # and wrote nothing (one transaction): past the hard time limit that run is over, and the row is claimed again.
    abandoned = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimed = MetricsImport.objects.filter(
        Q(status=MetricsImport.Status.QUEUED) | Q(status=MetricsImport.Status.RUNNING, started_at__lt=abandoned),
        agency=agency, pk=import_id,
    ).update(status=MetricsImport.Status.RUNNING, started_at=now)
    if claimed != 1:
        return False
    record = MetricsImport.objects.select_related("uploaded_by").get(agency=agency, pk=import_id)
    language = record.uploaded_by.preferred_language if record.uploaded_by else agency.default_language
    finished = MetricsImport.objects.filter(agency=agency, pk=record.pk)
    with translation.override(language):
        try:
            finished.update(rows_total=_count_lines(record.file.name))
            caller = uploader_caller(agency=agency, user=record.uploaded_by)
            if caller is None:
                raise BatchRejected([RowError(None, "file", gettext(
                    "The person who uploaded this file is no longer a member of the agency: nothing was loaded."))])
            with transaction.atomic():
                result = metrics_file_load(agency=agency, caller=caller, name=record.file.name, dry_run=False,
                                           progress=_progress_reporter(record.pk))
                _record_counts(record, result)
                finished.update(status=MetricsImport.Status.DONE, created=record.created, updated=record.updated,
                                unchanged=record.unchanged, rows_done=record.rows_done, finished_at=timezone.now())
        except BatchRejected as rejected:
            finished.update(status=MetricsImport.Status.FAILED, errors=errors_as_rows(rejected),
                            finished_at=timezone.now())
        except Exception:
            problem = gettext("The import stopped on an error of the product, not of the file: nothing was loaded. "
                              "Upload the file again; if it happens again, tell your administrator.")
            finished.update(status=MetricsImport.Status.FAILED, finished_at=timezone.now(),
                            errors=[{"line": None, "field": "", "message": problem}])
            raise
        finally:
            cache.delete(progress_key(record.pk))
    return True


@shared_task(base=AgencyTask)
def import_metrics(*, agency_id, import_id):
    """Load an uploaded metrics file (``metrics_import_run``); a second run of the same import does nothing.

    It lives here rather than in ``health.tasks`` because it calls ``services``, which imports ``health.tasks`` to
    queue evaluations: the other way round would be an import cycle."""
    agency = Agency.objects.get(pk=agency_id)
    return metrics_import_run(agency=agency, import_id=import_id)


def queue_metrics_import(*, agency, metrics_import):
    """Queue the loading of ``metrics_import`` after the current transaction commits."""
    enqueue_on_commit(import_metrics, agency=agency, import_id=metrics_import.pk)
