"""The template library, the agency's case categories and the case and chat policy in the admin: managers write,
everyone else reads; a change of a part writes a new version, listed read only; a preview fills the template in
for a case; another agency's template is a 404."""

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from accounts.platform.admin_site import site
from accounts.tenancy import Caller
from cases.models import CaseCategory, CasePolicy, MessageTemplate, MessageTemplateVersion
from cases.services import templates as services
from tests.cases.factories import SupportCaseFactory

TEMPLATES = "/admin/cases/messagetemplate/"
CATEGORIES = "/admin/cases/casecategory/"
POLICY = "/admin/cases/casepolicy/"
PARTS = {
    "issue_type": "Our listing {asin} in the store {store} was removed.",
    "reference": "ASIN {asin}, Case ID {case_id}.",
    "evidence": "The attached invoice shows the product is genuine.",
    "expected_result": "Please review it and reinstate the listing.",
}
FORM = {"name": "Listing removed", "category": "listing_removal", "language": "en", "is_active": "on", **PARTS}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def template_of(persona, **changes):
    caller = Caller.person(agency=persona.agency, user=persona.manager, role="manager")
    with persona.scope():
        details = {key: value for key, value in {**FORM, **changes}.items() if key != "is_active"}
        return services.template_create(agency=persona.agency, caller=caller, **details)


def ours(model_admin):
    """What the admin instance holds, but the request the admin theme itself keeps on it (not ours to change)."""
    return {name: value for name, value in vars(model_admin).items() if name != "request"}


def change_url(template):
    return reverse("admin:cases_messagetemplate_change", args=[template.pk])


def versions_of(template):
    with scopes_disabled():
        return dict(MessageTemplateVersion.objects.filter(template=template).values_list("number", "evidence"))


# -- the library ---------------------------------------------------------------------------------------------------
def test_the_list_shows_category_language_version_uses_and_in_use(agency_a, client_as):
    template = template_of(agency_a)
    with agency_a.scope():
        services.template_revise(agency=agency_a.agency, caller=None, template=template, evidence="New evidence.")

    page = client_as(agency_a.viewer).get(TEMPLATES)

    assert page.status_code == 200
    row = page.context["cl"].result_list[0]
    assert row.pk == template.pk
    html = page.content.decode()
    assert "Listing removal" in html and "Listing removed" in html


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_managers_add_a_template_with_its_four_parts(agency_a, client_as, role):
    answer = client_as(agency_a.staff[role]).post(f"{TEMPLATES}add/", FORM)

    assert answer.status_code == 302, answer.context["adminform"].form.errors
    with scopes_disabled():
        template = MessageTemplate.objects.get(agency=agency_a.agency)
        version = template.versions.get()
    assert (version.number, version.parts(), version.created_by) == (1, PARTS, agency_a.staff[role])


def test_an_unknown_placeholder_is_a_form_error_on_its_part_and_nothing_is_added(agency_a, client_as):
    answer = client_as(agency_a.manager).post(f"{TEMPLATES}add/", {**FORM, "reference": "Order {order_id}."})

    errors = answer.context["adminform"].form.errors
    assert "{order_id}" in errors["reference"][0]
    with scopes_disabled():
        assert not MessageTemplate.objects.filter(agency=agency_a.agency).exists()


def test_editing_a_part_writes_a_new_version_and_the_earlier_one_is_listed(agency_a, client_as):
    template = template_of(agency_a)
    client = client_as(agency_a.manager)

    answer = client.post(change_url(template), {**FORM, "evidence": "The attached invoice and photos."})

    assert answer.status_code == 302, answer.context["adminform"].form.errors
    assert versions_of(template) == {1: PARTS["evidence"], 2: "The attached invoice and photos."}
    page = client.get(change_url(template)).content.decode()
    assert "v1" in page and "v2" in page and 'name="evidence"' in page


def test_saving_the_page_unchanged_writes_no_version(agency_a, client_as):
    template = template_of(agency_a)

    client_as(agency_a.manager).post(change_url(template), FORM)

    assert versions_of(template) == {1: PARTS["evidence"]}


def test_unticking_in_use_retires_the_template(agency_a, client_as):
    template = template_of(agency_a)

    client_as(agency_a.manager).post(change_url(template), {key: value for key, value in FORM.items()
                                                           if key != "is_active"})

    with scopes_disabled():
        assert not MessageTemplate.objects.get(pk=template.pk).is_active


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operators_and_viewers_read_a_template_but_change_nothing(agency_a, client_as, role):
    template = template_of(agency_a)
    client = client_as(agency_a.staff[role])

    page = client.get(change_url(template))

    assert page.status_code == 200 and 'name="evidence"' not in page.content.decode()
    assert PARTS["evidence"] in page.content.decode()
    assert client.post(change_url(template), {**FORM, "evidence": "Changed."}).status_code == 403
    assert client.get(f"{TEMPLATES}add/").status_code == 403
    assert versions_of(template) == {1: PARTS["evidence"]}


def test_the_preview_fills_the_template_in_for_a_chosen_case(agency_a, client_as):
    template = template_of(agency_a)
    with agency_a.scope():
        case = SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="1234567890", asins=["B0CXYZ1234"])

    page = client_as(agency_a.operator).get(f"{change_url(template)}?preview_case={case.pk}").content.decode()

    assert "ASIN B0CXYZ1234, Case ID 123-456-7890." in page
    with scopes_disabled():
        assert MessageTemplate.objects.get(pk=template.pk).use_count == 0


def test_the_preview_keeps_nothing_of_the_reader_on_the_shared_admin(agency_a, client_as):
    # One admin instance serves every request at once: a reader's caller or chosen case kept on it would fill in
    # the preview of whoever is served next.
    template = template_of(agency_a)
    with agency_a.scope():
        case = SupportCaseFactory(store=agency_a.assigned_store, amazon_case_id="1234567890", asins=["B0CXYZ1234"])
    shared = site._registry[MessageTemplate]
    before = ours(shared)

    chosen = client_as(agency_a.operator).get(f"{change_url(template)}?preview_case={case.pk}").content.decode()
    plain = client_as(agency_a.manager).get(change_url(template)).content.decode()

    assert "ASIN B0CXYZ1234, Case ID 123-456-7890." in chosen
    assert "ASIN B0CXYZ1234, Case ID 123-456-7890." not in plain
    assert ours(shared) == before


def test_another_agencys_template_is_a_404(agency_a, agency_b, client_as):
    foreign = template_of(agency_b)

    assert client_as(agency_a.owner).get(change_url(foreign)).status_code == 404


def test_nobody_deletes_a_template(agency_a, client_as):
    template = template_of(agency_a)

    answer = client_as(agency_a.owner).get(reverse("admin:cases_messagetemplate_delete", args=[template.pk]))

    assert answer.status_code == 403


# -- categories ----------------------------------------------------------------------------------------------------
def test_managers_add_a_category_and_a_built_in_code_is_refused(agency_a, client_as):
    client = client_as(agency_a.manager)

    assert client.post(f"{CATEGORIES}add/", {"code": "vat_invoices", "name": "VAT invoices"}).status_code == 302
    refused = client.post(f"{CATEGORIES}add/", {"code": "payments", "name": "Money"})

    assert "built-in" in refused.context["adminform"].form.errors["code"][0]
    with scopes_disabled():
        assert list(CaseCategory.objects.filter(agency=agency_a.agency).values_list("code", flat=True)) == [
            "vat_invoices"]
    add_template = client.get(f"{TEMPLATES}add/").content.decode()
    assert '<option value="vat_invoices">VAT invoices</option>' in add_template


def test_a_viewer_adds_no_category(agency_a, client_as):
    assert client_as(agency_a.viewer).post(f"{CATEGORIES}add/", {"code": "vat", "name": "VAT"}).status_code == 403


# -- the policy ----------------------------------------------------------------------------------------------------
def policy_of(persona):
    with scopes_disabled():
        return CasePolicy.objects.filter(agency=persona.agency).first()


POLICY_FORM = {"min_store_age_days": 180, "ahr_threshold": 980, "ahr_days": 90, "violation_days": 90,
               "bulk_deletion_days": 30, "chats_per_day": 3, "invalid_to_freeze": 2, "freeze_days": 7,
               "follow_up_after_hours": 24}


def test_the_policy_row_is_made_for_a_manager_and_current_opens_its_form(agency_a, client_as):
    assert client_as(agency_a.viewer).get(POLICY).status_code == 200 and policy_of(agency_a) is None
    client_as(agency_a.manager).get(POLICY)

    policy = policy_of(agency_a)
    answer = client_as(agency_a.manager).get(f"{POLICY}current/")
    assert answer["Location"] == reverse("admin:cases_casepolicy_change", args=[policy.pk])


def test_a_manager_sets_the_numbers_and_a_refused_one_is_a_form_error(agency_a, client_as):
    client = client_as(agency_a.manager)
    client.get(POLICY)
    url = reverse("admin:cases_casepolicy_change", args=[policy_of(agency_a).pk])

    assert client.post(url, {**POLICY_FORM, "chats_per_day": 4}).status_code == 302
    assert policy_of(agency_a).chats_per_day == 4
    refused = client.post(url, {**POLICY_FORM, "chats_per_day": 0, "freeze_days": 9})
    assert "chats_per_day" in refused.context["adminform"].form.errors
    assert (policy_of(agency_a).chats_per_day, policy_of(agency_a).freeze_days) == (4, 7)


def test_a_viewer_reads_the_policy_but_cannot_change_it(agency_a, client_as):
    client_as(agency_a.manager).get(POLICY)
    url = reverse("admin:cases_casepolicy_change", args=[policy_of(agency_a).pk])
    viewer = client_as(agency_a.viewer)

    page = viewer.get(url)

    assert page.status_code == 200 and 'name="chats_per_day"' not in page.content.decode()
    assert viewer.post(url, {**POLICY_FORM, "chats_per_day": 9}).status_code == 403
