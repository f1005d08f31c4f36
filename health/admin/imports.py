"""Metrics imports in the admin: upload a CSV of daily metrics, preview what it changes, confirm; a file too big for
one request becomes a ``MetricsImport`` that a task loads while its page shows the progress.

* **Who.** Owners, managers and operators (``Power.WORK_ON_STORES``); operators load their own stores only and see
  their own uploads (``health.imports`` refuses the lines of other stores). Viewers: no page of it at all.
* **Pages.** The list (``/admin/health/metricsimport/``) is every import of the agency; "add" is the upload page;
  an import's page (``<id>/change/``) shows its progress, counts and bad lines, and polls ``<id>/status/`` while
  the task runs. ``confirm/`` loads a previewed file; ``template/`` is the empty CSV with every column.
* **Files** stay in the private storage: no page serves them back, and an import is never changed or deleted here
  (it is the record of what was loaded).
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display
from unfold.widgets import UnfoldAdminFileFieldWidget

from accounts.platform.admin_imports import preview_holder
from accounts.platform.admin_site import TenantAdmin, site
from accounts.roles import Power
from accounts.tenancy import caller_of

from .. import imports, metrics
from ..ingestion import BatchRejected
from ..models import MetricsImport

#: Who may upload metrics (operators: for their own stores).
IMPORT_METRICS = Power.WORK_ON_STORES
#: How often an import's page asks for its progress (milliseconds).
POLL_INTERVAL_MS = 2000
STATUS_TONES = {
    MetricsImport.Status.QUEUED: "info",
    MetricsImport.Status.RUNNING: "warning",
    MetricsImport.Status.DONE: "success",
    MetricsImport.Status.FAILED: "danger",
}


class MetricsFileForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), widget=UnfoldAdminFileFieldWidget(attrs={"accept": ".csv,text/csv"}),
                           help_text=_("UTF-8 text (with or without the byte-order mark), the "
                                                           "first line naming the columns."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(gettext("%(name)s is not a CSV file (its name must end in .csv).")
                                        % {"name": upload.name})
        return upload


def _examples(key):
    known = {"account_status": metrics.ACCOUNT_STATUSES, "ahr_status": metrics.AHR_STATUSES}.get(key)
    return f" ({', '.join(known)})" if known else ""


def column_help():
    """``[(column, what it holds)]`` for the upload page."""
    kinds = {
        metrics.Kind.RATE: _("a fraction from 0 to 1, as in Amazon's report (0.009 is 0.9%)"),
        metrics.Kind.COUNT: _("a whole number, 0 or more"),
        metrics.Kind.SCORE: _("a whole number from 0 to 1000"),
        metrics.Kind.STATUS: _("text, as Amazon sends it"),
        metrics.Kind.WARNINGS: _("JSON: a list of {\"type\": …, \"status\": \"GOOD\", \"BAD\" or \"NONE\"}"),
    }
    return [
        ("store", _("the store's id; or leave it empty and give seller_id and marketplace")),
        ("seller_id", _("the store's Amazon seller id (with marketplace)")),
        ("marketplace", _("the marketplace's code (US, DE…) or Amazon marketplace id")),
        ("date", _("the day of the values, YYYY-MM-DD (the marketplace's day, not after today)")),
        *[(metric.key, f"{metric.label}: {kinds[metric.kind]}{_examples(metric.key)}")
          for metric in metrics.all_metrics()],
    ]


@admin.register(MetricsImport, site=site)
class MetricsImportAdmin(TenantAdmin):
    write_power = IMPORT_METRICS
    list_display = ("original_name", "uploaded_by", "created_at", "status_label", "progress", "created", "updated",
                    "unchanged")
    list_filter = ("status",)
    list_select_related = ("uploaded_by",)
    search_fields = ("original_name",)

    # -- who -----------------------------------------------------------------------------------------------------
    def has_module_permission(self, request):
        caller = caller_of(request)
        return caller.can(IMPORT_METRICS) or (caller.is_platform and caller.agency is None)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False  # an import is the record of what was loaded

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        caller = caller_of(request)
        if not caller.sees_all_stores:
            queryset = queryset.filter(uploaded_by=caller.user) if caller.user else queryset.none()
        return queryset

    # -- the list ------------------------------------------------------------------------------------------------
    @display(description=_("status"), ordering="status", label=STATUS_TONES)
    def status_label(self, obj):
        return obj.status, obj.get_status_display()

    @admin.display(description=_("rows read"))
    def progress(self, obj):
        if obj.rows_total is None:
            return "—" if obj.status == MetricsImport.Status.QUEUED else imports.rows_done(obj)
        return f"{imports.rows_done(obj)} / {obj.rows_total}"

    # -- routes --------------------------------------------------------------------------------------------------
    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"

        own = [
            path("confirm/", self.admin_route(self.confirm_view), name=f"{prefix}_confirm"),
            path("template/", self.admin_route(self.template_view), name=f"{prefix}_template"),
            path("<path:object_id>/status/", self.admin_route(self.status_view), name=f"{prefix}_status"),
        ]
        return own + super().get_urls()

    def _url(self, view, *args):
        return reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}", args=args)

    def _context(self, request, **extra):
        request.current_app = self.admin_site.name
        return {**self.admin_site.each_context(request), "opts": self.opts, "has_view_permission": True, **extra}

    # -- the upload page and its preview ---------------------------------------------------------------------------
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = MetricsFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.HEALTH_IMPORT_INLINE_MAX_BYTES:
                return self._queue(request, upload)
            return self._preview(request, form, upload)
        return self._upload_page(request, form)

    def _upload_page(self, request, form, errors=None):
        context = self._context(
            request, title=_("Import metrics"), form=form, columns=column_help(), errors=errors or [],
            inline_max_bytes=settings.HEALTH_IMPORT_INLINE_MAX_BYTES, template_url=self._url("template"),
            upload_max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
            media=self.media + form.media)
        return TemplateResponse(request, "health/import_upload.html", context, status=400 if errors else 200)

    def _preview(self, request, form, upload):
        caller = caller_of(request)
        name = imports.preview_save(upload)
        try:
            result = imports.metrics_file_load(agency=caller.agency, caller=caller, name=name, dry_run=True)
        except BatchRejected as rejected:
            imports.preview_remove(name)
            return self._upload_page(request, MetricsFileForm(), errors=imports.errors_as_rows(rejected))
        token = imports.preview_sign(name=name, original_name=upload.name, holder=preview_holder(request))
        context = self._context(
            request, title=_("Preview of %(name)s") % {"name": upload.name}, original_name=upload.name,
            result=result, sample=imports.sample_lines(name), token=token, confirm_url=self._url("confirm"),
            cancel_url=self._url("add"))
        return TemplateResponse(request, "health/import_preview.html", context)

    def confirm_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        caller = caller_of(request)
        try:
            preview = imports.preview_of(request.POST.get("token"), holder=preview_holder(request))
        except imports.PreviewExpired:
            messages.error(request, gettext("This preview has expired, was confirmed already or was made by someone "
                                            "else: check the list, and upload the file again if it is not there."))
            return HttpResponseRedirect(self._url("add"))
        try:
            record = imports.preview_confirm(agency=caller.agency, caller=caller, preview=preview)
        except BatchRejected as rejected:
            imports.preview_remove(preview.name)
            messages.error(request, gettext("Nothing was loaded: lines of the file are no longer valid (see below). "
                                            "Correct the file and upload it again."))
            return self._upload_page(request, MetricsFileForm(), errors=imports.errors_as_rows(rejected))
        messages.success(request, gettext("%(name)s loaded: %(created)s new, %(updated)s changed, %(unchanged)s "
                                          "unchanged.") % {"name": record.original_name, "created": record.created,
                                                           "updated": record.updated, "unchanged": record.unchanged})
        return HttpResponseRedirect(self._url("change", record.pk))

    def _queue(self, request, upload):
        caller = caller_of(request)
        record = imports.metrics_import_create(agency=caller.agency, user=caller.user, upload=upload)
        imports.queue_metrics_import(agency=caller.agency, metrics_import=record)
        messages.info(request, gettext("%(name)s is too big to load at once: it is being loaded in the background. "
                                       "This page shows how far it got.") % {"name": record.original_name})
        return HttpResponseRedirect(self._url("change", record.pk))

    def template_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        answer = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
        answer["Content-Disposition"] = 'attachment; filename="metrics-template.csv"'
        return answer

    # -- an import's page --------------------------------------------------------------------------------------------
    def _visible(self, request, object_id):
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404
        return record

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self._visible(request, object_id)
        finished = record.status in (MetricsImport.Status.DONE, MetricsImport.Status.FAILED)
        context = self._context(
            request, title=record.original_name, original=record, record=record, finished=finished,
            status=self._status(record), status_url=self._url("status", record.pk),
            poll_interval=POLL_INTERVAL_MS, list_url=self._url("changelist"), upload_url=self._url("add"),
            may_upload=self.has_add_permission(request))
        return TemplateResponse(request, "health/import_detail.html", context)

    def status_view(self, request, object_id):
        record = self._visible(request, object_id)
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return JsonResponse(self._status(record))

    @staticmethod
    def _status(record):
        done = imports.rows_done(record)
        total = record.rows_total
        percent = 100 if record.status == MetricsImport.Status.DONE else (
            min(int(done * 100 / total), 99) if total else 0)
        if total is None:
            text = gettext("Waiting for its turn…")
        else:
            text = gettext("%(done)s of about %(total)s rows read") % {"done": done, "total": total}
        return {"status": record.status, "status_label": str(record.get_status_display()), "rows_done": done,
                "rows_total": total, "percent": percent, "progress_text": text,
                "finished": record.status in (MetricsImport.Status.DONE, MetricsImport.Status.FAILED)}

