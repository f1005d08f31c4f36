"""Importing and exporting on an admin list as a person does it: upload a file, read the preview, confirm; export.

Formats are chosen by their place in ``accounts.platform.spreadsheets.FORMATS``: CSV, then XLSX.
"""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

CSV, XLSX = "0", "1"


@pytest.fixture
def private_storage(settings, tmp_path):
    """The product's private storage, where uploaded files wait for their confirmation, in a folder of the test's
    own (``pytestmark = pytest.mark.usefixtures("private_storage")``); returns the folder."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def admin_address(model, view):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


def csv_upload(rows, *, name="rows.csv", encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    for values in rows:
        book.active.append(list(values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_upload(rows, *, name="rows.xlsx"):
    return SimpleUploadedFile(name, xlsx_bytes(rows), content_type="application/octet-stream")


def preview(client, model, upload, *, file_format=CSV):
    """The answer to uploading ``upload`` on ``model``'s import page."""
    return client.post(admin_address(model, "import"), {"resource": "0", "format": file_format,
                                                        "import_file": upload})


def confirmation_of(answer):
    """The fields a preview's confirmation form posts."""
    form = answer.context["confirm_form"]
    return {name: form[name].value() for name in form.fields}


def confirm(client, model, answer):
    return client.post(admin_address(model, "process_import"), confirmation_of(answer))


def import_file(client, model, upload, *, file_format=CSV):
    """Upload, check the preview can be confirmed, confirm; the confirmation's answer."""
    answer = preview(client, model, upload, file_format=file_format)
    assert answer.status_code == 200 and "confirm_form" in answer.context, refusals(answer)
    return confirm(client, model, answer)


def refusals(answer):
    """``{row number: {column and value: [messages]}}`` of a preview's refused rows, plus the file's own errors
    under ``"file"``."""
    context = answer.context
    found = {}
    result = context.get("result") if context else None
    if result is not None:
        found.update({row.number: row.field_specific_errors | ({"": row.non_field_specific_errors}
                                                                 if row.non_field_specific_errors else {})
                      for row in result.invalid_rows})
        errors = [str(error.error) for error in result.base_errors]
        errors += [str(error.error) for _line, row_errors in result.row_errors() for error in row_errors]
        if errors:
            found["errors"] = errors
    form = context.get("form") if context else None
    if form is not None and form.errors:
        found["file"] = form.errors.get("import_file", []) or list(form.errors.values())
    return found


def export(client, model, *, file_format=CSV, query=""):
    return client.post(admin_address(model, "export") + query, {"resource": "0", "format": file_format})


def csv_rows(answer):
    """The rows of an exported CSV file, its header first."""
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def xlsx_rows(content):
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(values) for values in book.active.iter_rows(values_only=True)]
