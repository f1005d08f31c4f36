"""The template library's services (``cases.services.templates``): versions, rendering from a case, the use count,
the agency's categories and the case and chat policy."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.tenancy import Caller
from cases.models import CaseCategory, CasePolicy, MessageTemplate, MessageTemplateVersion
from cases.selectors import templates as selectors
from cases.services import templates as services
from tests.cases.factories import SupportCaseFactory

PARTS = {
    "issue_type": "Our listing {asin} in the store {store} was removed.",
    "reference": "ASIN {asin}, Case ID {case_id}.",
    "evidence": "The attached invoice shows the product is genuine.",
    "expected_result": "Please review it and reinstate the listing.",
}


@pytest.fixture(autouse=True)
def in_agency_a(agency_a):
    with agency_a.scope(), translation.override("en"):
        yield


@pytest.fixture
def manager(agency_a):
    return Caller.person(agency=agency_a.agency, user=agency_a.manager, role="manager")


def create(persona, caller, **changes):
    details = {"name": "Listing removed", "category": "listing_removal", "language": "en", **PARTS, **changes}
    return services.template_create(agency=persona.agency, caller=caller, **details)


def errors_of(raised):
    return raised.value.message_dict


# -- versions ------------------------------------------------------------------------------------------------------
def test_a_new_template_has_version_one_written_by_its_author(agency_a, manager):
    template = create(agency_a, manager)

    version = MessageTemplateVersion.objects.get(template=template)
    assert (version.number, version.created_by, version.parts()) == (1, agency_a.manager, PARTS)


def test_revising_a_part_writes_version_two_and_keeps_version_one(agency_a, manager):
    template = create(agency_a, manager)

    revised = services.template_revise(agency=agency_a.agency, caller=manager, template=template,
                                       evidence="The attached invoice and photos show the product is genuine.")

    assert revised.revised and revised.current.number == 2
    versions = {v.number: v for v in MessageTemplateVersion.objects.filter(template=template)}
    assert versions[1].evidence == PARTS["evidence"]
    assert versions[2].evidence == "The attached invoice and photos show the product is genuine."
    assert versions[2].issue_type == PARTS["issue_type"]


def test_saving_the_same_parts_writes_no_new_version(agency_a, manager):
    template = create(agency_a, manager)

    revised = services.template_revise(agency=agency_a.agency, caller=manager, template=template, name="Renamed",
                                       **PARTS)

    assert not revised.revised
    assert MessageTemplateVersion.objects.filter(template=template).count() == 1
    assert MessageTemplate.objects.get(pk=template.pk).name == "Renamed"


def test_uses_are_counted_per_version_and_on_the_template_only_when_the_message_is_used(agency_a, manager):
    template = create(agency_a, manager)
    case = SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="1234567890", asins=["B0CXYZ1234"])
    services.template_render(agency=agency_a.agency, caller=manager, template=template, case=case)  # a preview
    services.template_render(agency=agency_a.agency, caller=manager, template=template, case=case, record_use=True)
    services.template_revise(agency=agency_a.agency, caller=manager, template=template, evidence="Invoice attached.")
    for _ in range(2):
        services.template_render(agency=agency_a.agency, caller=manager, template=template, case=case,
                                 record_use=True)

    counts = dict(MessageTemplateVersion.objects.filter(template=template).values_list("number", "use_count"))
    assert counts == {1: 1, 2: 2}
    assert MessageTemplate.objects.get(pk=template.pk).use_count == 3


def test_an_unknown_placeholder_is_refused_at_save_on_its_part(agency_a, manager):
    with pytest.raises(ValidationError) as raised:
        create(agency_a, manager, reference="ASIN {asin}, order {order_id}.")

    assert list(errors_of(raised)) == ["reference"]
    assert "{order_id}" in errors_of(raised)["reference"][0]
    assert not MessageTemplate.objects.exists()


def test_a_revision_with_an_unknown_placeholder_writes_nothing(agency_a, manager):
    template = create(agency_a, manager)

    with pytest.raises(ValidationError) as raised:
        services.template_revise(agency=agency_a.agency, caller=manager, template=template, name="Renamed",
                                 evidence="See {attachment}.")

    assert list(errors_of(raised)) == ["evidence"]
    assert MessageTemplate.objects.get(pk=template.pk).name == "Listing removed"
    assert MessageTemplateVersion.objects.filter(template=template).count() == 1


def test_an_unknown_category_and_a_blank_part_are_refused_on_their_fields(agency_a, manager):
    with pytest.raises(ValidationError) as raised:
        create(agency_a, manager, category="bribery", expected_result="  ")

    assert set(errors_of(raised)) == {"category", "expected_result"}
    assert "bribery" in errors_of(raised)["category"][0]


def test_a_template_may_use_a_category_of_the_agencys_own(agency_a, manager):
    services.case_category_create(agency=agency_a.agency, caller=manager, code="vat_invoices", name="VAT invoices")

    assert create(agency_a, manager, category="vat_invoices").category == "vat_invoices"


def test_a_second_template_of_the_same_name_category_and_language_is_refused_on_name(agency_a, manager):
    create(agency_a, manager)

    with pytest.raises(ValidationError) as raised:
        create(agency_a, manager)

    assert list(errors_of(raised)) == ["name"]
    assert create(agency_a, manager, language="zh-hans").language == "zh-hans"


def test_a_retired_template_is_back_in_use_when_restored(agency_a, manager):
    template = create(agency_a, manager)

    services.template_retire(agency=agency_a.agency, caller=manager, template=template)
    assert not MessageTemplate.objects.get(pk=template.pk).is_active
    services.template_restore(agency=agency_a.agency, caller=manager, template=template)
    assert MessageTemplate.objects.get(pk=template.pk).is_active


# -- rendering -----------------------------------------------------------------------------------------------------
def test_a_template_is_filled_in_from_the_case(agency_a, manager):
    template = create(agency_a, manager)
    case = SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="1234567890", asins=["B0CXYZ1234"])

    rendered = services.template_render(agency=agency_a.agency, caller=manager, template=template, case=case)

    assert rendered.parts["issue_type"] == f"Our listing B0CXYZ1234 in the store {agency_a.assigned_store.name} " \
                                           "was removed."
    assert rendered.parts["reference"] == "ASIN B0CXYZ1234, Case ID 123-456-7890."
    assert rendered.text.split("\n\n") == [rendered.parts[part] for part in PARTS]
    assert rendered.warnings == () and rendered.version.number == 1


def test_rendering_refuses_a_part_that_would_be_empty_naming_it(agency_a, manager):
    template = create(agency_a, manager)
    draft = SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="", status="drafted",
                               asins=["B0CXYZ1234"])

    with pytest.raises(ValidationError) as raised:
        services.template_render(agency=agency_a.agency, caller=manager, template=template, case=draft,
                                 record_use=True)

    assert list(errors_of(raised)) == ["reference"]
    assert "ASIN / Case ID" in errors_of(raised)["reference"][0] and "case id" in errors_of(raised)["reference"][0]
    assert MessageTemplate.objects.get(pk=template.pk).use_count == 0


def test_a_chinese_template_is_filled_in(agency_a, manager):
    template = create(agency_a, manager, name="商品被下架", language="zh-hans",
                      issue_type="我们店铺 {store} 中 ASIN 为 {asin} 的商品被下架。", reference="案例编号 {case_id}。",
                      evidence="附件中的发票说明该商品是正品。", expected_result="请审核并恢复上架。")
    case = SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="1234567890", asins=["B0CXYZ1234"])

    rendered = services.template_render(agency=agency_a.agency, caller=manager, template=template, case=case)

    store = agency_a.assigned_store.name
    assert rendered.parts["issue_type"] == f"我们店铺 {store} 中 ASIN 为 B0CXYZ1234 的商品被下架。"
    assert rendered.parts["reference"] == "案例编号 123-456-7890。"
    assert rendered.warnings == ()


def test_rendering_reports_the_tone_warnings_of_the_message(agency_a, manager):
    template = create(agency_a, manager, expected_result="Please reinstate it immediately!!")
    case = SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="1234567890", asins=["B0CXYZ1234"])

    rendered = services.template_render(agency=agency_a.agency, caller=manager, template=template, case=case)

    assert {warning.code for warning in rendered.warnings} == {"exclamations", "chasing"}


def test_a_case_of_another_agency_is_no_such_case(agency_a, agency_b, manager):
    template = create(agency_a, manager)
    with agency_b.scope():
        foreign = SupportCaseFactory(store=agency_b.assigned_store, amazon_case_id="1234567890")

    with pytest.raises(ValidationError) as raised:
        services.template_render(agency=agency_a.agency, caller=manager, template=template, case=foreign)

    assert list(errors_of(raised)) == ["case"]


def test_an_operator_renders_only_with_the_cases_of_their_stores(agency_a, manager):
    template = create(agency_a, manager)
    operator = Caller.person(agency=agency_a.agency, user=agency_a.operator, role="operator")
    theirs = SupportCaseFactory(store=agency_a.assigned_store, asins=["B0CXYZ1234"])
    beyond = SupportCaseFactory(store=agency_a.other_store, asins=["B0CXYZ1234"])

    assert services.template_render(agency=agency_a.agency, caller=operator, template=template, case=theirs).text
    with pytest.raises(ValidationError) as raised:
        services.template_render(agency=agency_a.agency, caller=operator, template=template, case=beyond)
    assert list(errors_of(raised)) == ["case"]


def test_without_a_case_the_store_and_the_values_given_fill_the_template(agency_a, manager):
    template = create(agency_a, manager)

    rendered = services.template_render(agency=agency_a.agency, caller=manager, template=template,
                                        store=agency_a.assigned_store,
                                        values={"asin": "B0CXYZ1234", "case_id": "123-456-7890"})

    assert rendered.parts["reference"] == "ASIN B0CXYZ1234, Case ID 123-456-7890."
    with pytest.raises(ValidationError) as raised:
        services.template_render(agency=agency_a.agency, caller=manager, template=template,
                                 store=agency_a.assigned_store, values={"order_id": "1"})
    assert list(errors_of(raised)) == ["values"]


# -- categories ----------------------------------------------------------------------------------------------------
def test_a_category_of_the_agencys_own_is_listed_after_the_built_in_ones(agency_a, agency_b, manager):
    services.case_category_create(agency=agency_a.agency, caller=manager, code="vat_invoices", name="VAT invoices")

    found = selectors.case_categories(agency=agency_a.agency)
    assert list(found)[-1] == "vat_invoices" and not found["vat_invoices"].built_in
    assert found["account_health"].built_in
    with agency_b.scope():
        assert "vat_invoices" not in selectors.case_categories(agency=agency_b.agency)


@pytest.mark.parametrize(("code", "problem"), [("account_health", "built-in"), ("Bad Code", "not a category code"),
                                               ("vat_invoices", "already has")])
def test_a_category_code_must_be_new_and_well_formed(agency_a, manager, code, problem):
    services.case_category_create(agency=agency_a.agency, caller=manager, code="vat_invoices", name="VAT invoices")

    with pytest.raises(ValidationError) as raised:
        services.case_category_create(agency=agency_a.agency, caller=manager, code=code, name="Another")

    assert problem in errors_of(raised)["code"][0]
    assert CaseCategory.objects.count() == 1


# -- the policy ----------------------------------------------------------------------------------------------------
def test_the_policy_is_the_seed_articles_numbers_until_changed(agency_a):
    policy = selectors.policy_of(agency=agency_a.agency)

    assert policy.pk is None and (policy.chats_per_day, policy.freeze_days, policy.min_store_age_days) == (3, 7, 180)


def test_setting_the_policy_changes_only_the_numbers_given(agency_a, manager):
    services.case_policy_set(agency=agency_a.agency, caller=manager, chats_per_day=5, freeze_days="10")

    policy = CasePolicy.objects.get(agency=agency_a.agency)
    assert (policy.chats_per_day, policy.freeze_days, policy.invalid_to_freeze) == (5, 10, 2)
    assert policy.rules().chats_per_day == 5


@pytest.mark.parametrize(("field", "value"), [("chats_per_day", 0), ("freeze_days", 91), ("ahr_threshold", -1),
                                              ("ahr_days", "many"), ("invalid_to_freeze", True)])
def test_a_policy_number_out_of_bounds_is_refused_naming_the_field_and_nothing_changes(agency_a, manager, field,
                                                                                        value):
    with pytest.raises(ValidationError) as raised:
        services.case_policy_set(agency=agency_a.agency, caller=manager, follow_up_after_hours=48, **{field: value})

    assert list(errors_of(raised)) == [field] and str(value) in errors_of(raised)[field][0]
    assert selectors.policy_of(agency=agency_a.agency).follow_up_after_hours == 24
