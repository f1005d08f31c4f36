"""Import and export on an agency's admin lists (django-import-export under the admin's theme).

``AgencyImportExportMixin`` goes before ``TenantAdmin`` in a ModelAdmin's bases, with ``resource_classes`` (each an
``accounts.platform.resources.AgencyResource``). It adds "Import" and "Export" to the list:

* **Who.** Importing writes, so it is for those with ``import_power`` (``Power.MANAGE``: owners and managers);
  anyone else gets 403, like any admin page their role may not open. Exporting reads, so it is for anyone who sees
  the list (viewers too), and exports exactly what the list shows them: operators their own stores, filters and
  search applied. Both need an agency: the platform's all-agencies view exports nothing.
* **Preview, then confirm.** An uploaded file is validated in full and shown: each row new, changed or unchanged,
  or refused with its errors, before anything is written. Only a file without refused rows can be confirmed; the
  confirmation imports it in one transaction, and if any row has become invalid meanwhile (someone added that
  store), nothing is written and the rows are shown again.
* **The file between the two steps** waits in the product's private storage (``PreviewFileStorage``: shared by
  every web process, local or S3) under a random name that the confirmation form carries signed, bound to the agency
  and the person who uploaded it: nobody else can confirm it, nor point the form at another file. It is removed once
  imported, at once when the preview cannot be confirmed, and after ``PREVIEW_LIFETIME`` when nobody confirms it.
* **Formats** CSV and XLSX only, at most ``IMPORT_MAX_ROWS`` rows (``accounts.platform.spreadsheets``); the body's
  size is bounded by ``DATA_UPLOAD_MAX_MEMORY_SIZE`` before any of this runs.
* The audit trail (simple-history) records every row written, with the person; Django's admin log is not written
  twice for it.
"""

import os
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core import signing
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm
from import_export.tmp_storages import MediaStorage
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from ..roles import Power
from ..tenancy import caller_of
from . import spreadsheets

#: How long an uploaded file waits for its confirmation.
PREVIEW_LIFETIME = timedelta(days=1)
PREVIEW_FOLDER = "import-previews"
PREVIEW_SIGNING_SALT = "accounts.platform.admin_imports.preview"


class PreviewFileStorage(MediaStorage):
    """Uploaded files between the preview and the confirmation, in the default (private) storage. Saving one
    removes the files older than ``PREVIEW_LIFETIME``: previews that nobody confirmed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("MEDIA_FOLDER", PREVIEW_FOLDER)
        super().__init__(**kwargs)

    def save(self, data):
        super().save(data)
        self.remove_stale()

    def remove(self):
        try:
            super().remove()
        except FileNotFoundError:
            pass

    def remove_stale(self):
        try:
            _folders, names = self._storage.listdir(self.MEDIA_FOLDER)
        except FileNotFoundError:
            return
        cutoff = timezone.now() - PREVIEW_LIFETIME
        for name in names:
            path = os.path.join(self.MEDIA_FOLDER, name)
            try:
                if self._storage.get_modified_time(path) < cutoff:
                    self._storage.delete(path)
            except (FileNotFoundError, NotImplementedError):
                continue


def preview_holder(request):
    """Who may confirm a preview made for ``request``: its agency and its person."""
    caller = caller_of(request)
    return [caller.agency.pk if caller.agency else None, caller.user.pk if caller.user else None]


class PreviewConfirmForm(ConfirmImportForm):
    """The confirmation of a preview. Its ``import_file_name`` is signed with the file's format and resource and
    bound to whoever made the preview (``holder``); the format and resource fields are taken from it too."""

    expired = _("This preview has expired or was made by someone else: upload the file again.")

    def __init__(self, *args, holder=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.holder = holder

    @staticmethod
    def sign(*, file_name, file_format, resource, holder):
        return signing.dumps([file_name, file_format, resource, *holder], salt=PREVIEW_SIGNING_SALT)

    def clean_import_file_name(self):
        try:
            file_name, file_format, resource, *holder = signing.loads(
                self.cleaned_data["import_file_name"], salt=PREVIEW_SIGNING_SALT,
                max_age=PREVIEW_LIFETIME.total_seconds())
        except (signing.BadSignature, ValueError, TypeError):
            raise forms.ValidationError(self.expired) from None
        if holder != list(self.holder or []):
            raise forms.ValidationError(self.expired)
        self.signed = {"format": file_format, "resource": resource}
        return os.path.basename(file_name)

    def clean(self):
        cleaned = super().clean()
        cleaned.update(getattr(self, "signed", {}))
        return cleaned


class AgencyImportExportMixin(ImportExportMixin):
    """Import and export for a ``TenantAdmin`` (see the module's docstring)."""

    #: The power that allows importing (``accounts.roles.Power``).
    import_power = Power.MANAGE
    formats = spreadsheets.FORMATS
    import_form_class = ImportForm
    export_form_class = ExportForm
    confirm_form_class = PreviewConfirmForm
    tmp_storage_class = PreviewFileStorage
    # Each written row is in the audit trail already.
    skip_admin_log = True
    # With Excel's byte-order mark, so that Excel reads the UTF-8 (Chinese names) right.
    to_encoding = "utf-8-sig"

    # -- who ---------------------------------------------------------------------------------------------------
    def has_import_permission(self, request):
        return caller_of(request).can(self.import_power)

    def has_export_permission(self, request):
        return caller_of(request).agency is not None and self.has_view_permission(request)

    # -- resources ---------------------------------------------------------------------------------------------
    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"agency": caller_of(request).agency}

    def init_request_context_data(self, request, form):
        # The export page lists the columns of the file (django-import-export lists those an import reads).
        context = super().init_request_context_data(request, form)
        kwargs = self.get_export_resource_kwargs(request)
        context["fields_list"] = [(resource.get_display_name(), resource(**kwargs).get_export_headers())
                                  for resource in self.get_export_resource_classes(request)]
        return context

    def get_valid_export_item_pks(self, request):
        return self.get_queryset(request).values_list("pk", flat=True)

    def get_import_data_kwargs(self, **kwargs):
        # One transaction for the whole file, and nothing of it written when any row is refused.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    # -- the preview -------------------------------------------------------------------------------------------
    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if "confirm_form" in context:
            totals = context["result"].totals
            messages.info(request, gettext(
                "Nothing is written yet. This file has %(new)s new and %(changed)s changed %(model)s (shown below) and "
                "%(unchanged)s unchanged; confirm to import them.") % {
                "model": self.model._meta.verbose_name_plural, "new": totals["new"], "changed": totals["update"],
                "unchanged": totals["skip"]})
        else:
            self._remove_preview_file(context.get("form"))
        return response

    def _remove_preview_file(self, form):
        upload = (getattr(form, "cleaned_data", None) or {}).get("import_file")
        name = getattr(upload, "tmp_storage_name", None)
        if name:
            self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs()).remove()

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, spreadsheets.TooManyRows):
            form.add_error("import_file", e.messages)
            return
        formats = self.get_import_formats()
        title = formats[int(form.cleaned_data["format"])]().get_title().upper()
        form.add_error("import_file", gettext(
            "The file cannot be read as %(format)s: check that it is a %(format)s file and that its first row "
            "names the columns.") % {"format": title})

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["import_file_name"] = PreviewConfirmForm.sign(
                file_name=initial["import_file_name"], file_format=initial["format"],
                resource=initial.get("resource", ""), holder=preview_holder(request))
        return initial

    def get_confirm_form_kwargs(self, request, import_form=None):
        return {**super().get_confirm_form_kwargs(request, import_form), "holder": preview_holder(request)}

    # -- the confirmation --------------------------------------------------------------------------------------
    def process_import(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            if not self.create_confirm_form(request).is_valid():
                # Another person's or agency's preview, an expired one, or a form not made by a preview: the
                # import page again, rather than a confirmation that cannot be confirmed.
                messages.error(request, PreviewConfirmForm.expired)
                return self._import_page(request)
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            # Confirmed twice (the first confirmation imported it and removed the file), or removed as stale.
            messages.error(request, gettext("This preview has been imported already or has expired: check the list, "
                                            "and upload the file again if its rows are not there."))
            return self._import_page(request)

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(request, gettext("Nothing was imported: rows of the file are no longer valid (see "
                                            "below). Correct the file and upload it again."))
            return self._import_page(request, result)
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(request, gettext(
            "%(model)s imported: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.") % {
            "model": capfirst(self.model._meta.verbose_name_plural), "new": totals["new"], "changed": totals["update"],
            "unchanged": totals["skip"]})

    def _import_page(self, request, result=None):
        """The import page with an empty form, and ``result`` (rows refused at the confirmation) below it."""
        form = self.get_import_form_class(request)(self.get_import_formats(), self.get_import_resource_classes(request))
        resource_kwargs = self.get_import_resource_kwargs(request)
        context = {
            **self.get_import_context_data(),
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "fields_list": [(resource.get_display_name(),
                             [field.column_name for field in resource(**resource_kwargs).get_user_visible_fields()])
                            for resource in self.get_import_resource_classes(request)],
            "import_error_display": self.import_error_display,
        }
        if result is not None:
            context["result"] = result
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)
