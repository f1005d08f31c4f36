"""The Seller Support app's rows for the isolation suite (see ``tests/isolation/rows.py``): cases, their timeline,
chats, their transcripts, a store's chat channel and its freeze lifts belong to a store (operators see only those of
their stores); the templates, the categories and the policy are the agency's."""

import datetime

from django.utils import timezone
from django_scopes import scopes_disabled

from cases.models import (
    CaseCategory,
    CaseEvent,
    CasePolicy,
    ChatFreezeLift,
    ChatMessage,
    ChatSession,
    MessageTemplate,
    MessageTemplateVersion,
    StoreChatChannel,
    SupportCase,
)
from tests.isolation.rows import TenantRows


def _case(store):
    """The store's case (the same one each time it is asked for), with a message of ours on its timeline."""
    with scopes_disabled():
        found = SupportCase.objects.filter(store=store).order_by("pk").first()
        if found is None:
            found = SupportCase.objects.create(
                agency=store.agency, store=store, subject=f"Listing removed at {store.name}",
                category="listing_removal", asins=["B000000001"], status=SupportCase.Status.AWAITING_AMAZON,
                waiting_since=timezone.now(), amazon_case_id=f"{1_000_000_000 + store.pk}")
            CaseEvent.objects.create(agency=store.agency, case=found, kind=CaseEvent.Kind.OUR_MESSAGE,
                                     at=timezone.now(), text=f"Please review {store.name}'s listing.")
    return found


def _event(store):
    with scopes_disabled():
        return CaseEvent.objects.filter(case=_case(store)).order_by("pk").first()


def _chat(store):
    """The store's chat (the same one each time), with one message of its transcript."""
    with scopes_disabled():
        found = ChatSession.objects.filter(store=store).order_by("pk").first()
        if found is None:
            found = ChatSession.objects.create(
                agency=store.agency, store=store, requested_at=timezone.now() - datetime.timedelta(days=30),
                connected=True, agent="Ana", category="account_health", outcome=ChatSession.Outcome.RESOLVED,
                message=f"Account health of {store.name}")
            ChatMessage.objects.create(agency=store.agency, session=found, position=0, sender="Ana", role="amazon",
                                       text="Hello, how can I help?")
    return found


def _message(store):
    with scopes_disabled():
        return ChatMessage.objects.filter(session=_chat(store)).order_by("pk").first()


def _channel(store):
    with scopes_disabled():
        return StoreChatChannel.objects.get_or_create(agency=store.agency, store=store)[0]


def _lift(store):
    with scopes_disabled():
        found = ChatFreezeLift.objects.filter(store=store).first()
        now = timezone.now()
        return found or ChatFreezeLift.objects.create(agency=store.agency, store=store, lifted_at=now,
                                                      frozen_until=now + datetime.timedelta(days=3),
                                                      reason=f"Amazon asked {store.name} to chat")


def _template(persona):
    with scopes_disabled():
        found = MessageTemplate.objects.filter(agency=persona.agency).order_by("pk").first()
        if found is None:
            found = MessageTemplate.objects.create(agency=persona.agency, name=f"Listing of {persona.agency.name}",
                                                   category="listing_removal", language="en")
            MessageTemplateVersion.objects.create(
                agency=persona.agency, template=found, number=1, issue_type="Our listing was removed.",
                reference="ASIN {asin}, case {case_id}.", evidence="Invoices attached.",
                expected_result="Please restore the listing.")
    return found


def _version(persona):
    with scopes_disabled():
        return MessageTemplateVersion.objects.filter(template=_template(persona)).order_by("pk").first()


def _category(persona):
    with scopes_disabled():
        return CaseCategory.objects.get_or_create(agency=persona.agency, code="vat_questions",
                                                  defaults={"name": f"VAT of {persona.agency.name}"})[0]


def _policy(persona):
    with scopes_disabled():
        return CasePolicy.objects.get_or_create(agency=persona.agency)[0]


EVENTS_SERVED_THROUGH = ("a case's timeline is its history: it is listed on the case's admin page and in "
                         "GET /api/v1/cases/{id}/events/, never served by its own id")
MESSAGES_SERVED_THROUGH = ("a chat's transcript is part of the chat: it is shown on the chat's admin page and in "
                           "GET /api/v1/chats/{id}/, never served by its own id")
CHANNEL_SERVED_THROUGH = ("a store's chat channel is served through the store: GET /api/v1/stores/{id}/"
                          "chat-eligibility/ and the chat-channel routes under the store")
LIFTS_SERVED_THROUGH = "a lifted freeze is written through the store's chat-freeze route and read in its history"
VERSIONS_SERVED_THROUGH = ("a template's versions are listed in GET /api/v1/message-templates/{id}/versions/ and "
                           "on the template's admin page, never served by their own id")

TENANT_ROWS = {
    SupportCase: TenantRows(row=lambda persona: _case(persona.assigned_store),
                            beyond_operator=lambda persona: _case(persona.other_store)),
    CaseEvent: TenantRows(row=lambda persona: _event(persona.assigned_store),
                          beyond_operator=lambda persona: _event(persona.other_store),
                          served_through=EVENTS_SERVED_THROUGH),
    ChatSession: TenantRows(row=lambda persona: _chat(persona.assigned_store),
                            beyond_operator=lambda persona: _chat(persona.other_store)),
    ChatMessage: TenantRows(row=lambda persona: _message(persona.assigned_store),
                            beyond_operator=lambda persona: _message(persona.other_store),
                            served_through=MESSAGES_SERVED_THROUGH),
    StoreChatChannel: TenantRows(row=lambda persona: _channel(persona.assigned_store),
                                 beyond_operator=lambda persona: _channel(persona.other_store),
                                 served_through=CHANNEL_SERVED_THROUGH),
    ChatFreezeLift: TenantRows(row=lambda persona: _lift(persona.assigned_store),
                               beyond_operator=lambda persona: _lift(persona.other_store),
                               served_through=LIFTS_SERVED_THROUGH),
    MessageTemplate: TenantRows(row=_template),
    MessageTemplateVersion: TenantRows(row=_version, served_through=VERSIONS_SERVED_THROUGH),
    CaseCategory: TenantRows(row=_category),
    CasePolicy: TenantRows(row=_policy),
}

# API routes without an object id whose view serves no model's rows as a list, by URL name, with the reason.
MODELLESS_API_ROUTES = {
    "api:case-policy": "the agency's one case and chat policy, read and changed as a whole, not a list of rows",
}
