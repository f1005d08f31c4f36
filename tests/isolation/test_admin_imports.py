"""A list's import and export (django-import-export) reach one agency's rows only, for every list that has them.

The pages come from the URL resolver (``routes.admin_transfer_routes``), so that a list given an import or an export
later is walked too. The file each test imports is the export of agency A's rows that A's owner gets from the same
list: the most a person of agency B could know of A's rows, typed into a file.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled
from import_export.admin import ExportMixin, ImportMixin

from accounts.models import Client, Store
from accounts.platform.admin_site import site
from tests.accounts.transfers import XLSX, csv_rows, export, private_storage, xlsx_rows  # noqa: F401

from .exposure import leaked
from .registry import models_narrowed_for_operators, row_beyond_operator
from .routes import admin_transfer_routes, transfer_view

pytestmark = pytest.mark.usefixtures("private_storage")

ROUTES = admin_transfer_routes()
IMPORTED = sorted({route.model_admin.model for route in ROUTES if transfer_view(route) == "import"},
                  key=lambda model: model._meta.label)
EXPORTED = sorted({route.model_admin.model for route in ROUTES if transfer_view(route) == "export"},
                  key=lambda model: model._meta.label)
READ_ONLY_ROLES = ("operator", "idle_operator", "viewer")
EXPIRED = "This preview has expired or was made by someone else"
#: Valid as a seller id and as a client's name.
NEW_IDENTITY = "A1ADDEDBYA01"


def model_id(model):
    return model._meta.label


def address(model, view):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


def rows_of(model, persona):
    """Every row of ``model`` of the persona's agency, as its fields' values, by id."""
    with scopes_disabled():
        return {row.pk: model_to_dict(row) for row in model._base_manager.filter(agency=persona.agency)}


def exported_by_owner(model, persona, client_as):
    answer = export(client_as(persona.owner), model)
    assert answer.status_code == 200, f"{model_id(model)}: the agency's owner cannot export its list"
    return answer.content


def preview(client, model, content):
    return client.post(address(model, "import"), {
        "resource": "0", "format": "0", "import_file": SimpleUploadedFile("rows.csv", content, "text/csv")})


def confirmation_of(answer):
    form = answer.context["confirm_form"]
    return {name: form[name].value() for name in form.fields}


def csv_lines(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_walker_finds_the_import_and_export_of_every_list_that_has_them():
    """Every registered ModelAdmin with django-import-export's pages has all of them among the resolver's routes,
    and the stores and clients are among them."""
    views = {(route.model_admin.model, transfer_view(route)) for route in ROUTES}
    for model, model_admin in site._registry.items():
        if isinstance(model_admin, ImportMixin):
            assert {(model, "import"), (model, "process_import")} <= views, model_id(model)
        if isinstance(model_admin, ExportMixin):
            assert (model, "export") in views, model_id(model)
    assert {Client, Store} <= set(IMPORTED) and {Client, Store} <= set(EXPORTED)


@pytest.mark.parametrize("model", EXPORTED, ids=model_id)
def test_another_agencys_staff_export_none_of_this_agencys_rows(model, agency_a, agency_b, client_as, staff_of_b,
                                                                strings_of_a):
    """Each member of B, in each format: the export page and the file name nothing of A, and B's owner's file does
    hold B's own rows (so that the absence of A's proves something)."""
    own = csv_lines(exported_by_owner(model, agency_b, client_as))
    assert len(own) > 1, f"{model_id(model)}: B's owner exported no row of B"
    for role, client in staff_of_b:
        where = f"{model_id(model)} exported by agency B's {role}"
        page = client.get(address(model, "export"))
        assert page.status_code == 200 and not leaked(page.content.decode(), strings_of_a), where
        for file_format, read in (("0", csv_rows), (XLSX, lambda answer: xlsx_rows(answer.content))):
            answer = export(client, model, file_format=file_format)
            assert answer.status_code == 200, f"{where}: {answer.status_code}"
            text = "\n".join(",".join(str(cell or "") for cell in row) for row in read(answer))
            assert not leaked(text, strings_of_a), f"{where}: {leaked(text, strings_of_a)}"


@pytest.mark.parametrize("model", IMPORTED, ids=model_id)
def test_a_file_of_this_agencys_rows_imported_by_another_agency_changes_none_of_them(
        model, agency_a, agency_b, client_as, staff_of_b, strings_of_a):
    """A's rows, exported by A's owner, uploaded and (where the preview allows) confirmed by each member of B: B's
    read-only roles are refused (403), and none of A's rows is changed, nor another added to A. The answers name
    nothing of A beyond what the file itself says."""
    content = exported_by_owner(model, agency_a, client_as)
    in_the_file = content.decode("utf-8-sig")
    not_in_the_file = {string for string in strings_of_a if string not in in_the_file}
    before = rows_of(model, agency_a)

    for role, client in staff_of_b:
        where = f"{model_id(model)} imported by agency B's {role}"
        answer = preview(client, model, content)
        if role in READ_ONLY_ROLES:
            assert answer.status_code == 403, f"{where}: {answer.status_code}"
            assert client.post(address(model, "process_import"), {}).status_code == 403, where
            continue
        assert answer.status_code == 200, f"{where}: {answer.status_code}"
        assert not leaked(answer.content.decode(), not_in_the_file), where
        if "confirm_form" in answer.context:
            done = client.post(address(model, "process_import"), confirmation_of(answer))
            assert done.status_code == 302, f"{where}: the confirmation answered {done.status_code}"

    assert rows_of(model, agency_a) == before, f"agency B's import changed agency A's {model_id(model)}"


@pytest.mark.parametrize("model", IMPORTED, ids=model_id)
def test_a_preview_of_this_agency_cannot_be_confirmed_by_another_agency(model, agency_a, agency_b, client_as,
                                                                         staff_of_b):
    """A's owner previews a file; its confirmation form, posted by each member of B, imports nothing anywhere, and
    A's owner can still confirm it afterwards."""
    rows = csv_lines(exported_by_owner(model, agency_a, client_as))
    # One row more, of an object A does not have yet: what a confirmation by B would write somewhere.
    [resource_class] = site._registry[model].get_import_resource_classes(None)
    with translation.override("en"):
        identity = rows[0].index(resource_class().identity_fields()[0].column_name)
    rows.append([NEW_IDENTITY if number == identity else value for number, value in enumerate(rows[-1])])
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    owner = client_as(agency_a.owner)
    answer = preview(owner, model, buffer.getvalue().encode())
    assert "confirm_form" in answer.context, f"{model_id(model)}: A's own export cannot be imported back by A"
    confirmation = confirmation_of(answer)
    before_a, before_b = rows_of(model, agency_a), rows_of(model, agency_b)

    for role, client in staff_of_b:
        refused = client.post(address(model, "process_import"), confirmation)
        where = f"{model_id(model)}: A's preview confirmed by agency B's {role}"
        if role in READ_ONLY_ROLES:
            assert refused.status_code == 403, f"{where}: {refused.status_code}"
        else:
            assert refused.status_code == 200 and EXPIRED in refused.content.decode(), where

    assert (rows_of(model, agency_a), rows_of(model, agency_b)) == (before_a, before_b)
    assert owner.post(address(model, "process_import"), confirmation).status_code == 302
    assert len(rows_of(model, agency_a)) == len(before_a) + 1, "A's confirmation imported A's new row"


@pytest.mark.parametrize("model", [model for model in models_narrowed_for_operators() if model in EXPORTED],
                         ids=model_id)
def test_operators_export_no_row_of_a_store_not_assigned_to_them(model, agency_a, client_as):
    """The row beyond the operators (``row_beyond_operator``), as the list's resource exports it, is in the owner's
    file and in neither operator's."""
    row = row_beyond_operator(model, agency_a)
    [resource_class] = site._registry[model].get_export_resource_classes(None)
    with translation.override("en"), scopes_disabled():
        line = csv_lines(resource_class(agency=agency_a.agency).export(
            queryset=model._base_manager.filter(pk=row.pk)).csv.encode())[1]
    assert line in csv_lines(exported_by_owner(model, agency_a, client_as))
    for role in ("operator", "idle_operator"):
        exported = csv_lines(export(client_as(agency_a.staff[role]), model).content)
        assert line not in exported, f"{model_id(model)} exported by A's {role}"


@pytest.mark.parametrize("model", IMPORTED, ids=model_id)
def test_read_only_roles_of_the_agency_cannot_import(model, agency_a, client_as):
    content = exported_by_owner(model, agency_a, client_as)
    for role in READ_ONLY_ROLES:
        client = client_as(agency_a.staff[role])
        assert client.get(address(model, "import")).status_code == 403, role
        assert preview(client, model, content).status_code == 403, role
