"""Importing and exporting stores and clients in the admin: a preview with every row's errors before anything is
written, the same rules as every other write, one agency's rows only, CSV and XLSX."""

import os
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled
from import_export.fields import Field
from import_export.widgets import Widget

from accounts import rules
from accounts.imports import StoreResource
from accounts.models import Client, Store
from accounts.platform.admin_imports import PREVIEW_LIFETIME
from accounts.platform.resources import AgencyInstanceLoader
from accounts.platform.spreadsheets import spreadsheet_text, text_of_cell
from tests.factories import ClientFactory, StoreFactory, UserFactory

from .transfers import (
    XLSX,
    admin_address,
    confirm,
    confirmation_of,
    csv_rows,
    csv_upload,
    export,
    import_file,
    preview,
    private_storage,  # noqa: F401  (the fixture of every test here)
    refusals,
    xlsx_bytes,
    xlsx_rows,
    xlsx_upload,
)

pytestmark = pytest.mark.usefixtures("private_storage")

STORE_HEADER = ["display name", "client", "marketplace", "seller id", "registered on", "selling plan",
                "brand registered", "status", "notes"]


def store_row(name, seller_id, *, client="Client A", marketplace="US", status="active", registered_on="2024-03-01",
              selling_plan="professional", brand_registered="no", notes=""):
    return [name, client, marketplace, seller_id, registered_on, selling_plan, brand_registered, status, notes]


def stores_of(agency):
    with scopes_disabled():
        return {store.seller_id: store for store in Store.objects.filter(agency=agency).select_related("client")}


def history_count(model):
    with scopes_disabled():
        return model.history.count()


# -- the journey --------------------------------------------------------------------------------------------------
def test_a_manager_imports_stores_with_one_bad_row_sees_the_error_fixes_it_and_imports(agency_a, client_as):
    manager = client_as(agency_a.manager)
    before, history_before = stores_of(agency_a.agency), history_count(Store)
    rows = [STORE_HEADER,
            store_row("Blue Harbor US", "A1BLUEHARBOR1"),
            store_row("Blue Harbor XX", "A1BLUEHARBOR2", marketplace="XX"),
            store_row("Blue Harbor DE", "A1BLUEHARBOR3", marketplace="DE", status="at risk")]

    answer = preview(manager, Store, csv_upload(rows))

    assert answer.status_code == 200
    assert "confirm_form" not in answer.context, "a file with a refused row cannot be confirmed"
    assert refusals(answer) == {2: {"marketplace “XX”": ["“XX” is not an Amazon marketplace this product knows."]}}
    assert "“XX” is not an Amazon marketplace this product knows." in answer.content.decode()
    assert stores_of(agency_a.agency).keys() == before.keys() and history_count(Store) == history_before

    rows[2] = store_row("Blue Harbor UK", "A1BLUEHARBOR2", marketplace="uk")
    answer = preview(manager, Store, csv_upload(rows))
    assert refusals(answer) == {}
    page = answer.content.decode()
    assert "Blue Harbor UK" in page and "Confirm import" in page
    assert stores_of(agency_a.agency).keys() == before.keys(), "a preview writes nothing"

    done = confirm(manager, Store, answer)

    assert done.status_code == 302 and done["Location"] == reverse("admin:accounts_store_changelist")
    stores = stores_of(agency_a.agency)
    assert {seller_id: (store.name, store.marketplace, store.status, store.client.name)
            for seller_id, store in stores.items() if seller_id not in before} == {
        "A1BLUEHARBOR1": ("Blue Harbor US", "US", "active", "Client A"),
        "A1BLUEHARBOR2": ("Blue Harbor UK", "UK", "active", "Client A"),
        "A1BLUEHARBOR3": ("Blue Harbor DE", "DE", "at_risk", "Client A"),
    }
    with scopes_disabled():
        created = stores["A1BLUEHARBOR3"].history.get()
    assert (created.history_type, created.history_user, created.agency_id) == ("+", agency_a.manager,
                                                                              agency_a.agency.pk)
    listed = manager.get(done["Location"])
    assert "Stores imported: 3 new, 0 changed, 0 unchanged." in [str(m) for m in listed.context["messages"]]


# -- every row's errors, before anything is written ------------------------------------------------------------------
def test_each_refused_row_names_its_column_and_value_and_nothing_is_written(agency_a, agency_b, client_as):
    existing = agency_a.assigned_store
    rows = [STORE_HEADER,
            store_row("Good", "A1GOODSTORE01"),
            store_row("Bad status", "A1BADSTATUS01", status="sleeping"),
            store_row("Their client", "A1THEIRCLIENT", client="Client B"),
            store_row("Bad date", "A1BADDATE0001", registered_on="03/01/2024"),
            store_row("Bad plan", "A1BADPLAN0001", selling_plan="gold", brand_registered="maybe"),
            store_row("Bad seller id", "a1-lower"),
            store_row("Good", "A1GOODSTORE01"),
            store_row("No client", "A1NOCLIENT001", client=""),
            store_row("Future", "A1FUTURE00001", registered_on="2999-01-01"),
            store_row("Existing store, unknown status", existing.seller_id, status="??")]

    answer = preview(client_as(agency_a.manager), Store, csv_upload(rows))

    found = refusals(answer)
    assert found[2] == {"status “sleeping”": [
        "“sleeping” is not one of: active, at_risk, suspended, deactivated, closed."]}
    assert found[3] == {"client “Client B”": ["No client named “Client B” in this agency."]}
    assert found[4] == {"registered on “03/01/2024”": [
        "“03/01/2024” is not a date; write it as YYYY-MM-DD, e.g. 2024-03-01."]}
    assert found[5] == {"selling plan “gold”": ["“gold” is not one of: professional, individual."],
                        "brand registered “maybe”": ["“maybe” is neither yes nor no."]}
    assert list(found[6]) == ["seller id “a1-lower”"]
    assert found[7] == {"seller id “A1GOODSTORE01”": [
        "Already on row 1 of this file (a file names each one once)."]}
    assert found[8] == {"client": ["This field cannot be null."]}
    assert found[9] == {"registered on “2999-01-01”": ["The registration date 2999-01-01 is in the future."]}
    assert found[10] == {"status “??”": ["“??” is not one of: active, at_risk, suspended, deactivated, closed."]}
    assert 1 not in found and "confirm_form" not in answer.context
    assert "A1GOODSTORE01" not in stores_of(agency_a.agency)


def test_a_file_without_the_columns_that_name_a_store_is_refused_as_a_whole(agency_a, client_as):
    answer = preview(client_as(agency_a.manager), Store,
                     csv_upload([["display name", "client"], ["Nameless", "Client A"]]))

    assert "confirm_form" not in answer.context
    assert refusals(answer)["errors"][0] == ("The file has no column “seller id”, “marketplace”; its first row must "
                                             "name the columns, as an export does.")


def test_a_file_that_cannot_be_read_in_the_chosen_format_is_a_form_error(agency_a, client_as):
    answer = preview(client_as(agency_a.manager), Store, csv_upload([STORE_HEADER]), file_format=XLSX)

    assert refusals(answer)["file"] == ["The file cannot be read as XLSX: check that it is a XLSX file and that its "
                                        "first row names the columns."]


# -- update or create ------------------------------------------------------------------------------------------------
def test_a_store_is_found_by_seller_id_and_marketplace_and_updated_another_pair_creates_one(agency_a, client_as):
    store = agency_a.assigned_store
    other_client = ClientFactory(agency=agency_a.agency, name="Client A2")
    manager = client_as(agency_a.manager)
    rows = [STORE_HEADER,
            store_row("Renamed", store.seller_id, client="Client A2", status="suspended", notes="Appeal sent"),
            store_row("Same seller on DE", store.seller_id, marketplace="DE"),
            store_row(agency_a.other_store.name, agency_a.other_store.seller_id, marketplace="DE",
                      registered_on="2023-01-15")]

    answer = preview(manager, Store, csv_upload(rows))
    assert [row.import_type for row in answer.context["result"].rows] == ["update", "new"]
    confirm(manager, Store, answer)

    with scopes_disabled():
        store.refresh_from_db()
        same_seller = Store.objects.get(agency=agency_a.agency, seller_id=store.seller_id, marketplace="DE")
        agency_a.other_store.refresh_from_db()
        changed = store.history.order_by("-history_date").first()
        unchanged_versions = agency_a.other_store.history.count()
    assert (store.name, store.client, store.status, store.notes) == ("Renamed", other_client, "suspended",
                                                                     "Appeal sent")
    assert same_seller.pk != store.pk and same_seller.name == "Same seller on DE"
    assert (changed.history_type, changed.history_user, changed.status) == ("~", agency_a.manager, "suspended")
    assert unchanged_versions == 1, "a row that changes nothing is not written"
    assert store.seller_id == agency_a.assigned_store.seller_id


def test_columns_left_out_keep_their_values_and_labels_are_read_in_either_language(agency_a, client_as):
    store = agency_a.assigned_store
    with translation.override("zh-hans"):
        header = [str(Store._meta.get_field(name).verbose_name) for name in ("seller_id", "marketplace", "status")]
    # A person types the label without what it adds in brackets: "卖家编号" for "卖家编号 (Merchant Token)".
    header[0] = header[0].split(" (")[0]
    rows = [header, [store.seller_id, "ATVPDKIKX0DER", "有风险"]]

    import_file(client_as(agency_a.manager), Store, csv_upload(rows))

    with scopes_disabled():
        store.refresh_from_db()
    assert (store.status, store.name, store.client_id) == ("at_risk", "Assigned store A", agency_a.client.pk)


def test_clients_are_found_by_name_updated_or_created(agency_a, client_as):
    manager = client_as(agency_a.manager)
    rows = [["name", "legal name", "contact email"],
            ["Client A", "Client A Holdings Ltd.", "ops@client-a.example"],
            ["Northwind", "Northwind Trading Co.", "not-an-email"]]

    answer = preview(manager, Client, csv_upload(rows))
    assert refusals(answer) == {2: {"contact email “not-an-email”": ["Enter a valid email address."]}}

    rows[2][2] = "hello@northwind.example"
    import_file(manager, Client, csv_upload(rows))

    with scopes_disabled():
        clients = {client.name: client for client in Client.objects.filter(agency=agency_a.agency)}
    assert clients["Client A"].pk == agency_a.client.pk
    assert (clients["Client A"].legal_name, clients["Client A"].contact_email) == ("Client A Holdings Ltd.",
                                                                                   "ops@client-a.example")
    assert clients["Northwind"].contact_email == "hello@northwind.example"


def test_a_client_named_twice_in_a_file_is_refused_on_the_later_row(agency_a, client_as):
    rows = [["name"], ["Northwind"], ["Contoso"], ["Northwind"]]

    answer = preview(client_as(agency_a.manager), Client, csv_upload(rows))

    assert refusals(answer) == {3: {"name “Northwind”": ["Already on row 1 of this file (a file names each one "
                                                         "once)."]}}


# -- another agency ------------------------------------------------------------------------------------------------
def test_another_agencys_seller_id_and_ids_in_a_file_make_a_store_of_this_agency_and_leave_theirs(
        agency_a, agency_b, client_as):
    theirs = agency_b.assigned_store
    with scopes_disabled():
        their_versions = theirs.history.count()
    rows = [["id", *STORE_HEADER], [theirs.pk, *store_row("Mine now?", theirs.seller_id, status="closed")]]

    import_file(client_as(agency_a.manager), Store, csv_upload(rows))

    with scopes_disabled():
        mine = Store.objects.get(agency=agency_a.agency, seller_id=theirs.seller_id)
        theirs_after = Store.objects.get(pk=theirs.pk)
        assert theirs.history.count() == their_versions
    assert mine.pk != theirs.pk and mine.client == agency_a.client
    assert (theirs_after.agency_id, theirs_after.name, theirs_after.status) == (agency_b.agency.pk, theirs.name,
                                                                                "active")


# -- confirming ----------------------------------------------------------------------------------------------------
def test_a_preview_is_confirmed_only_by_the_person_who_made_it(agency_a, agency_b, client_as):
    answer = preview(client_as(agency_a.manager), Store, csv_upload([STORE_HEADER, store_row("Mine", "A1MINE000001")]))
    confirmation = confirmation_of(answer)

    for someone in (agency_a.owner, agency_b.owner):
        refused = client_as(someone).post(admin_address(Store, "process_import"), confirmation)
        assert refused.status_code == 200
        assert "This preview has expired or was made by someone else: upload the file again." in (
            refused.content.decode())
    forged = client_as(agency_a.manager).post(admin_address(Store, "process_import"),
                                              {**confirmation, "import_file_name": "../../settings.py"})
    assert forged.status_code == 200 and "upload the file again" in forged.content.decode()
    with scopes_disabled():
        assert not Store.objects.filter(seller_id="A1MINE000001").exists()

    assert client_as(agency_a.manager).post(admin_address(Store, "process_import"), confirmation).status_code == 302
    with scopes_disabled():
        assert Store.objects.get(seller_id="A1MINE000001").agency_id == agency_a.agency.pk


def test_confirming_twice_imports_once_and_says_so(agency_a, client_as):
    manager = client_as(agency_a.manager)
    answer = preview(manager, Store, csv_upload([STORE_HEADER, store_row("Once", "A1ONCE000001")]))

    assert confirm(manager, Store, answer).status_code == 302
    again = confirm(manager, Store, answer)

    assert again.status_code == 200
    assert "This preview has been imported already or has expired" in again.content.decode()
    with scopes_disabled():
        assert Store.objects.filter(seller_id="A1ONCE000001").count() == 1


def test_rows_that_became_invalid_before_the_confirmation_write_nothing(agency_a, client_as):
    manager = client_as(agency_a.manager)
    answer = preview(manager, Store, csv_upload([STORE_HEADER, store_row("First", "A1FIRST00001"),
                                                 store_row("Second", "A1SECOND0001", client="Client A2")]))
    assert refusals(answer)[2] == {"client “Client A2”": ["No client named “Client A2” in this agency."]}
    client_a2 = ClientFactory(agency=agency_a.agency, name="Client A2")
    answer = preview(manager, Store, csv_upload([STORE_HEADER, store_row("First", "A1FIRST00001"),
                                                 store_row("Second", "A1SECOND0001", client="Client A2")]))
    with scopes_disabled():
        client_a2.delete()  # removed by someone else between the preview and the confirmation

    done = confirm(manager, Store, answer)

    assert done.status_code == 200
    assert "Nothing was imported" in done.content.decode()
    assert refusals(done)[2] == {"client “Client A2”": ["No client named “Client A2” in this agency."]}
    assert not {"A1FIRST00001", "A1SECOND0001"} & stores_of(agency_a.agency).keys()


def test_a_store_someone_else_adds_while_the_import_runs_rolls_the_whole_import_back(agency_a, client_as,
                                                                                       monkeypatch):
    manager = client_as(agency_a.manager)
    answer = preview(manager, Store, csv_upload([STORE_HEADER, store_row("First", "A1FIRST00001"),
                                                 store_row("Race", "A1RACE000001")]))
    found_existing = AgencyInstanceLoader.__init__

    def someone_adds_the_store_after_the_rows_were_looked_up(loader, resource, dataset=None):
        found_existing(loader, resource, dataset)
        StoreFactory(agency=agency_a.agency, client=agency_a.client, seller_id="A1RACE000001", name="Theirs")

    monkeypatch.setattr(AgencyInstanceLoader, "__init__", someone_adds_the_store_after_the_rows_were_looked_up)
    done = confirm(manager, Store, answer)

    assert done.status_code == 200
    assert "Someone else has added some of these rows meanwhile, so nothing was imported." in done.content.decode()
    assert "A1FIRST00001" not in stores_of(agency_a.agency)


# -- limits -------------------------------------------------------------------------------------------------------
@override_settings(IMPORT_MAX_ROWS=3)
@pytest.mark.parametrize("upload", ["csv", "xlsx"])
def test_a_file_of_more_rows_than_the_limit_is_refused_as_a_whole(upload, agency_a, client_as):
    rows = [STORE_HEADER] + [store_row(f"Store {n}", f"A1LIMIT{n:05d}") for n in range(4)]
    file, file_format = (csv_upload(rows), "0") if upload == "csv" else (xlsx_upload(rows), XLSX)

    answer = preview(client_as(agency_a.manager), Store, file, file_format=file_format)

    assert refusals(answer) == {"file": ["The file has more than 3 rows; import at most 3 rows at a time (split the "
                                         "file)."]}
    assert "confirm_form" not in answer.context
    with override_settings(IMPORT_MAX_ROWS=4):
        assert "confirm_form" in preview(client_as(agency_a.manager), Store, csv_upload(rows)).context


def test_an_import_does_not_query_per_row(agency_a, client_as):
    """10 versus 200 rows, half of them changes to existing stores: the same number of queries for the preview and
    for the confirmation."""
    manager = client_as(agency_a.manager)
    for n in range(200):
        StoreFactory(agency=agency_a.agency, client=agency_a.client, seller_id=f"A1EXISTING{n:04d}")

    def queries_for(count):
        rows = [STORE_HEADER] + [store_row(f"Store {n}", f"A1EXISTING{n:04d}" if n % 2 else f"A1NEW{count}X{n:04d}",
                                           status="at_risk" if count == 10 else "suspended") for n in range(count)]
        with CaptureQueriesContext(connection) as previewing:
            answer = preview(manager, Store, csv_upload(rows))
        assert refusals(answer) == {}
        with CaptureQueriesContext(connection) as confirming:
            done = confirm(manager, Store, answer)
        assert done.status_code == 302
        manager.get(done["Location"])  # reads the messages, as the browser does
        return len(previewing), len(confirming)

    assert queries_for(10) == queries_for(200)


# -- exports ------------------------------------------------------------------------------------------------------
def test_an_export_holds_the_agencys_rows_as_the_list_shows_them(agency_a, agency_b, client_as):
    rows = csv_rows(export(client_as(agency_a.viewer), Store))

    assert rows[0] == [*STORE_HEADER, "operators"]
    assert sorted(row[0] for row in rows[1:]) == ["Assigned store A", "Unassigned store A"]
    assigned = next(row for row in rows if row[0] == "Assigned store A")
    assert assigned == ["Assigned store A", "Client A", "US", agency_a.assigned_store.seller_id, "2023-01-15",
                        "professional", "no", "active", "", "operator.a@example.com"]
    filtered = csv_rows(export(client_as(agency_a.owner), Store, query="?marketplace__exact=DE"))
    assert [row[0] for row in filtered[1:]] == ["Unassigned store A"]


def test_an_operator_exports_their_stores_and_clients_only(agency_a, client_as):
    ClientFactory(agency=agency_a.agency, name="Client without their stores")
    operator = client_as(agency_a.operator)

    assert [row[0] for row in csv_rows(export(operator, Store))[1:]] == ["Assigned store A"]
    assert [row[0] for row in csv_rows(export(operator, Client))[1:]] == ["Client A"]
    assert csv_rows(export(client_as(agency_a.idle_operator), Store))[1:] == []


def test_who_may_import_and_export(agency_a, client_as):
    for role in ("operator", "idle_operator", "viewer"):
        person = client_as(agency_a.staff[role])
        for model in (Store, Client):
            assert person.get(admin_address(model, "import")).status_code == 403, (role, model)
            assert person.post(admin_address(model, "process_import"), {}).status_code == 403, (role, model)
            assert export(person, model).status_code == 200, (role, model)
    for role in ("owner", "manager"):
        person = client_as(agency_a.staff[role])
        assert person.get(admin_address(Store, "import")).status_code == 200
        listed = person.get(reverse("admin:accounts_store_changelist")).content.decode()
        assert admin_address(Store, "import") in listed and admin_address(Store, "export") in listed
    viewer_list = client_as(agency_a.viewer).get(reverse("admin:accounts_store_changelist")).content.decode()
    assert admin_address(Store, "export") in viewer_list and admin_address(Store, "import") not in viewer_list


def test_the_platforms_all_agencies_view_exports_and_imports_nothing(agency_a, client_as):
    platform = client_as(UserFactory(email="platform@example.com", is_superuser=True))

    assert export(platform, Store).status_code == 403
    assert platform.get(admin_address(Store, "import")).status_code == 403


# -- files ----------------------------------------------------------------------------------------------------------
def test_an_xlsx_export_imports_back_unchanged_and_an_edited_cell_updates_the_store(agency_a, client_as):
    owner = client_as(agency_a.owner)
    exported = export(owner, Store, file_format=XLSX)
    assert exported["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = xlsx_rows(exported.content)
    with scopes_disabled():
        versions = Store.history.count()

    unchanged = preview(owner, Store, xlsx_upload(rows), file_format=XLSX)
    assert unchanged.context["result"].totals["skip"] == 2 and unchanged.context["result"].rows == []

    status = rows[0].index("status")
    rows[1][status] = "suspended"
    done = import_file(owner, Store, xlsx_upload(rows), file_format=XLSX)
    assert done.status_code == 302
    with scopes_disabled():
        assert Store.objects.get(agency=agency_a.agency, name=rows[1][0]).status == "suspended"
        assert Store.history.count() == versions + 1


def test_text_a_spreadsheet_would_run_is_exported_guarded_and_imported_back_as_written(agency_a, client_as):
    owner = client_as(agency_a.owner)
    with scopes_disabled():
        Store.objects.filter(pk=agency_a.assigned_store.pk).update(notes="=HYPERLINK(\"http://x\")")

    rows = csv_rows(export(owner, Store))
    notes = rows[0].index("notes")
    assert next(row for row in rows if row[0] == "Assigned store A")[notes] == "'=HYPERLINK(\"http://x\")"
    unchanged = preview(owner, Store, csv_upload(rows))
    assert unchanged.context["result"].totals["skip"] == 2


def test_a_csv_file_saved_by_a_chinese_excel_is_read(agency_a, client_as):
    rows = [["名称", "法定名称"], ["华东贸易", "华东贸易有限公司"]]

    import_file(client_as(agency_a.manager), Client, csv_upload(rows, encoding="gb18030"))

    with scopes_disabled():
        assert Client.objects.get(agency=agency_a.agency, name="华东贸易").legal_name == "华东贸易有限公司"


def files_waiting(settings):
    """The uploaded files that wait for a confirmation (in the test's own private storage)."""
    folder = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [path for path in folder.rglob("*") if path.is_file()]


def test_a_preview_file_is_gone_once_imported_or_refused(agency_a, client_as, settings):
    def waiting():
        return files_waiting(settings)

    manager = client_as(agency_a.manager)
    preview(manager, Store, csv_upload([STORE_HEADER, store_row("Bad", "A1BAD0000001", status="??")]))
    assert waiting() == []

    answer = preview(manager, Store, csv_upload([STORE_HEADER, store_row("Good", "A1GOOD000001")]))
    assert len(waiting()) == 1
    confirm(manager, Store, answer)
    assert waiting() == []


def test_a_preview_nobody_confirms_is_removed_a_day_later(agency_a, client_as, settings):
    manager = client_as(agency_a.manager)
    preview(manager, Store, csv_upload([STORE_HEADER, store_row("Forgotten", "A1FORGOTTEN1")]))
    [forgotten] = files_waiting(settings)
    a_day_ago = time.time() - PREVIEW_LIFETIME.total_seconds() - 60
    os.utime(forgotten, (a_day_ago, a_day_ago))

    preview(manager, Store, csv_upload([STORE_HEADER, store_row("Next", "A1NEXT000001")]))

    assert not forgotten.exists()
    assert len(files_waiting(settings)) == 1


# -- the rules, without a database ------------------------------------------------------------------------------------
def test_an_import_takes_up_to_the_limit_of_rows():
    assert rules.import_size_errors(rows=5000, limit=5000) == {}
    assert rules.import_size_errors(rows=5001, limit=5000) == {"import_file": [
        "The file has more than 5000 rows; import at most 5000 rows at a time (split the file)."]}


def test_a_file_names_each_row_once_and_the_later_repeat_names_the_first():
    rows = [(1, ("A1", "US")), (2, ("A1", "DE")), (3, None), (4, ("A1", "US")), (5, None), (6, ("A1", "US"))]

    assert rules.repeated_row_errors(rows=rows) == {
        4: "Already on row 1 of this file (a file names each one once).",
        6: "Already on row 1 of this file (a file names each one once).",
    }


@pytest.mark.parametrize("text", ["=1+1", "+86 21 5555", "-5", "@SUM(A1)", "\tx"])
def test_formula_text_is_guarded_on_export_and_read_back_as_written(text):
    assert spreadsheet_text(text) == "'" + text
    assert text_of_cell(spreadsheet_text(text)) == text
    assert spreadsheet_text("Blue Harbor") == "Blue Harbor" and text_of_cell("'quoted") == "'quoted"


def test_store_columns_are_the_field_labels_in_the_readers_language():
    with translation.override("en"):
        assert StoreResource().get_export_headers()[:4] == ["display name", "client", "marketplace", "seller id"]
    with translation.override("zh-hans"):
        assert StoreResource().get_export_headers()[3] == str(Store._meta.get_field("seller_id").verbose_name)


def test_a_reference_column_must_read_the_agencys_own_rows():
    """Rows are validated without looking their references up, so a column that refers to another row by anything
    but a ReferenceWidget (the agency's rows only) is refused when the resource is made."""

    class StoreResourceWithClientIds(StoreResource):
        client = Field(attribute="client_id", column_name="client id", widget=Widget())

    with pytest.raises(ImproperlyConfigured, match="client_id: a reference column needs a ReferenceWidget"):
        StoreResourceWithClientIds()


def test_an_empty_xlsx_sheet_is_no_data(agency_a, client_as):
    answer = preview(client_as(agency_a.manager), Store,
                     xlsx_upload([]), file_format=XLSX)

    assert refusals(answer)["file"][0].startswith("No valid data to import.")
    assert xlsx_bytes([["a"]])  # the helper writes a workbook
