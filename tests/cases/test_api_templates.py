"""The template library over the API (``/api/v1/message-templates/``) and the agency's case categories
(``/api/v1/case-categories/``): everyone of the agency reads them, managers and read-write keys write them, those who
work on cases fill a template in for a case; another agency's template is a 404, another agency's case an error on
``case``."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Agency
from accounts.tenancy import Caller
from cases import categories
from cases.models import CaseCategory, MessageTemplate, MessageTemplateVersion
from cases.services import templates as services
from tests.cases.factories import SupportCaseFactory

LIST = "/api/v1/message-templates/"
CATEGORIES = "/api/v1/case-categories/"
PARTS = {
    "issue_type": "Our listing {asin} in the store {store} was removed.",
    "reference": "ASIN {asin}, Case ID {case_id}.",
    "evidence": "The attached invoice shows the product is genuine.",
    "expected_result": "Please review it and reinstate the listing.",
}
BODY = {"name": "Listing removed", "category": "listing_removal", "language": "en", **PARTS}


@pytest.fixture(autouse=True)
def in_english(agency_a, agency_b):
    Agency.objects.filter(pk__in=[agency_a.agency.pk, agency_b.agency.pk]).update(default_language="en")


@pytest.fixture(autouse=True)
def in_agency_a(agency_a):
    with agency_a.scope():
        yield


@pytest.fixture
def api_as(api_as):
    def make(credential):
        client = api_as(credential)
        client.cookies["django_language"] = "en"
        return client

    return make


def template_of(persona, **changes):
    caller = Caller.person(agency=persona.agency, user=persona.manager, role="manager")
    with persona.scope():
        return services.template_create(agency=persona.agency, caller=caller, **{**BODY, **changes})


def detail(template, action=""):
    return f"{LIST}{template.pk}/{action + '/' if action else ''}"


def who(persona, name):
    return persona.rw_header if name == "read-write key" else persona.staff[name]


# -- the library ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["owner", "manager", "read-write key"])
def test_managers_add_a_template_with_version_one(agency_a, api_as, name):
    answer = api_as(who(agency_a, name)).post(LIST, BODY, format="json")

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["version"], body["category_label"], body["reference"]) == (1, "Listing removal", PARTS["reference"])
    assert MessageTemplateVersion.objects.get(template_id=body["id"]).number == 1


@pytest.mark.parametrize("name", ["operator", "viewer"])
def test_operators_and_viewers_read_the_library_but_may_not_write_it(agency_a, api_as, name):
    template = template_of(agency_a)
    client = api_as(agency_a.staff[name])

    assert client.get(LIST).json()["results"][0]["id"] == template.pk
    assert client.post(LIST, {**BODY, "name": "Another"}, format="json").status_code == 403
    assert client.patch(detail(template), {"name": "Renamed"}, format="json").status_code == 403
    assert client.post(CATEGORIES, {"code": "vat", "name": "VAT"}, format="json").status_code == 403
    assert MessageTemplate.objects.get().name == "Listing removed"


def test_a_read_only_key_may_not_write_the_library(agency_a, api_as):
    assert api_as(agency_a.ro_header).post(LIST, BODY, format="json").status_code == 403


def test_an_unknown_placeholder_is_a_400_on_its_part(agency_a, api_as):
    answer = api_as(agency_a.manager).post(LIST, {**BODY, "evidence": "See {attachment}."}, format="json")

    assert answer.status_code == 400
    assert list(answer.json()) == ["evidence"] and "{attachment}" in answer.json()["evidence"][0]
    assert not MessageTemplate.objects.exists()


def test_the_list_filters_by_category_language_and_in_use(agency_a, api_as):
    english = template_of(agency_a)
    chinese = template_of(agency_a, language="zh-hans", name="商品被下架")
    payments = template_of(agency_a, category="payments", name="Payments")
    services.template_retire(agency=agency_a.agency, caller=None, template=payments)
    client = api_as(agency_a.viewer)

    def ids(query):
        answer = client.get(LIST + query)
        assert answer.status_code == 200, answer.content
        return {row["id"] for row in answer.json()["results"]}

    assert ids("?category=listing_removal") == {english.pk, chinese.pk}
    assert ids("?language=zh-hans") == {chinese.pk}
    assert ids("?active=false") == {payments.pk}
    assert client.get(LIST + "?language=fr").status_code == 400


def test_patching_a_part_writes_a_new_version_and_the_versions_are_listed_newest_first(agency_a, api_as):
    template = template_of(agency_a)
    client = api_as(agency_a.manager)

    answer = client.patch(detail(template), {"evidence": "The attached invoice and photos."}, format="json")

    assert answer.status_code == 200, answer.content
    assert (answer.json()["version"], answer.json()["evidence"]) == (2, "The attached invoice and photos.")
    versions = client.get(detail(template, "versions")).json()["results"]
    assert [(row["number"], row["evidence"]) for row in versions] == [
        (2, "The attached invoice and photos."), (1, PARTS["evidence"])]
    assert versions[0]["created_by"] == agency_a.manager.email


def test_patching_in_use_false_retires_the_template(agency_a, api_as):
    template = template_of(agency_a)

    answer = api_as(agency_a.manager).patch(detail(template), {"is_active": False}, format="json")

    assert answer.status_code == 200 and answer.json()["is_active"] is False
    assert MessageTemplateVersion.objects.filter(template=template).count() == 1


# -- rendering -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["operator", "manager", "read-write key"])
def test_those_who_work_on_cases_fill_a_template_in_for_a_case(agency_a, api_as, name):
    template = template_of(agency_a)
    case = SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="1234567890", asins=["B0CXYZ1234"])

    answer = api_as(who(agency_a, name)).post(detail(template, "render"), {"case": case.pk}, format="json")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["parts"]["reference"] == "ASIN B0CXYZ1234, Case ID 123-456-7890."
    assert body["text"].startswith("Our listing B0CXYZ1234") and body["warnings"] == []
    assert (body["version"], body["template_version"]) == (1, template.current.pk)
    assert MessageTemplate.objects.get(pk=template.pk).use_count == 0, "a rendering is no use of the template"


def test_the_render_route_says_which_placeholders_the_current_version_needs(agency_a, api_as):
    template = template_of(agency_a)

    answer = api_as(agency_a.viewer).get(detail(template, "render"))

    assert answer.status_code == 200
    assert answer.json()["version"] == 1
    assert [row["name"] for row in answer.json()["placeholders"]] == ["asin", "store", "case_id"]


def test_a_viewer_may_not_fill_a_template_in(agency_a, api_as):
    template = template_of(agency_a)
    case = SupportCaseFactory(store=agency_a.assigned_store)

    assert api_as(agency_a.viewer).post(detail(template, "render"), {"case": case.pk},
                                        format="json").status_code == 403


def test_a_part_that_cannot_be_filled_in_is_a_400_naming_the_part(agency_a, api_as):
    template = template_of(agency_a)
    draft = SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="", status="drafted")

    answer = api_as(agency_a.manager).post(detail(template, "render"), {"case": draft.pk}, format="json")

    assert answer.status_code == 400
    assert list(answer.json()) == ["reference"] and "ASIN / Case ID" in answer.json()["reference"][0]


def test_the_tone_warnings_of_the_message_come_with_it(agency_a, api_as):
    template = template_of(agency_a, expected_result="Please reinstate it immediately!!")
    answer = api_as(agency_a.manager).post(detail(template, "render"), {
        "store": agency_a.assigned_store.pk, "values": {"asin": "B0CXYZ1234", "case_id": "1234567890"}},
        format="json")

    assert answer.status_code == 200, answer.content
    warnings = {row["code"]: row["snippets"] for row in answer.json()["warnings"]}
    assert warnings == {"exclamations": ["immediately!!"], "chasing": ["immediately"]}


def test_a_chinese_template_is_filled_in_over_the_api(agency_a, api_as):
    template = template_of(agency_a, language="zh-hans", name="商品被下架",
                           issue_type="我们店铺 {store} 的商品 {asin} 被下架。", reference="案例编号 {case_id}。",
                           evidence="附件中的发票说明该商品是正品。", expected_result="请审核并恢复上架。")
    case = SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="1234567890", asins=["B0CXYZ1234"])

    answer = api_as(agency_a.operator).post(detail(template, "render"), {"case": case.pk}, format="json")

    assert answer.status_code == 200, answer.content
    assert answer.json()["parts"]["reference"] == "案例编号 123-456-7890。"


# -- isolation -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("action", ["", "versions", "render"])
def test_another_agencys_template_is_a_404(agency_a, agency_b, api_as, action):
    foreign = template_of(agency_b)
    client = api_as(agency_a.owner)

    if action == "render":
        answer = client.post(detail(foreign, action), {"store": agency_a.assigned_store.pk}, format="json")
    else:
        answer = client.get(detail(foreign, action))

    assert answer.status_code == 404
    assert client.patch(detail(foreign), {"name": "Mine"}, format="json").status_code == 404


def test_another_agencys_case_or_a_case_beyond_an_operator_is_an_error_on_case(agency_a, agency_b, api_as):
    template = template_of(agency_a)
    with agency_b.scope():
        foreign = SupportCaseFactory(store=agency_b.assigned_store)
    beyond = SupportCaseFactory(store=agency_a.other_store)

    for client, case in ((api_as(agency_a.owner), foreign), (api_as(agency_a.operator), beyond)):
        answer = client.post(detail(template, "render"), {"case": case.pk}, format="json")
        assert answer.status_code == 400 and list(answer.json()) == ["case"], answer.content


# -- categories ----------------------------------------------------------------------------------------------------
def test_the_built_in_categories_are_listed_with_the_agencys_own(agency_a, agency_b, api_as):
    answer = api_as(agency_a.manager).post(CATEGORIES, {"code": "vat_invoices", "name": "VAT invoices"},
                                           format="json")
    assert answer.status_code == 201, answer.content

    rows = api_as(agency_a.viewer).get(CATEGORIES).json()
    assert [row["code"] for row in rows] == [*(category.code for category in categories.BUILT_IN), "vat_invoices"]
    assert rows[0] == {"id": None, "code": "account_health", "name": "Account health", "built_in": True}
    assert rows[-1]["built_in"] is False
    assert "vat_invoices" not in [row["code"] for row in api_as(agency_b.viewer).get(CATEGORIES).json()]


def test_a_built_in_code_is_refused_for_a_category_of_the_agencys_own(agency_a, api_as):
    answer = api_as(agency_a.manager).post(CATEGORIES, {"code": "payments", "name": "Money"}, format="json")

    assert answer.status_code == 400 and list(answer.json()) == ["code"]
    assert not CaseCategory.objects.exists()


def test_the_list_reads_as_many_queries_for_three_templates_as_for_thirty(agency_a, api_as):
    client = api_as(agency_a.viewer)

    def queries_for(count):
        for number in range(MessageTemplate.objects.count(), count):
            template_of(agency_a, name=f"Listing removed {number}")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST, {"page_size": 50}).status_code == 200
        return len(captured)

    assert queries_for(3) == queries_for(30)
