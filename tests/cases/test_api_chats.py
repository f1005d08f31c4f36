"""The HR chat API: logging a chat (refused with every reason, 400 on ``store``, when the rules forbid it), the list
and its filters, a chat's page, its transcript and documents, and the store's channel actions. Operators work on
their stores only, viewers and read-only keys read; another agency's store or chat is a 404 on every route."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Agency
from cases import transcripts
from cases.models import ChatFreezeLift, ChatMessage, ChatSession, StoreChatChannel
from tests.cases.factories import ChatSessionFactory, SupportCaseFactory
from tests.cases.test_chat_services import TRANSCRIPT, library_document, make_healthy, yesterday_at


@pytest.fixture(autouse=True)
def in_english(agency_a, agency_b):
    Agency.objects.filter(pk__in=[agency_a.agency.pk, agency_b.agency.pk]).update(default_language="en")


@pytest.fixture(autouse=True)
def in_agency_a(agency_a):
    with agency_a.scope():
        yield


@pytest.fixture
def eligible(agency_a):
    make_healthy(agency_a.assigned_store)
    make_healthy(agency_a.other_store)
    return agency_a


def body_of(persona, store=None, *, at, **fields):
    return {"store": (store or persona.assigned_store).pk, "requested_at": at.isoformat(),
            "category": "account_health", "message": "Our listing B0CXYZ1234 was removed; the invoice is attached.",
            **fields}


def test_an_operator_logs_three_chats_of_a_day_and_the_fourth_is_refused_naming_the_quota(eligible, api_as):
    client = api_as(eligible.operator)
    for minute in (0, 10, 20):
        answer = client.post("/api/v1/chats/", body_of(eligible, at=yesterday_at(eligible.agency, 9, minute)),
                             format="json")
        assert answer.status_code == 201, answer.content

    refused = client.post("/api/v1/chats/", body_of(eligible, at=yesterday_at(eligible.agency, 9, 30)),
                          format="json")

    assert refused.status_code == 400
    assert list(refused.json()) == ["store"]
    assert "open a case instead" in refused.json()["store"][0]
    assert ChatSession.objects.filter(store=eligible.assigned_store).count() == 3


def test_a_logged_chat_answers_with_its_transcript(eligible, api_as):
    answer = api_as(eligible.rw_header).post(
        "/api/v1/chats/", body_of(eligible, at=yesterday_at(eligible.agency, 9), transcript=TRANSCRIPT,
                                  outcome="resolved", agent="Priya"), format="json")

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["outcome"], body["agent"], body["logged_by"]) == ("resolved", "Priya", None)
    assert [message["role"] for message in body["messages"]] == ["amazon", "seller"]


def test_a_chasing_message_is_refused_on_message_until_its_tone_is_confirmed(eligible, api_as):
    client = api_as(eligible.operator)
    body = body_of(eligible, at=yesterday_at(eligible.agency, 9), message="Fix it IMMEDIATELY!!!")
    refused = client.post("/api/v1/chats/", body, format="json")
    assert refused.status_code == 400 and "message" in refused.json()
    assert client.post("/api/v1/chats/", {**body, "confirm_tone": True}, format="json").status_code == 201


@pytest.mark.parametrize("who", ["viewer", "read-only key"])
def test_viewers_and_read_only_keys_read_chats_but_log_none(eligible, api_as, who):
    ChatSessionFactory(store=eligible.assigned_store)
    client = api_as(eligible.ro_header if who == "read-only key" else eligible.viewer)
    assert client.get("/api/v1/chats/").json()["count"] == 1
    answer = client.post("/api/v1/chats/", body_of(eligible, at=yesterday_at(eligible.agency, 9)), format="json")
    assert answer.status_code == 403
    assert not ChatSession.objects.filter(requested_at=yesterday_at(eligible.agency, 9)).exists()


def test_a_chat_for_another_agencys_store_is_refused_on_store(eligible, agency_b, api_as):
    body = body_of(eligible, agency_b.assigned_store, at=yesterday_at(eligible.agency, 9))
    answer = api_as(eligible.owner).post("/api/v1/chats/", body, format="json")
    assert answer.status_code == 400 and "store" in answer.json()


def test_the_list_shows_an_operator_their_stores_and_filters_by_store_outcome_and_day(eligible, api_as):
    own = ChatSessionFactory(store=eligible.assigned_store, outcome="invalid",
                             requested_at=yesterday_at(eligible.agency, 9))
    ChatSessionFactory(store=eligible.assigned_store, outcome="resolved",
                       requested_at=yesterday_at(eligible.agency, 9) - datetime.timedelta(days=3))
    ChatSessionFactory(store=eligible.other_store, outcome="invalid")

    def ids(client, query=""):
        answer = client.get(f"/api/v1/chats/{query}")
        assert answer.status_code == 200, answer.content
        return [row["id"] for row in answer.json()["results"]]

    operator, owner = api_as(eligible.operator), api_as(eligible.owner)
    assert len(ids(operator)) == 2 and len(ids(owner)) == 3
    assert ids(owner, f"?store={eligible.assigned_store.pk}&outcome=invalid") == [own.pk]
    day = (eligible.agency.today() - datetime.timedelta(days=1)).isoformat()
    assert ids(owner, f"?requested_from={day}&requested_to={day}") == [own.pk]
    assert operator.get(f"/api/v1/chats/?store={eligible.other_store.pk}").status_code == 400
    assert owner.get("/api/v1/chats/?outcome=maybe").status_code == 400


def test_an_outcome_set_later_and_a_transfer_links_a_case_of_the_store(eligible, api_as):
    chat = ChatSessionFactory(store=eligible.assigned_store)
    case = SupportCaseFactory(store=eligible.assigned_store)
    other_case = SupportCaseFactory(store=eligible.other_store)
    client = api_as(eligible.operator)

    refused = client.patch(f"/api/v1/chats/{chat.pk}/", {"outcome": "transferred", "case": other_case.pk},
                           format="json")
    assert refused.status_code == 400 and "case" in refused.json()
    answer = client.patch(f"/api/v1/chats/{chat.pk}/", {"outcome": "transferred", "case": case.pk}, format="json")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["outcome"], answer.json()["case"]) == ("transferred", case.pk)


def test_a_transcript_is_replaced_and_an_oversize_or_unparseable_one_is_a_400_naming_transcript(eligible, api_as):
    chat = ChatSessionFactory(store=eligible.assigned_store)
    client = api_as(eligible.operator)
    answer = client.put(f"/api/v1/chats/{chat.pk}/transcript/", {"text": TRANSCRIPT}, format="json")
    assert answer.status_code == 200, answer.content
    assert len(answer.json()["messages"]) == 2
    for text in ("x" * (transcripts.MAX_TRANSCRIPT_CHARS + 1), "no message here at all"):
        refused = client.put(f"/api/v1/chats/{chat.pk}/transcript/", {"text": text}, format="json")
        assert refused.status_code == 400 and list(refused.json()) == ["transcript"]
    assert ChatMessage.objects.filter(session=chat).count() == 2


def test_a_document_is_attached_and_one_of_another_agency_is_a_400_naming_document(eligible, agency_b, api_as):
    chat = ChatSessionFactory(store=eligible.assigned_store)
    own, foreign = library_document(eligible), library_document(agency_b)
    client = api_as(eligible.operator)
    refused = client.post(f"/api/v1/chats/{chat.pk}/documents/", {"document": foreign.pk}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["document"]
    answer = client.post(f"/api/v1/chats/{chat.pk}/documents/", {"document": own.pk}, format="json")
    assert answer.status_code == 200, answer.content
    assert [document["id"] for document in answer.json()["documents"]] == [own.pk]


def test_an_operator_flags_a_bulk_deletion_of_their_store_and_the_chat_is_refused(eligible, api_as):
    client = api_as(eligible.operator)
    day = eligible.agency.today().isoformat()
    answer = client.post(f"/api/v1/stores/{eligible.assigned_store.pk}/chat-channel/", {"bulk_deletion_on": day},
                         format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["bulk_deletion_on"] == day
    refused = client.post("/api/v1/chats/", body_of(eligible, at=timezone.now()), format="json")
    assert refused.status_code == 400 and "bulk-deleted" in refused.json()["store"][0]
    assert api_as(eligible.viewer).post(f"/api/v1/stores/{eligible.assigned_store.pk}/chat-channel/",
                                        {"bulk_deletion_on": None}, format="json").status_code == 403


def test_a_freeze_is_lifted_by_a_manager_with_a_reason_not_by_an_operator(eligible, api_as):
    store = eligible.assigned_store
    start = timezone.now() - datetime.timedelta(days=1)
    ChatSessionFactory(store=store, requested_at=start, outcome="invalid")
    ChatSessionFactory(store=store, requested_at=start + datetime.timedelta(minutes=5), outcome="invalid")
    lift_url = f"/api/v1/stores/{store.pk}/chat-freeze/lift/"
    assert api_as(eligible.operator).post(lift_url, {"reason": "Please"}, format="json").status_code == 403
    manager = api_as(eligible.manager)
    assert "reason" in manager.post(lift_url, {"reason": ""}, format="json").json()

    answer = manager.post(lift_url, {"reason": "The inquiries were fair."}, format="json")

    assert answer.status_code == 201, answer.content
    lift = ChatFreezeLift.objects.get(store=store)
    assert (lift.lifted_by, lift.reason) == (eligible.manager, "The inquiries were fair.")
    assert api_as(eligible.operator).get(f"/api/v1/stores/{store.pk}/chat-eligibility/").json()["may_chat"] is True
    again = manager.post(lift_url, {"reason": "Again"}, format="json")
    assert again.status_code == 400 and "not frozen" in again.json()["store"][0]


def test_only_managers_record_that_amazon_opened_the_channel_anyway_and_withdraw_it(eligible, api_as):
    store_url = f"/api/v1/stores/{eligible.assigned_store.pk}/chat-channel/open-anyway/"
    assert api_as(eligible.operator).post(store_url, {"reason": "x"}, format="json").status_code == 403
    manager = api_as(eligible.manager)
    assert manager.post(store_url, {"reason": " "}, format="json").status_code == 400
    assert manager.post(store_url, {"reason": "Opened early."}, format="json").json()["opened_anyway"] is True
    assert manager.delete(store_url).json()["opened_anyway"] is False
    assert StoreChatChannel.objects.get(store=eligible.assigned_store).opened_anyway is False


def _routes(persona):
    with scopes_disabled():
        chat = ChatSessionFactory(store=persona.assigned_store)
    store = persona.assigned_store.pk
    return [
        ("get", f"/api/v1/stores/{store}/chat-eligibility/", None),
        ("post", f"/api/v1/stores/{store}/chat-channel/", {"bulk_deletion_on": None}),
        ("post", f"/api/v1/stores/{store}/chat-channel/open-anyway/", {"reason": "x"}),
        ("delete", f"/api/v1/stores/{store}/chat-channel/open-anyway/", None),
        ("post", f"/api/v1/stores/{store}/chat-freeze/lift/", {"reason": "x"}),
        ("get", f"/api/v1/chats/{chat.pk}/", None),
        ("patch", f"/api/v1/chats/{chat.pk}/", {"notes": "x"}),
        ("put", f"/api/v1/chats/{chat.pk}/transcript/", {"text": TRANSCRIPT}),
        ("post", f"/api/v1/chats/{chat.pk}/documents/", {"document": 1}),
    ]


def test_every_route_answers_404_for_another_agencys_store_or_chat(agency_a, agency_b, api_as):
    for credential in (agency_a.owner, agency_a.rw_header):
        client = api_as(credential)
        for method, address, body in _routes(agency_b):
            answer = getattr(client, method)(address, body, format="json")
            assert answer.status_code == 404, (method, address, answer.status_code)
    with scopes_disabled():
        assert not StoreChatChannel.objects.exists() and not ChatFreezeLift.objects.exists()
        assert ChatMessage.objects.count() == 0


def test_every_route_answers_404_to_an_operator_for_a_store_not_theirs(agency_a, api_as):
    client = api_as(agency_a.idle_operator)
    for method, address, body in _routes(agency_a):
        answer = getattr(client, method)(address, body, format="json")
        assert answer.status_code == 404, (method, address, answer.status_code)


def test_the_reads_of_the_channel_and_the_freeze_show_what_their_writes_changed(eligible, api_as):
    store = eligible.assigned_store
    client = api_as(eligible.operator)
    channel = client.get(f"/api/v1/stores/{store.pk}/chat-channel/").json()
    assert (channel["bulk_deletion_on"], channel["opened_anyway"]) == (None, False)
    start = timezone.now() - datetime.timedelta(hours=2)
    ChatSessionFactory(store=store, requested_at=start, outcome="invalid")
    ChatSessionFactory(store=store, requested_at=start + datetime.timedelta(minutes=1), outcome="invalid")
    freeze = client.get(f"/api/v1/stores/{store.pk}/chat-freeze/lift/").json()
    assert datetime.datetime.fromisoformat(freeze["frozen_until"]) == start + datetime.timedelta(days=7, minutes=1)
    assert freeze["lifts"] == []
    api_as(eligible.manager).post(f"/api/v1/stores/{store.pk}/chat-freeze/lift/", {"reason": "Fair."}, format="json")
    freeze = client.get(f"/api/v1/stores/{store.pk}/chat-freeze/lift/").json()
    assert freeze["frozen_until"] is None
    assert [(lift["reason"], lift["lifted_by"]) for lift in freeze["lifts"]] == [("Fair.", eligible.manager.email)]
