"""What the Seller Support lists and the store page show: a category by its label (a built-in one in the reader's
language, the agency's own by its name, never another agency's), the follow-up flag per case, and the store page's
Seller Support panel (may the store chat now and why not, its open cases, its latest chats), for what the reader
sees."""

import datetime

import pytest
from django.utils import timezone

from cases.models import CaseCategory, SupportCase
from tests.cases.factories import ChatSessionFactory, SupportCaseFactory


@pytest.fixture(autouse=True)
def in_agency_a(agency_a):
    with agency_a.scope():
        yield


def own_category(persona, name):
    return CaseCategory.objects.create(agency=persona.agency, code="vat_questions", name=name)


def test_the_lists_show_categories_by_their_labels_and_each_agency_its_own_names(agency_a, agency_b, client_as):
    own_category(agency_a, "VAT questions of A")
    with agency_b.scope():
        own_category(agency_b, "VAT questions of B")
    SupportCaseFactory(store=agency_a.assigned_store, category="vat_questions")
    SupportCaseFactory(store=agency_a.assigned_store, category="brand_registry")
    ChatSessionFactory(store=agency_a.assigned_store, category="vat_questions")

    client = client_as(agency_a.manager)
    cases = client.get("/admin/cases/supportcase/").content.decode()
    chats = client.get("/admin/cases/chatsession/").content.decode()

    assert "VAT questions of A" in cases and "Brand Registry" in cases
    assert "VAT questions of A" in chats
    assert "VAT questions of B" not in cases + chats
    assert ">vat_questions<" not in cases + chats


def test_the_case_list_flags_the_cases_to_follow_up_by_the_agencys_hours(agency_a, client_as):
    waiting = SupportCase.Status.AWAITING_AMAZON
    late = SupportCaseFactory(store=agency_a.assigned_store, subject="Late one", status=waiting,
                              waiting_since=timezone.now() - datetime.timedelta(hours=30))
    SupportCaseFactory(store=agency_a.assigned_store, subject="Fresh one", status=waiting,
                       waiting_since=timezone.now() - datetime.timedelta(hours=2))

    page = client_as(agency_a.manager).get("/admin/cases/supportcase/").content.decode()

    assert page.count("Follow up") == 1
    row = page[page.index("Late one"):]
    assert "Follow up" in row[:row.index("</tr>")]
    assert late.subject in page


def test_the_store_page_says_whether_the_store_may_chat_and_lists_its_open_cases_and_chats(agency_a, client_as):
    store = agency_a.assigned_store  # no AHR history: it may not chat, and the panel says why
    case = SupportCaseFactory(store=store, subject="Listing gone")
    chat = ChatSessionFactory(store=store)

    page = client_as(agency_a.operator).get(f"/admin/accounts/store/{store.pk}/change/").content.decode()

    assert 'id="seller-support-panel"' in page and 'data-may-chat="no"' in page
    assert 'data-reason="ahr_missing"' in page
    assert f'data-case="{case.pk}"' in page and f'data-chat="{chat.pk}"' in page
    assert "Beijing time" in page
    assert f"/admin/cases/chatsession/add/?store={store.pk}" in page
