"""The library's settings and views in the admin: the agency's document types, the document policy, the appeal kits
page, the store page's kit panel, the overview's "Documents going stale" and the sidebar's Documents group."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from documents import overview, services, types
from documents.models import DocumentPolicy, DocumentType
from tests.documents.factories import make_document
from tests.factories import StoreFactory

TYPES = "/admin/documents/documenttype/"
POLICY = "/admin/documents/documentpolicy/"
KITS = "/admin/documents/appealdocument/kits/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def days_ago(persona, days):
    return persona.agency.today() - datetime.timedelta(days=days)


def days_ahead(persona, days):
    return persona.agency.today() + datetime.timedelta(days=days)


def policy_of(persona):
    with scopes_disabled():
        return DocumentPolicy.objects.filter(agency=persona.agency).first()


# -- document types ------------------------------------------------------------------------------------------------
def test_the_built_in_types_are_listed_above_the_agencys_own(agency_a, client_as):
    page = client_as(agency_a.viewer).get(TYPES).content.decode()
    built_in = page[page.index('id="built-in-types"'):]
    for kind in types.BUILT_IN:
        assert f'data-code="{kind.code}"' in built_in
    assert "Address proof (utility bill)" in built_in and "Stale a number of days after its issue date" in built_in


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_managers_add_a_type_of_their_own(agency_a, client_as, role):
    answer = client_as(agency_a.staff[role]).post(f"{TYPES}add/", {
        "code": "customs_declaration", "name": "Customs declaration", "rule": "issued_within", "max_age_days": 60})
    assert answer.status_code == 302
    with scopes_disabled():
        kind = DocumentType.objects.get(agency=agency_a.agency)
    assert (kind.code, kind.rule, kind.max_age_days) == ("customs_declaration", "issued_within", 60)
    upload_page = client_as(agency_a.manager).get("/admin/documents/appealdocument/add/").content.decode()
    assert '<option value="customs_declaration">Customs declaration</option>' in upload_page


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"code": types.ADDRESS_PROOF, "name": "Bill", "rule": "none"}, "code", [types.ADDRESS_PROOF, "built-in"]),
    ({"code": "customs", "name": "Customs", "rule": "issued_within"}, "max_age_days", ["days"]),
    ({"code": "Customs Papers", "name": "Customs", "rule": "none"}, "code", ["lower-case"]),
])
def test_a_type_the_library_refuses_is_a_form_error_and_nothing_is_added(agency_a, client_as, data, field, words):
    answer = client_as(agency_a.manager).post(f"{TYPES}add/", data)
    errors = answer.context["adminform"].form.errors
    assert all(word in errors[field][0] for word in words), errors
    with scopes_disabled():
        assert not DocumentType.objects.filter(agency=agency_a.agency).exists()


def test_a_code_the_agency_has_already_is_refused(agency_a, client_as):
    with agency_a.scope():
        services.document_type_create(agency=agency_a.agency, code="customs", name="Customs")
    answer = client_as(agency_a.manager).post(f"{TYPES}add/", {"code": "customs", "name": "Again", "rule": "none"})
    assert "already has a type “customs”" in answer.context["adminform"].form.errors["code"][0]


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operators_and_viewers_read_the_types_but_add_none(agency_a, client_as, role):
    client = client_as(agency_a.staff[role])
    assert client.get(TYPES).status_code == 200
    assert client.get(f"{TYPES}add/").status_code == 403
    assert client.post(f"{TYPES}add/", {"code": "customs", "name": "Customs", "rule": "none"}).status_code == 403


# -- the policy ----------------------------------------------------------------------------------------------------
def policy_form(**overrides):
    data = {"expiring_within_days": 30, "address_proof_max_age_days": 90, "invoice_max_age_days": 90,
            "card_statement_max_age_days": 90, "trash_days": 30, "appeal_kit": list(types.DEFAULT_APPEAL_KIT)}
    data.update(overrides)
    return data


def test_the_list_creates_the_row_for_who_may_change_it_and_current_opens_its_form(agency_a, client_as):
    assert client_as(agency_a.viewer).get(POLICY).status_code == 200 and policy_of(agency_a) is None
    assert client_as(agency_a.manager).get(POLICY).status_code == 200
    policy = policy_of(agency_a)
    assert policy is not None and policy.appeal_kit == list(types.DEFAULT_APPEAL_KIT)
    answer = client_as(agency_a.manager).get(f"{POLICY}current/")
    assert answer["Location"] == reverse("admin:documents_documentpolicy_change", args=[policy.pk])


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_managers_set_the_numbers_and_tick_the_appeal_kits_types(agency_a, client_as, role):
    client = client_as(agency_a.staff[role])
    client.get(POLICY)
    url = reverse("admin:documents_documentpolicy_change", args=[policy_of(agency_a).pk])
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="appeal_kit" value="brand_authorisation"' in page

    answer = client.post(url, policy_form(address_proof_max_age_days=60, trash_days=14,
                                          appeal_kit=[types.BUSINESS_LICENCE, types.BRAND_AUTHORISATION]))

    assert answer.status_code == 302, answer.context["adminform"].form.errors
    policy = policy_of(agency_a)
    assert (policy.address_proof_max_age_days, policy.trash_days) == (60, 14)
    assert policy.appeal_kit == [types.BUSINESS_LICENCE, types.BRAND_AUTHORISATION]


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"trash_days": 0}, "trash_days", ["1"]),
    ({"expiring_within_days": 400}, "expiring_within_days", ["365"]),
    ({"appeal_kit": ["no_such_type"]}, "appeal_kit", ["no_such_type"]),
    ({"invoice_max_age_days": ""}, "invoice_max_age_days", ["required"]),
])
def test_numbers_the_library_refuses_are_form_errors_and_nothing_is_written(agency_a, client_as, overrides, field,
                                                                            words):
    manager = client_as(agency_a.manager)
    manager.get(POLICY)
    before = policy_of(agency_a)
    answer = manager.post(reverse("admin:documents_documentpolicy_change", args=[before.pk]),
                          policy_form(address_proof_max_age_days=45, **overrides))
    errors = answer.context["adminform"].form.errors
    assert all(word in errors[field][0] for word in words), errors
    after = policy_of(agency_a)
    assert (after.address_proof_max_age_days, after.trash_days) == (before.address_proof_max_age_days,
                                                                    before.trash_days)


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operators_and_viewers_read_the_policy_but_cannot_change_it(agency_a, client_as, role):
    client_as(agency_a.manager).get(POLICY)
    policy = policy_of(agency_a)
    client = client_as(agency_a.staff[role])
    page = client.get(reverse("admin:documents_documentpolicy_change", args=[policy.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'name="trash_days"' not in html
    assert "Legal representative's ID" in html.replace("&#x27;", "'")  # the kit, by its types' names
    assert client.post(reverse("admin:documents_documentpolicy_change", args=[policy.pk]),
                       policy_form(trash_days=5)).status_code == 403
    assert policy_of(agency_a).trash_days == 30


def test_nobody_adds_or_deletes_the_policy(agency_a, client_as):
    owner = client_as(agency_a.owner)
    owner.get(POLICY)
    assert owner.get(f"{POLICY}add/").status_code == 403
    assert owner.get(reverse("admin:documents_documentpolicy_delete", args=[policy_of(agency_a).pk])).status_code \
        == 403


# -- the appeal kits page ------------------------------------------------------------------------------------------
def kit_rows(page):
    """``{store id: {type code: state}}`` of the kits page."""
    rows = {}
    for store_id, body in re.findall(r'<tr class="appeal-kit-store" data-store="(\d+)"[^>]*>(.*?)</tr>', page, re.S):
        rows[int(store_id)] = dict(re.findall(r'data-type="(\w+)" data-state="(\w+)"', body))
    return rows


def test_each_store_shows_the_state_of_each_type_of_its_kit(agency_a, client_as):
    licence = make_document(agency_a, type_code=types.BUSINESS_LICENCE, title="Licence",
                            expires_on=days_ahead(agency_a, 200))
    make_document(agency_a, type_code=types.ADDRESS_PROOF, title="Bill", issued_on=days_ago(agency_a, 95))
    make_document(agency_a, type_code=types.SUPPLIER_INVOICE, title="Invoice", issued_on=days_ago(agency_a, 85))

    page = client_as(agency_a.manager).get(KITS).content.decode()

    rows = kit_rows(page)
    assert rows[agency_a.assigned_store.pk] == {
        types.LEGAL_REPRESENTATIVE_ID: "missing", types.BUSINESS_LICENCE: "ready", types.ADDRESS_PROOF: "stale",
        types.SUPPLIER_INVOICE: "expiring_soon"}
    assert set(rows[agency_a.other_store.pk].values()) == {"missing"}
    assert reverse("admin:documents_appealdocument_change", args=[licence.pk]) in page
    add = (f"/admin/documents/appealdocument/add/?client={agency_a.client.pk}&amp;stores={agency_a.other_store.pk}"
           f"&amp;type_code={types.LEGAL_REPRESENTATIVE_ID}")
    assert add in page


def test_missing_or_stale_narrows_the_page_to_the_stores_that_are_not_ready(agency_a, client_as):
    for code in types.DEFAULT_APPEAL_KIT:
        make_document(agency_a, type_code=code, title=f"{code} ready", expires_on=days_ahead(agency_a, 200))
    manager = client_as(agency_a.manager)
    assert set(kit_rows(manager.get(KITS).content.decode())) == {agency_a.assigned_store.pk, agency_a.other_store.pk}
    incomplete = manager.get(KITS, {"kit": "incomplete"}).content.decode()
    assert set(kit_rows(incomplete)) == {agency_a.other_store.pk}
    assert "Missing or stale (1)" in incomplete


def test_the_kits_follow_the_agencys_policy(agency_a, client_as):
    with agency_a.scope():
        services.document_policy_update(agency=agency_a.agency, appeal_kit=[types.BRAND_AUTHORISATION])
    rows = kit_rows(client_as(agency_a.manager).get(KITS).content.decode())
    assert rows[agency_a.assigned_store.pk] == {types.BRAND_AUTHORISATION: "missing"}


def test_an_operator_sees_the_kits_of_their_stores_only(agency_a, client_as):
    assert set(kit_rows(client_as(agency_a.operator).get(KITS).content.decode())) == {agency_a.assigned_store.pk}
    page = client_as(agency_a.idle_operator).get(KITS).content.decode()
    assert kit_rows(page) == {} and "No stores to show." in page


def test_the_kits_page_searches_stores(agency_a, client_as):
    rows = kit_rows(client_as(agency_a.manager).get(KITS, {"q": "Unassigned"}).content.decode())
    assert set(rows) == {agency_a.other_store.pk}


# -- the store page's panel ----------------------------------------------------------------------------------------
def store_page(client, store):
    return client.get(reverse("admin:accounts_store_change", args=[store.pk])).content.decode()


def panel(page):
    found = re.search(r'<div id="appeal-kit-panel".*?<div class="documents-kit-links">.*?</div>\s*</div>', page, re.S)
    return found.group(0) if found else ""


def test_the_store_page_shows_what_its_appeal_kit_lacks_and_how_to_add_it(agency_a, client_as):
    bill = make_document(agency_a, type_code=types.ADDRESS_PROOF, title="Power bill",
                         issued_on=days_ago(agency_a, 100))
    html = panel(store_page(client_as(agency_a.manager), agency_a.assigned_store))

    assert 'data-ready="no"' in html
    assert re.search(rf'data-type="{types.ADDRESS_PROOF}" data-state="stale"', html)
    assert "Power bill" in html and "more than 90 days ago" in html
    assert reverse("admin:documents_appealdocument_change", args=[bill.pk]) in html
    assert re.search(rf'data-type="{types.LEGAL_REPRESENTATIVE_ID}" data-state="missing"', html)
    assert "3 missing" in html and "1 stale or expired" in html
    assert (f"/admin/documents/appealdocument/add/?client={agency_a.client.pk}&amp;stores="
            f"{agency_a.assigned_store.pk}&amp;type_code={types.LEGAL_REPRESENTATIVE_ID}") in html
    assert f"?stores__id__exact={agency_a.assigned_store.pk}" in html


def test_a_ready_kit_says_so_and_viewers_are_offered_no_upload(agency_a, client_as):
    for code in types.DEFAULT_APPEAL_KIT:
        make_document(agency_a, type_code=code, title=f"{code} ready", expires_on=days_ahead(agency_a, 200))
    html = panel(store_page(client_as(agency_a.viewer), agency_a.assigned_store))
    assert 'data-ready="yes"' in html and "4 ready" in html
    assert "/admin/documents/appealdocument/add/" not in html


# -- the overview --------------------------------------------------------------------------------------------------
def section(page):
    found = re.search(r'<div id="overview-documents".*?</ul>.*?</div>', page, re.S)
    return found.group(0) if found else ""


def test_the_overview_lists_the_documents_going_stale_worst_first(agency_a, client_as):
    make_document(agency_a, type_code=types.BUSINESS_LICENCE, title="Licence", expires_on=days_ahead(agency_a, 300))
    make_document(agency_a, type_code=types.SUPPLIER_INVOICE, title="Invoice", issued_on=days_ago(agency_a, 85))
    make_document(agency_a, type_code=types.LEGAL_REPRESENTATIVE_ID, title="ID card",
                  expires_on=days_ago(agency_a, 1))
    make_document(agency_a, type_code=types.ADDRESS_PROOF, title="Bill", issued_on=days_ago(agency_a, 120))

    page = client_as(agency_a.manager).get("/admin/").content.decode()
    html = section(page)

    assert str(overview.TITLE) in page
    assert html.index("ID card") < html.index("Bill") < html.index("Invoice") and "Licence" not in html
    assert "Goes stale after" in html
    assert 'data-state="expired" data-count="1"' in html and 'data-state="stale" data-count="1"' in html
    assert "?freshness=expiring_soon" in html


def test_an_operator_sees_the_documents_of_their_stores_only_and_nothing_when_all_is_fresh(agency_a, client_as):
    make_document(agency_a, type_code=types.LEGAL_REPRESENTATIVE_ID, title="ID of the assigned store",
                  expires_on=days_ago(agency_a, 1))
    make_document(agency_a, store=agency_a.other_store, type_code=types.LEGAL_REPRESENTATIVE_ID,
                  title="ID of the unassigned store", expires_on=days_ago(agency_a, 1))
    html = section(client_as(agency_a.operator).get("/admin/").content.decode())
    assert "ID of the assigned store" in html and "ID of the unassigned store" not in html

    page = client_as(agency_a.idle_operator).get("/admin/").content.decode()
    assert section(page) == "" and str(overview.TITLE) not in page


def test_the_overview_lists_a_few_and_links_to_the_rest(agency_a, client_as):
    for number in range(overview.LISTED + 3):
        make_document(agency_a, type_code=types.LEGAL_REPRESENTATIVE_ID, title=f"Old ID {number:02}",
                      expires_on=days_ago(agency_a, number + 1))
    html = section(client_as(agency_a.manager).get("/admin/").content.decode())
    assert html.count('class="documents-stale-item"') == overview.LISTED
    assert "3 more documents" in html and "?freshness=attention" in html


# -- the sidebar ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "trash"), [("owner", True), ("manager", True), ("operator", False),
                                             ("viewer", False)])
def test_the_sidebar_offers_the_library_and_the_trash_to_managers_only(agency_a, client_as, role, trash):
    page = client_as(agency_a.staff[role]).get("/admin/").content.decode()
    for url in ("/admin/documents/appealdocument/", KITS, TYPES, POLICY):
        assert f'href="{url}"' in page, (role, url)
    assert ('href="/admin/documents/appealdocument/trash/"' in page) is trash


def test_a_store_of_another_client_has_its_own_kit(agency_a, client_as):
    store = StoreFactory(agency=agency_a.agency, name="Lone store")
    rows = kit_rows(client_as(agency_a.manager).get(KITS).content.decode())
    assert set(rows[store.pk].values()) == {"missing"}
