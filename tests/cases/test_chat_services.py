"""The chat rules, enforced by the services: a chat that breaks them cannot be logged, with every reason; the quota
of the agency's day; the freeze after two invalid inquiries in a row and a manager's lift; the tone check; the
transcript; documents; the store's channel flags. ``chat_eligibility`` reads the facts in a fixed number of queries.

Times are fixed on the agency's day before today (``yesterday_at``), so that nothing depends on the hour the suite
runs at; the services take the request's time, and the eligibility is judged then.
"""

import datetime
import threading
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from accounts.tenancy import Caller
from alerts.models import Alert
from alerts.rules import AlertKind
from cases import transcripts
from cases.models import ChatFreezeLift, ChatMessage, ChatSession, StoreChatChannel
from cases.selectors import chats as selectors
from cases.services import chats as services
from documents.models import AppealDocument, DocumentStore
from health.models import HealthSnapshot
from tests.cases.factories import ChatSessionFactory, SupportCaseFactory
from tests.factories import ClientFactory, StoreFactory


def caller_of(persona, role="manager"):
    user = persona.staff[role]
    return Caller.person(agency=persona.agency, user=user, role={"idle_operator": "operator"}.get(role, role))


def yesterday_at(agency, hour, minute=0):
    """An aware moment of the agency's day before today."""
    zone = zoneinfo.ZoneInfo(agency.time_zone)
    day = agency.today() - datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def make_healthy(store, *, days=100, score=1000):
    """Daily Account Health Ratings of ``store`` for the last ``days`` days (today included)."""
    today = store.agency.today()
    now = timezone.now()
    with scopes_disabled():
        HealthSnapshot.objects.bulk_create([
            HealthSnapshot(agency=store.agency, store=store, date=today - datetime.timedelta(days=back),
                           source="api", received_at=now, ahr_score=score) for back in range(days)])


def log(persona, store=None, *, at, role="operator", **fields):
    fields.setdefault("category", "account_health")
    fields.setdefault("message", "Our listing B0CXYZ1234 was removed; the invoice shows it is genuine.")
    with persona.scope():
        return services.chat_log(agency=persona.agency, caller=caller_of(persona, role),
                                 store=store or persona.assigned_store, requested_at=at, **fields)


def codes(error, field="store"):
    return [item.code for item in error.error_dict[field]]


@pytest.fixture(autouse=True)
def in_english():
    """The messages asserted are the English ones (the product's default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def eligible(agency_a):
    make_healthy(agency_a.assigned_store)
    return agency_a


def test_third_chat_of_the_day_is_allowed_fourth_is_refused_with_a_case_suggested(eligible):
    persona = eligible
    for minute in (0, 10, 20):
        log(persona, at=yesterday_at(persona.agency, 9, minute))
    with pytest.raises(ValidationError) as refused:
        log(persona, at=yesterday_at(persona.agency, 9, 30))
    assert codes(refused.value) == ["quota"]
    assert "open a case" in refused.value.message_dict["store"][0]
    with persona.scope():
        assert ChatSession.objects.filter(store=persona.assigned_store).count() == 3


def test_the_quota_counts_the_agency_day_so_a_chat_after_midnight_is_allowed(eligible):
    persona = eligible
    with persona.scope():
        for minute in (0, 10, 20):
            ChatSessionFactory(store=persona.assigned_store,
                               requested_at=yesterday_at(persona.agency, 23, minute) - datetime.timedelta(days=1))
    chat = log(persona, at=yesterday_at(persona.agency, 0, 0))
    assert chat.pk is not None


def test_a_store_that_may_not_chat_is_refused_with_every_reason_and_nothing_written(agency_a):
    with scopes_disabled():
        store = StoreFactory(agency=agency_a.agency, client=agency_a.client, marketplace="IN",
                             selling_plan="individual", registered_on=agency_a.agency.today())
    with pytest.raises(ValidationError) as refused:
        log(agency_a, store, at=yesterday_at(agency_a.agency, 9), role="manager")
    found = codes(refused.value)
    assert {"plan", "marketplace", "ahr_missing"} <= set(found)
    assert found[0] == "plan"
    with scopes_disabled():
        assert not ChatSession.objects.filter(store=store).exists()


def test_an_open_serious_red_alert_and_a_bulk_deletion_refuse_the_chat(eligible):
    persona = eligible
    store = persona.assigned_store
    now = timezone.now()
    with scopes_disabled():
        Alert.objects.create(agency=persona.agency, store=store, rule="ahr_score", kind=AlertKind.AHR, severity="red",
                             first_seen_at=now, last_seen_at=now, due_at=now)
    with persona.scope():
        services.store_chat_channel_set(agency=persona.agency, caller=caller_of(persona, "operator"), store=store,
                                        bulk_deletion_on=persona.agency.today() - datetime.timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        log(persona, at=yesterday_at(persona.agency, 9))
    assert codes(refused.value) == ["serious_alert", "bulk_deletion"]


def test_opened_anyway_skips_the_eligibility_rules_but_not_the_quota(agency_a):
    persona = agency_a  # no health history at all: not eligible
    with persona.scope():
        services.chat_channel_open_anyway(agency=persona.agency, caller=caller_of(persona), store=persona.other_store,
                                          reason="Amazon's brand team opened it on 2026-01-10.")
    for minute in (0, 10, 20):
        log(persona, persona.other_store, at=yesterday_at(persona.agency, 9, minute), role="manager")
    with pytest.raises(ValidationError) as refused:
        log(persona, persona.other_store, at=yesterday_at(persona.agency, 9, 30), role="manager")
    assert codes(refused.value) == ["quota"]


def test_only_a_manager_records_opened_anyway_and_a_reason_is_required(agency_a):
    persona = agency_a
    with persona.scope(), pytest.raises(PermissionDenied):
        services.chat_channel_open_anyway(agency=persona.agency, caller=caller_of(persona, "operator"),
                                          store=persona.assigned_store, reason="Because.")
    with persona.scope(), pytest.raises(ValidationError) as refused:
        services.chat_channel_open_anyway(agency=persona.agency, caller=caller_of(persona), store=persona.other_store,
                                          reason="  ")
    assert "reason" in refused.value.message_dict


def test_two_invalid_inquiries_in_a_row_freeze_for_seven_days_and_a_manager_lift_opens_the_channel(eligible):
    persona = eligible
    store = persona.assigned_store
    first = yesterday_at(persona.agency, 9) - datetime.timedelta(days=1)
    with persona.scope():
        ChatSessionFactory(store=store, requested_at=first, outcome="invalid")
        ChatSessionFactory(store=store, requested_at=first + datetime.timedelta(minutes=30), outcome="invalid")
    with pytest.raises(ValidationError) as refused:
        log(persona, at=yesterday_at(persona.agency, 9))
    assert codes(refused.value) == ["frozen"]
    with persona.scope():
        answer = selectors.chat_eligibility(agency=persona.agency, store=store, now=timezone.now())
    assert answer.frozen_until == first + datetime.timedelta(minutes=30, days=7)

    with persona.scope(), pytest.raises(PermissionDenied):
        services.chat_freeze_lift(agency=persona.agency, caller=caller_of(persona, "operator"), store=store,
                                  reason="Asked nicely.")
    lifted_at = yesterday_at(persona.agency, 8)
    with persona.scope():
        lift = services.chat_freeze_lift(agency=persona.agency, caller=caller_of(persona), store=store,
                                         reason="The answer was not on any help page.", now=lifted_at)
    assert lift.frozen_until == answer.frozen_until and lift.lifted_by == persona.manager
    assert log(persona, at=yesterday_at(persona.agency, 9)).pk is not None
    with persona.scope(), pytest.raises(ValidationError) as not_frozen:
        services.chat_freeze_lift(agency=persona.agency, caller=caller_of(persona), store=store, reason="Again.")
    assert "not frozen" in not_frozen.value.message_dict["store"][0]
    with persona.scope():
        assert ChatFreezeLift.objects.filter(store=store).count() == 1


def test_invalid_valid_invalid_does_not_freeze(eligible):
    persona = eligible
    store = persona.assigned_store
    start = yesterday_at(persona.agency, 9) - datetime.timedelta(days=2)
    with persona.scope():
        for hours, outcome in ((0, "invalid"), (1, "resolved"), (2, "invalid")):
            ChatSessionFactory(store=store, requested_at=start + datetime.timedelta(hours=hours), outcome=outcome)
    assert log(persona, at=yesterday_at(persona.agency, 9)).pk is not None


def test_the_freeze_chain_is_read_from_the_last_reset_however_long_ago(eligible):
    """Invalid 30 days ago and 10 days ago froze (long over) and reset the chain: one more invalid inquiry 5 days
    ago does not freeze. After a valid chat 20 days ago, invalid 10 and 5 days ago do."""
    persona = eligible
    now = timezone.now()
    days = datetime.timedelta(days=1)
    with persona.scope():
        for back in (30, 10, 5):
            ChatSessionFactory(store=persona.assigned_store, requested_at=now - back * days, outcome="invalid")
        ChatSessionFactory(store=persona.other_store, requested_at=now - 20 * days, outcome="resolved")
        for back in (10, 5):
            ChatSessionFactory(store=persona.other_store, requested_at=now - back * days, outcome="invalid")
        assigned = selectors.chat_eligibility(agency=persona.agency, store=persona.assigned_store, now=now)
        other = selectors.chat_eligibility(agency=persona.agency, store=persona.other_store, now=now)
    assert assigned.frozen_until is None
    assert other.frozen_until == now - 5 * days + 7 * days


def test_the_tone_check_refuses_a_chasing_message_unless_confirmed(eligible):
    persona = eligible
    loud = "This is URGENT!!! Fix it immediately."
    with pytest.raises(ValidationError) as refused:
        log(persona, at=yesterday_at(persona.agency, 9), message=loud)
    assert "tone" in codes(refused.value, "message")
    chat = log(persona, at=yesterday_at(persona.agency, 9), message=loud, confirm_tone=True)
    assert chat.message == loud


def test_a_chat_transferred_to_a_case_links_a_case_of_the_same_store(eligible):
    persona = eligible
    with persona.scope():
        other_case = SupportCaseFactory(store=persona.other_store)
        own_case = SupportCaseFactory(store=persona.assigned_store)
    with pytest.raises(ValidationError) as missing:
        log(persona, at=yesterday_at(persona.agency, 9), outcome="transferred")
    assert "case" in missing.value.message_dict
    with pytest.raises(ValidationError) as other:
        log(persona, at=yesterday_at(persona.agency, 9), outcome="transferred", case=other_case, role="manager")
    assert "another store" in other.value.message_dict["case"][0]
    with pytest.raises(ValidationError) as unseen:
        log(persona, at=yesterday_at(persona.agency, 9), outcome="transferred", case=other_case)
    assert "No such case" in unseen.value.message_dict["case"][0]
    chat = log(persona, at=yesterday_at(persona.agency, 9), outcome="transferred", case=own_case)
    assert chat.case == own_case


def test_not_connected_means_the_chat_did_not_connect_and_still_counts(eligible):
    persona = eligible
    chat = log(persona, at=yesterday_at(persona.agency, 9), outcome="not_connected", connected=True)
    assert chat.connected is False
    with persona.scope():
        answer = selectors.chat_eligibility(agency=persona.agency, store=persona.assigned_store,
                                            now=yesterday_at(persona.agency, 10))
    assert answer.chats_left_today == 2


def test_an_outcome_decided_later_feeds_the_freeze(eligible):
    persona = eligible
    first = log(persona, at=yesterday_at(persona.agency, 9))
    second = log(persona, at=yesterday_at(persona.agency, 9, 10))
    with persona.scope():
        for chat in (first, second):
            services.chat_update(agency=persona.agency, caller=caller_of(persona, "operator"), chat=chat,
                                 outcome="invalid", notes="The answer was on a help page.")
    with pytest.raises(ValidationError) as refused:
        log(persona, at=yesterday_at(persona.agency, 9, 20))
    assert codes(refused.value) == ["frozen"]


TRANSCRIPT = "Amazon (10:02 AM): Hello, how can I help?\nYou (10:03 AM): Our listing B0CXYZ1234 was removed.\n"


def test_a_pasted_transcript_is_read_into_messages_and_replaced(eligible):
    persona = eligible
    chat = log(persona, at=yesterday_at(persona.agency, 9), transcript=TRANSCRIPT)
    with persona.scope():
        messages = list(ChatMessage.objects.filter(session=chat).order_by("position"))
        assert [(m.role, m.sender) for m in messages] == [("amazon", "Amazon"), ("seller", "You")]
        assert messages[0].sent_at == yesterday_at(persona.agency, 10, 2)
        services.chat_transcript_set(agency=persona.agency, caller=caller_of(persona, "operator"), chat=chat,
                                     text="You (11:00): Thank you.")
        assert ChatMessage.objects.filter(session=chat).count() == 1


@pytest.mark.parametrize("text", ["x" * (transcripts.MAX_TRANSCRIPT_CHARS + 1), "just some words, no messages"])
def test_an_oversize_or_unparseable_transcript_is_refused_and_nothing_written(eligible, text):
    persona = eligible
    with pytest.raises(ValidationError) as refused:
        log(persona, at=yesterday_at(persona.agency, 9), transcript=text)
    assert "transcript" in refused.value.message_dict
    chat = log(persona, at=yesterday_at(persona.agency, 9), transcript=TRANSCRIPT)
    with persona.scope():
        with pytest.raises(ValidationError) as again:
            services.chat_transcript_set(agency=persona.agency, caller=caller_of(persona, "operator"), chat=chat,
                                         text=text)
        assert "transcript" in again.value.message_dict
        assert ChatMessage.objects.filter(session=chat).count() == 2
        assert ChatSession.objects.filter(store=persona.assigned_store).count() == 1


def library_document(persona, title="Invoice"):
    with scopes_disabled():
        document = AppealDocument.objects.create(agency=persona.agency, client=persona.client, type_code="invoice",
                                                 title=title)
        DocumentStore.objects.create(agency=persona.agency, document=document, store=persona.assigned_store)
    return document


def test_a_document_of_another_agency_is_refused_on_document(eligible, agency_b):
    persona = eligible
    foreign = library_document(agency_b)
    chat = log(persona, at=yesterday_at(persona.agency, 9))
    with persona.scope(), pytest.raises(ValidationError) as refused:
        services.chat_document_attach(agency=persona.agency, caller=caller_of(persona, "operator"), chat=chat,
                                      document=foreign.pk)
    assert "No such document" in refused.value.message_dict["document"][0]
    own = library_document(persona)
    with persona.scope():
        link = services.chat_document_attach(agency=persona.agency, caller=caller_of(persona, "operator"), chat=chat,
                                             document=own)
    assert link.target_id == chat.pk


def test_a_paper_of_another_client_is_refused_on_document_and_nothing_written(eligible):
    persona = eligible
    with scopes_disabled():
        stranger = ClientFactory(agency=persona.agency, name="Another client")
        paper = AppealDocument.objects.create(agency=persona.agency, client=stranger, type_code="invoice",
                                              title="Their invoice")
    with pytest.raises(ValidationError) as refused:
        log(persona, at=yesterday_at(persona.agency, 9), role="manager", documents=[paper.pk])
    assert "“Their invoice” is a paper of another client" in refused.value.message_dict["document"][0]
    with scopes_disabled():
        assert not ChatSession.objects.filter(agency=persona.agency).exists()
    chat = log(persona, at=yesterday_at(persona.agency, 9), role="manager")
    with persona.scope(), pytest.raises(ValidationError) as refused:
        services.chat_document_attach(agency=persona.agency, caller=caller_of(persona), chat=chat, document=paper)
    assert "another client" in refused.value.message_dict["document"][0]


def test_a_bulk_deletion_after_today_is_refused(agency_a):
    persona = agency_a
    with persona.scope(), pytest.raises(ValidationError) as refused:
        services.store_chat_channel_set(agency=persona.agency, caller=caller_of(persona, "operator"),
                                        store=persona.assigned_store,
                                        bulk_deletion_on=persona.agency.today() + datetime.timedelta(days=1))
    assert "bulk_deletion_on" in refused.value.message_dict
    with persona.scope(), pytest.raises(ValidationError) as beyond:
        services.store_chat_channel_set(agency=persona.agency, caller=caller_of(persona, "operator"),
                                        store=persona.other_store, bulk_deletion_on=None)
    assert "store" in beyond.value.message_dict
    with persona.scope():
        assert not StoreChatChannel.objects.exists()


def test_eligibility_of_many_stores_agrees_with_one_and_costs_the_same_queries(eligible):
    persona = eligible
    now = timezone.now()
    with scopes_disabled():
        stores = [StoreFactory(agency=persona.agency, client=persona.client) for _ in range(5)]
    for store in stores[:2]:
        make_healthy(store)
    with persona.scope():
        with CaptureQueriesContext(connection) as few:
            selectors.chat_eligibility_of_stores(agency=persona.agency, store_ids=[stores[0].pk], now=now)
        with CaptureQueriesContext(connection) as many:
            flags = selectors.chat_eligibility_of_stores(agency=persona.agency,
                                                         store_ids=[store.pk for store in stores], now=now)
        assert len(few) == len(many)
        assert flags == {store.pk: selectors.chat_eligibility(agency=persona.agency, store=store, now=now).may_chat
                         for store in stores}
        assert [flags[store.pk] for store in stores] == [True, True, False, False, False]


def test_the_eligibility_of_a_store_costs_the_same_queries_whatever_its_history(eligible):
    persona = eligible
    store = persona.assigned_store
    now = timezone.now()

    def queries():
        with persona.scope(), CaptureQueriesContext(connection) as captured:
            selectors.chat_eligibility(agency=persona.agency, store=store, now=now)
        return len(captured)

    before = queries()
    with persona.scope():
        for back in range(40):
            ChatSessionFactory(store=store, requested_at=now - datetime.timedelta(days=back, hours=1),
                               outcome="resolved")
    assert queries() == before <= 7


@pytest.mark.django_db(transaction=True)
def test_two_logs_at_once_cannot_both_take_the_last_chat_of_the_day(agency_a):
    persona = agency_a
    make_healthy(persona.assigned_store)
    for minute in (0, 10):
        log(persona, at=yesterday_at(persona.agency, 9, minute))
    start = threading.Barrier(2)
    results = []

    def take_last(minute):
        try:
            start.wait()
            results.append(log(persona, at=yesterday_at(persona.agency, 9, minute)).pk)
        except ValidationError as error:
            results.append(codes(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=take_last, args=(minute,)) for minute in (20, 30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=lambda result: isinstance(result, list))[1] == ["quota"]
    with persona.scope():
        assert ChatSession.objects.filter(store=persona.assigned_store).count() == 3
