"""The admin's metrics CSV upload: a preview of what the file changes before anything is written, the confirmation
that loads the very file kept server-side, bad lines by line number, a big file handed to a task whose page shows
its progress and counts, and who may do what (operators their own stores, viewers nothing, other agencies 404)."""

import csv
import datetime
import io
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from health import imports
from health.models import HealthSnapshot, MetricsImport
from tests.accounts.transfers import private_storage  # noqa: F401  (the fixture of every test here)
from tests.browser import save_screenshot, screenshot_on_failure, sign_in
from tests.health.factories import HealthSnapshotFactory

pytestmark = pytest.mark.usefixtures("private_storage")

YESTERDAY = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
HEADER = ["store", "date", "late_shipment_rate", "odr_mfn", "ahr_score"]


def address(view, *args):
    return reverse(f"admin:health_metricsimport_{view}", args=args)


def metrics_csv(rows, *, header=HEADER, name="metrics.csv", encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def upload(client, file):
    return client.post(address("add"), {"file": file})


def confirm(client, answer):
    return client.post(address("confirm"), {"token": answer.context["token"]})


def snapshots_of(persona):
    with scopes_disabled():
        return list(HealthSnapshot.objects.filter(agency=persona.agency).order_by("store_id"))


def imports_of(persona):
    with scopes_disabled():
        return list(MetricsImport.objects.filter(agency=persona.agency))


def page_text(answer):
    return answer.content.decode()


# -- the upload page ------------------------------------------------------------------------------------------------
def test_the_upload_page_explains_the_columns_and_offers_the_template(agency_a, client_as):
    answer = client_as(agency_a.owner).get(address("add"))
    assert answer.status_code == 200
    page = page_text(answer)
    for column in ("store", "seller_id", "marketplace", "date", "late_shipment_rate", "warning_states"):
        assert f">{column}<" in page
    assert address("template") in page


def test_the_template_is_a_header_row_with_every_column_excel_reads_as_utf8(agency_a, client_as):
    answer = client_as(agency_a.operator).get(address("template"))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert next(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == list(imports.COLUMNS)


# -- a small file: preview, then confirm ------------------------------------------------------------------------------
def test_a_small_file_is_previewed_without_writing_then_confirmed_and_loaded(agency_a, client_as):
    with agency_a.scope():
        HealthSnapshotFactory(store=agency_a.other_store, date=YESTERDAY, late_shipment_rate=0.01, odr_mfn=0.002,
                              ahr_score=250)
    owner = client_as(agency_a.owner)
    file = metrics_csv([[agency_a.assigned_store.pk, YESTERDAY, "0.046", "0.002", "240"],
                        [agency_a.other_store.pk, YESTERDAY, "0.02", "0.002", "250"]])

    preview = upload(owner, file)

    assert preview.status_code == 200
    assert (preview.context["result"].created, preview.context["result"].updated) == (1, 1)
    assert [line for line, _values in preview.context["sample"]] == [2, 3]
    assert "0.046" in page_text(preview)
    assert [s.late_shipment_rate for s in snapshots_of(agency_a)] == [0.01], "the preview wrote nothing"
    assert imports_of(agency_a) == []

    loaded = confirm(owner, preview)

    record = imports_of(agency_a)[0]
    assert loaded.status_code == 302 and loaded["Location"] == address("change", record.pk)
    by_store = {s.store_id: s for s in snapshots_of(agency_a)}
    assert by_store[agency_a.assigned_store.pk].late_shipment_rate == 0.046
    assert by_store[agency_a.other_store.pk].late_shipment_rate == 0.02
    assert (record.status, record.created, record.updated, record.unchanged) == ("done", 1, 1, 0)
    assert (record.original_name, record.uploaded_by) == ("metrics.csv", agency_a.owner)
    page = owner.get(address("change", record.pk))
    assert page.status_code == 200
    assert 'id="import-created"' in page_text(page) and 'data-count="1"' in page_text(page)


def test_a_file_with_a_byte_order_mark_naming_stores_by_seller_id_loads(agency_a, client_as):
    owner = client_as(agency_a.owner)
    store = agency_a.assigned_store
    file = metrics_csv([[store.seller_id, store.marketplace, YESTERDAY, "0.97"]],
                       header=["seller_id", "marketplace", "date", "valid_tracking_rate"], encoding="utf-8-sig")
    preview = upload(owner, file)
    assert preview.status_code == 200, page_text(preview)
    confirm(owner, preview)
    assert [(s.store_id, s.valid_tracking_rate) for s in snapshots_of(agency_a)] == [(store.pk, 0.97)]


def test_a_preview_is_confirmed_once(agency_a, client_as):
    owner = client_as(agency_a.owner)
    preview = upload(owner, metrics_csv([[agency_a.assigned_store.pk, YESTERDAY, "0.01", "", ""]]))
    confirm(owner, preview)
    again = confirm(owner, preview)
    assert again.status_code == 302 and again["Location"] == address("add")
    assert len(imports_of(agency_a)) == 1


def test_nothing_is_written_when_a_line_became_bad_between_preview_and_confirm(agency_a, client_as):
    owner = client_as(agency_a.owner)
    preview = upload(owner, metrics_csv([[agency_a.assigned_store.pk, YESTERDAY, "0.01", "", ""]]))
    with scopes_disabled():
        agency_a.assigned_store.delete()
    answer = confirm(owner, preview)
    assert answer.status_code == 400
    assert "No store with id" in page_text(answer)
    assert snapshots_of(agency_a) == [] and imports_of(agency_a) == []


# -- bad lines ---------------------------------------------------------------------------------------------------
def test_bad_lines_are_shown_by_line_column_and_value_and_nothing_is_written(agency_a, client_as):
    owner = client_as(agency_a.owner)
    file = metrics_csv([[agency_a.assigned_store.pk, YESTERDAY, "0.01", "0.002", "250"],
                        [agency_a.other_store.pk, YESTERDAY, "1.5", "0.002", "250"],
                        [agency_a.other_store.pk, "2024-13-40", "0.01", "0.002", "1200"]])

    answer = upload(owner, file)

    assert answer.status_code == 400
    errors = {(error["line"], error["field"]) for error in answer.context["errors"]}
    assert {(3, "late_shipment_rate"), (4, "date"), (4, "ahr_score")} <= errors
    page = page_text(answer)
    assert "1.5" in page and "2024-13-40" in page and "1200" in page
    assert 'data-line="3"' in page
    assert snapshots_of(agency_a) == [] and imports_of(agency_a) == []


def test_a_file_that_is_not_utf8_is_refused_with_what_to_do(agency_a, client_as):
    owner = client_as(agency_a.owner)
    file = SimpleUploadedFile("metrics.csv", "store,date,ahr_status\n1,2024-01-01,良好\n".encode("gbk"))
    answer = upload(owner, file)
    assert answer.status_code == 400
    assert "CSV UTF-8" in page_text(answer)
    assert snapshots_of(agency_a) == []


def test_a_file_that_is_not_csv_at_all_is_refused_as_a_whole(agency_a, client_as):
    huge_cell = '"' + "x" * 200_000 + '"'
    file = SimpleUploadedFile("metrics.csv", f"store,date,ahr_status\n1,2024-01-01,{huge_cell}\n".encode())
    answer = upload(client_as(agency_a.owner), file)
    assert answer.status_code == 400
    assert [(e["line"], e["field"]) for e in answer.context["errors"]] == [(None, "file")]
    assert "cannot be read as CSV" in page_text(answer)


def test_a_file_that_is_not_a_csv_is_refused_by_name(agency_a, client_as):
    answer = upload(client_as(agency_a.owner), SimpleUploadedFile("metrics.xlsx", b"PK\x03\x04"))
    assert answer.status_code == 200
    assert "metrics.xlsx is not a CSV file" in page_text(answer)


# -- a big file: the task ----------------------------------------------------------------------------------------------
def test_a_big_file_is_loaded_by_a_task_and_its_page_shows_done_with_the_counts(
        agency_a, client_as, settings, django_capture_on_commit_callbacks):
    settings.HEALTH_IMPORT_INLINE_MAX_BYTES = 10
    owner = client_as(agency_a.owner)
    file = metrics_csv([[agency_a.assigned_store.pk, YESTERDAY, "0.01", "0.002", "250"],
                        [agency_a.other_store.pk, YESTERDAY, "0.03", "0.004", "180"]], name="big.csv")

    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(owner, file)

    record = imports_of(agency_a)[0]
    assert answer.status_code == 302 and answer["Location"] == address("change", record.pk)
    assert (record.status, record.created, record.rows_total, record.rows_done) == ("done", 2, 2, 2)
    assert len(snapshots_of(agency_a)) == 2
    page = owner.get(address("change", record.pk))
    assert 'id="import-created"' in page_text(page)
    assert "import_progress.js" not in page_text(page), "a finished import's page no longer polls"
    status = owner.get(address("status", record.pk)).json()
    assert status | {"status": "done", "percent": 100, "finished": True, "rows_done": 2} == status


def test_a_queued_import_page_polls_its_status_and_shows_the_bar(agency_a, client_as, settings):
    settings.HEALTH_IMPORT_INLINE_MAX_BYTES = 10
    owner = client_as(agency_a.owner)
    # Outside on_commit's capture the task is never sent: the import waits in the queue.
    answer = upload(owner, metrics_csv([[agency_a.assigned_store.pk, YESTERDAY, "0.01", "", ""]]))
    record = imports_of(agency_a)[0]
    assert record.status == "queued"
    page = page_text(owner.get(answer["Location"]))
    assert 'role="progressbar"' in page and "import_progress.js" in page
    assert address("status", record.pk) in page
    assert owner.get(address("status", record.pk)).json()["finished"] is False


def test_a_big_file_with_bad_lines_fails_with_its_lines_and_writes_nothing(
        agency_a, client_as, settings, django_capture_on_commit_callbacks):
    settings.HEALTH_IMPORT_INLINE_MAX_BYTES = 10
    owner = client_as(agency_a.owner)
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(owner, metrics_csv([[agency_a.assigned_store.pk, YESTERDAY, "0.01", "", ""],
                                            [agency_a.other_store.pk, YESTERDAY, "-0.2", "", ""]]))
    record = imports_of(agency_a)[0]
    assert record.status == "failed"
    assert [(error["line"], error["field"]) for error in record.errors] == [(3, "late_shipment_rate")]
    assert snapshots_of(agency_a) == []
    page = page_text(owner.get(answer["Location"]))
    assert 'data-line="3"' in page and "-0.2" in page


# -- who --------------------------------------------------------------------------------------------------------------
def test_an_operator_loads_their_own_stores_and_no_other(agency_a, client_as):
    operator = client_as(agency_a.operator)
    refused = upload(operator, metrics_csv([[agency_a.assigned_store.pk, YESTERDAY, "0.01", "", ""],
                                            [agency_a.other_store.pk, YESTERDAY, "0.01", "", ""]]))
    assert refused.status_code == 400
    assert [(e["line"], e["field"]) for e in refused.context["errors"]] == [(3, "store")]
    assert snapshots_of(agency_a) == []

    preview = upload(operator, metrics_csv([[agency_a.assigned_store.pk, YESTERDAY, "0.01", "", ""]]))
    assert preview.status_code == 200
    confirm(operator, preview)
    assert [s.store_id for s in snapshots_of(agency_a)] == [agency_a.assigned_store.pk]


def test_an_operators_big_file_naming_another_store_fails_in_the_task(
        agency_a, client_as, settings, django_capture_on_commit_callbacks):
    settings.HEALTH_IMPORT_INLINE_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_as(agency_a.operator), metrics_csv([[agency_a.other_store.pk, YESTERDAY, "0.01", "", ""]]))
    record = imports_of(agency_a)[0]
    assert (record.status, [e["line"] for e in record.errors]) == ("failed", [2])
    assert snapshots_of(agency_a) == []


def test_operators_see_their_own_uploads_only_managers_see_all(agency_a, client_as):
    with agency_a.scope():
        mine = MetricsImport.objects.create(agency=agency_a.agency, uploaded_by=agency_a.operator,
                                            original_name="mine.csv", file="health-imports/mine.csv")
        theirs = MetricsImport.objects.create(agency=agency_a.agency, uploaded_by=agency_a.manager,
                                              original_name="theirs.csv", file="health-imports/theirs.csv")
    operator = client_as(agency_a.operator)
    listed = page_text(operator.get(address("changelist")))
    assert address("change", mine.pk) in listed and address("change", theirs.pk) not in listed
    assert operator.get(address("change", theirs.pk)).status_code == 404
    assert operator.get(address("status", theirs.pk)).status_code == 404
    managed = page_text(client_as(agency_a.manager).get(address("changelist")))
    assert address("change", mine.pk) in managed and address("change", theirs.pk) in managed


def test_viewers_may_neither_upload_nor_list_imports(agency_a, client_as):
    viewer = client_as(agency_a.viewer)
    for url in (address("add"), address("changelist"), address("template")):
        assert viewer.get(url).status_code == 403, url
    file = metrics_csv([[agency_a.assigned_store.pk, YESTERDAY, "0.01", "", ""]])
    assert upload(viewer, file).status_code == 403
    assert viewer.post(address("confirm"), {"token": "x"}).status_code == 403
    assert snapshots_of(agency_a) == [] and imports_of(agency_a) == []


def test_another_person_cannot_confirm_someone_elses_preview(agency_a, client_as):
    preview = upload(client_as(agency_a.owner), metrics_csv([[agency_a.assigned_store.pk, YESTERDAY, "0.01", "", ""]]))
    answer = confirm(client_as(agency_a.manager), preview)
    assert answer.status_code == 302 and answer["Location"] == address("add")
    assert snapshots_of(agency_a) == []


def test_another_agency_can_neither_open_nor_confirm_an_import(agency_a, agency_b, client_as):
    owner_a = client_as(agency_a.owner)
    preview = upload(owner_a, metrics_csv([[agency_a.assigned_store.pk, YESTERDAY, "0.01", "", ""]]))
    owner_b = client_as(agency_b.owner)
    assert confirm(owner_b, preview)["Location"] == address("add")
    assert snapshots_of(agency_a) == [] and snapshots_of(agency_b) == []

    confirm(owner_a, preview)
    record = imports_of(agency_a)[0]
    for url in (address("change", record.pk), address("status", record.pk), address("history", record.pk)):
        assert owner_b.get(url).status_code == 404, url
    assert address("change", record.pk) not in page_text(owner_b.get(address("changelist")))


def test_agency_b_uploading_agency_as_store_ids_is_told_they_do_not_exist(agency_a, agency_b, client_as):
    answer = upload(client_as(agency_b.owner), metrics_csv([[agency_a.assigned_store.pk, YESTERDAY, "0.01", "", ""]]))
    assert answer.status_code == 400
    assert [(e["line"], e["field"]) for e in answer.context["errors"]] == [(2, "store")]
    assert snapshots_of(agency_a) == [] and snapshots_of(agency_b) == []


# -- in a browser ----------------------------------------------------------------------------------------------------
@pytest.mark.browser
def test_in_a_browser_a_preview_is_confirmed_and_a_queued_import_follows_its_task(
        live_server, chromium, agency_a, tmp_path):  # noqa: F811 - the fixture imported above
    page = chromium
    file = tmp_path / "metrics.csv"
    file.write_text("\n".join([",".join(HEADER), f"{agency_a.assigned_store.pk},{YESTERDAY},0.046,0.002,240",
                               f"{agency_a.other_store.pk},{YESTERDAY},0.01,0.002,250"]) + "\n", encoding="utf-8")
    with screenshot_on_failure(page, "metrics-import"):
        sign_in(page, live_server, agency_a.owner, next_url=address("add"))
        save_screenshot(page, "metrics-import-upload")
        page.set_input_files("#id_file", str(file))
        with page.expect_navigation():
            page.click("#import-upload-form button[type=submit]")
        assert page.locator("#import-preview-created").get_attribute("data-count") == "2"
        assert page.locator("#import-preview-sample tbody tr").count() == 2
        save_screenshot(page, "metrics-import-preview")
        assert snapshots_of(agency_a) == []
        with page.expect_navigation():
            page.click("#import-confirm-form button[type=submit]")
        assert page.locator("#import-created").get_attribute("data-count") == "2"
        assert len(snapshots_of(agency_a)) == 2

        # A queued import: its page polls the status address and shows the counts once the task has run.
        record = imports.metrics_import_create(agency=agency_a.agency, user=agency_a.owner, upload=SimpleUploadedFile(
            "big.csv", f"store,date,odr_mfn\n{agency_a.assigned_store.pk},{YESTERDAY},0.003\n".encode()))
        page.goto(f"{live_server.url}{address('change', record.pk)}")
        assert page.locator("#import-progress").is_visible()
        save_screenshot(page, "metrics-import-queued")
        imports.import_metrics.apply(kwargs={"agency_id": agency_a.agency.pk, "import_id": record.pk})
        page.wait_for_selector("#import-unchanged")
        assert page.locator("#import-updated").get_attribute("data-count") == "1"
        assert page.hosts == {urlsplit(live_server.url).netloc}
        save_screenshot(page, "metrics-import-done")
