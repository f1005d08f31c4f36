"""HR chats in the admin: the list (operators: their stores; the same queries for 10 chats as for 100), the add page
that refuses a chat the rules forbid with every reason on the form (the 4th of the day suggests a case), the
eligibility shown under the chosen store, a transcript pasted and read into messages shown on the chat's page; a
bulk deletion flagged by an operator; "opened anyway" and a freeze lift by managers only."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from cases.models import ChatFreezeLift, ChatMessage, ChatSession, StoreChatChannel
from tests.cases.factories import ChatSessionFactory
from tests.cases.test_chat_services import TRANSCRIPT, make_healthy, yesterday_at
from tests.factories import StoreFactory
from tests.page_queries import compare

URL = "/admin/cases/chatsession/"


@pytest.fixture(autouse=True)
def in_agency_a(agency_a):
    with agency_a.scope():
        yield


def form_of(persona, *, at, store=None, **fields):
    local = at.astimezone(zoneinfo.ZoneInfo(timezone.get_current_timezone_name()))
    return {"store": (store or persona.assigned_store).pk, "requested_at_0": local.strftime("%Y-%m-%d"),
            "requested_at_1": local.strftime("%H:%M:%S"), "connected": "on", "agent": "", "category": "account_health",
            "message": "Our listing B0CXYZ1234 was removed; the invoice shows it is genuine.", "outcome": "",
            "notes": "", "transcript": "", **fields}


def test_the_fourth_chat_of_the_day_is_refused_on_the_add_page_with_a_case_suggested(agency_a, client_as):
    make_healthy(agency_a.assigned_store)
    client = client_as(agency_a.operator)
    for minute in (0, 10, 20):
        answer = client.post(f"{URL}add/", form_of(agency_a, at=yesterday_at(agency_a.agency, 9, minute)))
        assert answer.status_code == 302, answer.content.decode()[:3000]

    refused = client.post(f"{URL}add/", form_of(agency_a, at=yesterday_at(agency_a.agency, 9, 30)))

    assert refused.status_code == 200
    assert "open a case instead" in refused.content.decode()
    assert ChatSession.objects.filter(store=agency_a.assigned_store).count() == 3


def test_an_ineligible_store_is_refused_with_every_reason_on_the_form(agency_a, client_as):
    refused = client_as(agency_a.manager).post(f"{URL}add/", form_of(agency_a, at=yesterday_at(agency_a.agency, 9)))
    assert refused.status_code == 200
    assert "No AHR reported" in refused.content.decode()
    assert not ChatSession.objects.exists()


def test_the_add_page_shows_whether_the_chosen_store_may_chat_now(agency_a, client_as):
    make_healthy(agency_a.assigned_store)
    page = client_as(agency_a.operator).get(f"{URL}add/?store={agency_a.assigned_store.pk}").content.decode()
    assert "may chat now" in page and "Chats left today: 3." in page
    page = client_as(agency_a.operator).get(f"{URL}add/?store={agency_a.other_store.pk}").content.decode()
    assert "may chat now" not in page and "may not chat now" not in page


def test_a_pasted_transcript_is_read_into_messages_shown_on_the_chats_page(agency_a, client_as):
    make_healthy(agency_a.assigned_store)
    client = client_as(agency_a.operator)
    answer = client.post(f"{URL}add/", form_of(agency_a, at=yesterday_at(agency_a.agency, 9), transcript=TRANSCRIPT))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    chat = ChatSession.objects.get(store=agency_a.assigned_store)
    assert ChatMessage.objects.filter(session=chat).count() == 2
    page = client.get(f"{URL}{chat.pk}/change/").content.decode()
    assert "Hello, how can I help?" in page


def test_an_unparseable_transcript_is_refused_on_the_form_and_nothing_written(agency_a, client_as):
    make_healthy(agency_a.assigned_store)
    answer = client_as(agency_a.operator).post(
        f"{URL}add/", form_of(agency_a, at=yesterday_at(agency_a.agency, 9), transcript="nothing to read here"))
    assert answer.status_code == 200
    assert "No chat message was recognised" in answer.content.decode()
    assert not ChatSession.objects.exists()


def test_operators_list_the_chats_of_their_stores_and_viewers_read_only(agency_a, client_as):
    own = ChatSessionFactory(store=agency_a.assigned_store, agent="Own agent")
    ChatSessionFactory(store=agency_a.other_store, agent="Other agent")
    page = client_as(agency_a.operator).get(URL).content.decode()
    assert "Own agent" in page and "Other agent" not in page
    assert client_as(agency_a.operator).get(f"{URL}{ChatSessionFactory(store=agency_a.other_store).pk}/change/"
                                           ).status_code == 404
    viewer = client_as(agency_a.viewer)
    assert viewer.get(f"{URL}add/").status_code == 403
    assert viewer.get(f"{URL}{own.pk}/change/").status_code == 200
    assert viewer.post(f"{URL}{own.pk}/change/", {"outcome": "invalid"}).status_code == 403


def test_another_agencys_chat_is_a_404(agency_a, agency_b, client_as):
    with scopes_disabled():
        foreign = ChatSessionFactory(store=agency_b.assigned_store)
    assert client_as(agency_a.owner).get(f"{URL}{foreign.pk}/change/").status_code == 404


def test_the_list_costs_the_same_queries_for_10_chats_as_for_100(agency_a, client_as, django_assert_max_num_queries):
    client = client_as(agency_a.manager)

    def grow(count):
        with scopes_disabled():
            stores = [StoreFactory(agency=agency_a.agency, client=agency_a.client) for _ in range(3)]
            ChatSession.objects.bulk_create([
                ChatSession(agency=agency_a.agency, store=stores[n % 3], requested_at=timezone.now(),
                            category="account_health", agent=f"Counted {n}") for n in range(count)])

    few, many = compare(lambda: client.get(URL), grow, django_assert_max_num_queries, marker="Counted ")
    assert (few, many) == (10, 50)


def test_an_operator_flags_a_bulk_deletion_but_not_opened_anyway(agency_a, client_as):
    client = client_as(agency_a.operator)
    day = agency_a.agency.today().isoformat()
    answer = client.post("/admin/cases/storechatchannel/add/",
                         {"store": agency_a.assigned_store.pk, "bulk_deletion_on": day, "opened_anyway": "on",
                          "opened_anyway_reason": "Sneaky"})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    channel = StoreChatChannel.objects.get(store=agency_a.assigned_store)
    assert (channel.bulk_deletion_on.isoformat(), channel.opened_anyway) == (day, False)


def test_a_manager_records_opened_anyway_with_a_reason(agency_a, client_as):
    client = client_as(agency_a.manager)
    missing = client.post("/admin/cases/storechatchannel/add/",
                          {"store": agency_a.other_store.pk, "bulk_deletion_on": "", "opened_anyway": "on",
                           "opened_anyway_reason": ""})
    assert missing.status_code == 200 and not StoreChatChannel.objects.filter(opened_anyway=True).exists()
    answer = client.post("/admin/cases/storechatchannel/add/",
                         {"store": agency_a.other_store.pk, "bulk_deletion_on": "", "opened_anyway": "on",
                          "opened_anyway_reason": "Brand Registry opened it."})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    channel = StoreChatChannel.objects.get(store=agency_a.other_store)
    assert (channel.opened_anyway, channel.opened_anyway_by) == (True, agency_a.manager)


def test_a_manager_lifts_a_freeze_with_a_reason_and_an_operator_may_not(agency_a, client_as):
    store = agency_a.assigned_store
    start = timezone.now() - datetime.timedelta(days=1)
    ChatSessionFactory(store=store, requested_at=start, outcome="invalid")
    ChatSessionFactory(store=store, requested_at=start + datetime.timedelta(minutes=5), outcome="invalid")
    add = "/admin/cases/chatfreezelift/add/"
    assert client_as(agency_a.operator).get(add).status_code == 403
    manager = client_as(agency_a.manager)
    not_frozen = manager.post(add, {"store": agency_a.other_store.pk, "reason": "Why not"})
    assert not_frozen.status_code == 200 and "is not frozen" in not_frozen.content.decode()

    answer = manager.post(add, {"store": store.pk, "reason": "The inquiries were fair."})

    assert answer.status_code == 302, answer.content.decode()[:3000]
    lift = ChatFreezeLift.objects.get(store=store)
    assert (lift.lifted_by, lift.reason) == (agency_a.manager, "The inquiries were fair.")


def test_the_store_of_a_logged_chat_or_channel_cannot_be_changed(agency_a, client_as):
    chat = ChatSessionFactory(store=agency_a.assigned_store, agent="Kept")
    channel = StoreChatChannel.objects.create(agency=agency_a.agency, store=agency_a.assigned_store,
                                              bulk_deletion_on=agency_a.agency.today())
    client = client_as(agency_a.manager)
    answer = client.post(f"{URL}{chat.pk}/change/", {"store": agency_a.other_store.pk, "agent": "Changed"})
    assert answer.status_code == 200 and "cannot be changed" in answer.content.decode()
    answer = client.post(f"/admin/cases/storechatchannel/{channel.pk}/change/", {"store": agency_a.other_store.pk})
    assert answer.status_code == 200
    chat.refresh_from_db()
    channel.refresh_from_db()
    assert (chat.store, chat.agent, channel.bulk_deletion_on) == (agency_a.assigned_store, "Kept",
                                                                  agency_a.agency.today())
