"""Factories of the Seller Support app: cases, their timeline, chats and the template library. Each row takes the
agency of its store (or the ``agency`` given); rows are created without an active scope, like ``tests.factories``.
"""

import datetime
import itertools

import factory
from django.utils import timezone

from cases.models import CaseEvent, ChatSession, MessageTemplate, MessageTemplateVersion, SupportCase
from tests.factories import ScopedFactory, StoreFactory

# Amazon's case ids are unique per agency: a counter keeps factory rows apart.
_case_ids = itertools.count(3_000_000_000)


class SupportCaseFactory(ScopedFactory):
    """A case of a store, opened an hour ago (status ``opened``, waiting for Amazon since then). Pass
    ``status="drafted", amazon_case_id=""`` for a draft."""

    class Meta:
        model = SupportCase

    store = factory.SubFactory(StoreFactory)
    agency = factory.SelfAttribute("store.agency")
    amazon_case_id = factory.LazyFunction(lambda: str(next(_case_ids)))
    subject = factory.Sequence(lambda n: f"Listing removed {n}")
    category = "listing_removal"
    asins = factory.LazyFunction(lambda: ["B0CXYZ1234"])
    priority = "normal"
    expected_result = "Restore the listing."
    status = SupportCase.Status.OPENED
    opened_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    waiting_since = factory.SelfAttribute("opened_at")


class CaseEventFactory(ScopedFactory):
    """An internal note on a case, now."""

    class Meta:
        model = CaseEvent

    case = factory.SubFactory(SupportCaseFactory)
    agency = factory.SelfAttribute("case.agency")
    kind = CaseEvent.Kind.NOTE
    at = factory.LazyFunction(timezone.now)
    text = "Checked the listing."


class ChatSessionFactory(ScopedFactory):
    """A connected chat of a store about account health, requested an hour ago, no outcome yet."""

    class Meta:
        model = ChatSession

    store = factory.SubFactory(StoreFactory)
    agency = factory.SelfAttribute("store.agency")
    requested_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    connected = True
    agent = "Amazon agent"
    category = "account_health"
    outcome = ""


class MessageTemplateFactory(ScopedFactory):
    """An English template for listing removals (no version: see ``MessageTemplateVersionFactory``)."""

    class Meta:
        model = MessageTemplate

    agency = factory.SubFactory("tests.factories.AgencyFactory")
    name = factory.Sequence(lambda n: f"Listing removal {n}")
    category = "listing_removal"
    language = MessageTemplate.Language.ENGLISH


class MessageTemplateVersionFactory(ScopedFactory):
    """Version 1 of a template, its four parts filled with placeholders."""

    class Meta:
        model = MessageTemplateVersion

    template = factory.SubFactory(MessageTemplateFactory)
    agency = factory.SelfAttribute("template.agency")
    number = 1
    issue_type = "Our listing {asin} was removed."
    reference = "ASIN {asin}, Case ID {case_id}."
    evidence = "The attached invoice shows the product is genuine."
    expected_result = "Please review it and restore the listing."


__all__ = ["SupportCaseFactory", "CaseEventFactory", "ChatSessionFactory", "MessageTemplateFactory",
           "MessageTemplateVersionFactory"]
