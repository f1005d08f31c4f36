"""The agency's side of the library over the API: its document types (``/api/v1/document-types/``), its policy
(``/api/v1/documents/policy/``) and each store's appeal kit (``/api/v1/stores/{id}/appeal-kit/``)."""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from documents import types
from documents.models import DocumentPolicy, DocumentType
from tests.documents.factories import make_document

TYPES = reverse("api:document-type-list")
POLICY = reverse("api:document-policy")
DEFAULT_POLICY = {"expiring_within_days": 30, "address_proof_max_age_days": 90, "invoice_max_age_days": 90,
                  "card_statement_max_age_days": 90, "trash_days": 30,
                  "appeal_kit": ["legal_representative_id", "business_licence", "address_proof", "supplier_invoice"]}


@pytest.fixture
def api_as(api_as):
    """The personas' API clients, in English also when signed in (a person's own language would win otherwise)."""

    def make(credential):
        client = api_as(credential)
        client.cookies["django_language"] = "en"
        return client

    return make


def kit_url(store):
    return reverse("api:store-appeal-kit", args=[store.pk])


def days_ago(persona, days):
    return persona.agency.today() - datetime.timedelta(days=days)


def policy_of(persona):
    with scopes_disabled():
        return DocumentPolicy.objects.filter(agency=persona.agency).first()


# -- document types ----------------------------------------------------------------------------------------------
def test_the_types_are_the_built_in_ones_then_the_agencys_own_each_with_its_rule_and_days(agency_a, api_as):
    with scopes_disabled():
        own = DocumentType.objects.create(agency=agency_a.agency, code="customs_declaration",
                                          name="Customs declaration", rule="issued_within", max_age_days=180)
    rows = api_as(agency_a.viewer).get(TYPES).json()
    assert [row["code"] for row in rows] == [kind.code for kind in types.BUILT_IN] + ["customs_declaration"]
    by_code = {row["code"]: row for row in rows}
    assert by_code["address_proof"] == {"id": None, "code": "address_proof", "name": "Address proof (utility bill)",
                                        "rule": "issued_within", "max_age_days": 90, "built_in": True}
    assert by_code["business_licence"]["rule"] == "expiry"
    assert by_code["business_licence"]["max_age_days"] is None
    assert by_code["customs_declaration"] == {"id": own.pk, "code": "customs_declaration",
                                              "name": "Customs declaration", "rule": "issued_within",
                                              "max_age_days": 180, "built_in": False}


def test_the_built_in_types_days_follow_the_agencys_policy(agency_a, api_as):
    api_as(agency_a.manager).patch(POLICY, {"invoice_max_age_days": 60}, format="json")
    rows = {row["code"]: row for row in api_as(agency_a.viewer).get(TYPES).json()}
    assert rows["supplier_invoice"]["max_age_days"] == 60


def test_a_manager_adds_a_type_of_the_agencys_own(agency_a, api_as):
    response = api_as(agency_a.manager).post(TYPES, {"code": "trademark_certificate", "name": "Trademark certificate",
                                                     "rule": "expiry"}, format="json")
    assert response.status_code == 201, response.content
    assert {key: value for key, value in response.json().items() if key != "id"} == {
        "code": "trademark_certificate", "name": "Trademark certificate", "rule": "expiry", "max_age_days": None,
        "built_in": False}
    with scopes_disabled():
        assert DocumentType.objects.get(pk=response.json()["id"]).agency == agency_a.agency


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"code": "business_licence", "name": "Licence"}, "code", "“business_licence” is a built-in type."),
    ({"code": "utility", "name": "Utility", "rule": "issued_within"}, "max_age_days",
     "A type that goes stale after its issue date needs the days it stays fresh."),
    ({"code": "Bad Code", "name": "Bad"}, "code",
     "A type code is 2 to 40 lower-case letters, digits and underscores, starting with a letter."),
])
def test_a_type_the_agency_may_not_add_is_refused_on_its_field(agency_a, api_as, body, field, message):
    response = api_as(agency_a.manager).post(TYPES, body, format="json")
    assert response.status_code == 400
    assert message in response.json()[field]
    with scopes_disabled():
        assert not DocumentType.objects.filter(agency=agency_a.agency).exists()


@pytest.mark.parametrize("who", ["operator", "viewer", "ro_header"])
def test_only_managers_and_read_write_keys_add_types(agency_a, api_as, who):
    credential = agency_a.ro_header if who == "ro_header" else agency_a.staff[who]
    response = api_as(credential).post(TYPES, {"code": "customs", "name": "Customs"}, format="json")
    assert response.status_code == 403
    assert api_as(agency_a.rw_header).post(TYPES, {"code": "customs", "name": "Customs"},
                                           format="json").status_code == 201


# -- the policy --------------------------------------------------------------------------------------------------
def test_every_member_reads_the_policy_with_its_defaults(agency_a, api_as):
    for credential in (agency_a.viewer, agency_a.operator, agency_a.ro_header):
        body = api_as(credential).get(POLICY).json()
        assert {key: value for key, value in body.items() if key != "updated_at"} == DEFAULT_POLICY


def test_a_manager_changes_the_policy_and_it_is_kept(agency_a, api_as):
    response = api_as(agency_a.manager).patch(POLICY, {"expiring_within_days": 14, "trash_days": 60,
                                                       "appeal_kit": ["business_licence", "card_statement"]},
                                              format="json")
    assert response.status_code == 200, response.content
    assert response.json()["expiring_within_days"] == 14
    policy = policy_of(agency_a)
    assert (policy.expiring_within_days, policy.trash_days, policy.appeal_kit, policy.address_proof_max_age_days) == (
        14, 60, ["business_licence", "card_statement"], 90)
    assert api_as(agency_a.viewer).get(POLICY).json()["appeal_kit"] == ["business_licence", "card_statement"]


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"trash_days": 0}, "trash_days", "“0” is not a whole number from 1 to 365."),
    ({"expiring_within_days": "soon"}, "expiring_within_days", "“soon” is not a whole number from 0 to 365."),
    ({"invoice_max_age_days": 5000}, "invoice_max_age_days", "“5000” is not a whole number from 1 to 3650."),
    ({"appeal_kit": ["business_licence", "passport"]}, "appeal_kit",
     "“passport” is not a document type of the agency."),
    ({"appeal_kit": "business_licence"}, "appeal_kit", "The appeal kit is a list of document types."),
])
def test_a_refused_policy_value_names_the_field_and_the_value_and_changes_nothing(agency_a, api_as, body, field,
                                                                                  message):
    response = api_as(agency_a.manager).patch(POLICY, {"expiring_within_days": 10, **body}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert policy_of(agency_a) is None or policy_of(agency_a).expiring_within_days == 30


@pytest.mark.parametrize("who", ["operator", "viewer", "ro_header"])
def test_only_managers_and_read_write_keys_change_the_policy(agency_a, api_as, who):
    credential = agency_a.ro_header if who == "ro_header" else agency_a.staff[who]
    assert api_as(credential).patch(POLICY, {"trash_days": 7}, format="json").status_code == 403
    assert policy_of(agency_a) is None or policy_of(agency_a).trash_days == 30


# -- the appeal kit ----------------------------------------------------------------------------------------------
def test_a_stores_kit_names_the_missing_and_stale_types_and_the_document_that_decides_each(agency_a, api_as):
    store = agency_a.assigned_store
    make_document(agency_a, title="ID card", type_code=types.LEGAL_REPRESENTATIVE_ID)
    licence = make_document(agency_a, title="Licence", type_code=types.BUSINESS_LICENCE,
                            expires_on=agency_a.agency.today() + datetime.timedelta(days=10))
    bill = make_document(agency_a, title="Old bill", type_code=types.ADDRESS_PROOF, issued_on=days_ago(agency_a, 91))
    make_document(agency_a, title="Invoice of the other store", type_code=types.SUPPLIER_INVOICE,
                  store=agency_a.other_store)

    kit = api_as(agency_a.operator).get(kit_url(store)).json()
    assert (kit["store"], kit["ready"], kit["missing"], kit["stale"], kit["expiring"]) == (
        store.pk, False, ["supplier_invoice"], ["address_proof"], ["business_licence"])
    items = {item["type_code"]: item for item in kit["items"]}
    assert [item["type_code"] for item in kit["items"]] == list(types.DEFAULT_APPEAL_KIT)
    assert {code: item["state"] for code, item in items.items()} == {
        "legal_representative_id": "ready", "business_licence": "expiring_soon", "address_proof": "stale",
        "supplier_invoice": "missing"}
    stale_until = days_ago(agency_a, 1)
    assert items["address_proof"]["document"] == {
        "id": bill.pk, "title": "Old bill", "good_until": stale_until.isoformat(),
        "reason": f"Issued on {days_ago(agency_a, 91).isoformat()}, more than 90 days ago: stale since "
                  f"{agency_a.agency.today().isoformat()}."}
    assert items["business_licence"]["document"]["id"] == licence.pk
    assert items["supplier_invoice"]["document"] is None
    assert items["address_proof"]["type_label"] == "Address proof (utility bill)"


def test_a_store_with_every_paper_fresh_has_its_kit_ready_and_day_90_still_counts(agency_a, api_as):
    for code in (types.LEGAL_REPRESENTATIVE_ID, types.BUSINESS_LICENCE):
        make_document(agency_a, title=code, type_code=code)
    for code in (types.ADDRESS_PROOF, types.SUPPLIER_INVOICE):
        make_document(agency_a, title=code, type_code=code, issued_on=days_ago(agency_a, 90))
    kit = api_as(agency_a.rw_header).get(kit_url(agency_a.assigned_store)).json()
    assert (kit["ready"], kit["missing"], kit["stale"]) == (True, [], [])


def test_the_kit_follows_the_agencys_policy(agency_a, api_as):
    api_as(agency_a.manager).patch(POLICY, {"appeal_kit": ["business_licence"]}, format="json")
    make_document(agency_a, title="Licence", type_code=types.BUSINESS_LICENCE)
    kit = api_as(agency_a.viewer).get(kit_url(agency_a.assigned_store)).json()
    assert [(item["type_code"], item["state"]) for item in kit["items"]] == [("business_licence", "ready")]
    assert kit["ready"] is True


def test_an_operator_reads_the_kit_of_their_store_only(agency_a, api_as):
    api = api_as(agency_a.operator)
    assert api.get(kit_url(agency_a.assigned_store)).status_code == 200
    assert api.get(kit_url(agency_a.other_store)).status_code == 404
