"""Reads of the HR chat channel: may a store chat now (``chat_eligibility``), the same question for many stores at
once (``chat_eligibility_of_stores``), and the chats a caller sees (``chat_list``).

The rules themselves are the pure modules' (``cases.eligibility``, ``cases.quota``, ``cases.freeze``,
``cases.chat_window``); this module only gathers their facts, in a fixed number of queries whatever the history:

1. the agency's policy row (its ``ChatRules``, ``selectors.templates.policy_of``);
2. the stores' Account Health Ratings and days with a major policy violation, from their health snapshots of the
   window (one query for both);
3. their open red alerts of a serious kind;
4. what the agency recorded of their chat channels (bulk deletion, opened anyway);
5. their chats since the last moment the freeze's chain certainly started again (see ``chain_start``), which also
   holds today's requests;
6. the managers' freeze lifts.
"""

import datetime
from dataclasses import dataclass

from django.db.models import DateTimeField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from accounts.models import Store
from accounts.selectors import visible_rows
from alerts.models import Alert
from health import metrics
from health.models import HealthSnapshot

from .. import eligibility, freeze, quota
from ..chat_rules import MAJOR_VIOLATION_KEYS, SERIOUS_ALERT_KINDS
from ..models import ChatFreezeLift, ChatMessage, ChatSession, StoreChatChannel
from .templates import policy_of

#: Before any chat: where the walk of a store's chats starts when nothing reset the freeze's chain yet.
_BEGINNING = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class ChatEligibility:
    """May the store ``store_id`` chat at ``now``: every ``reasons`` why not (``chat_rules.Reason``, eligibility
    then quota then freeze), the chats left on the agency's day, the end of a running freeze (``None``: not
    frozen), the next chat window ``(start, end)`` (aware, in the window's time zone), and whether a manager recorded
    that Amazon opened the channel anyway (then the eligibility rules were skipped, never the quota nor the
    freeze), with their reason."""

    store_id: int
    reasons: tuple
    chats_left_today: int
    frozen_until: datetime.datetime | None
    window: tuple
    opened_anyway: bool = False
    opened_anyway_reason: str = ""
    rules: object = None

    @property
    def may_chat(self):
        return not self.reasons

    @property
    def next_window_start(self):
        return self.window[0]

    @property
    def next_window_end(self):
        return self.window[1]

    def reason(self, code):
        """The reason whose code is ``code``; ``None`` when there is none."""
        return next((reason for reason in self.reasons if reason.code == code), None)


def _store_facts(store, channel):
    return eligibility.StoreFacts(
        marketplace=store.marketplace, selling_plan=store.selling_plan, registered_on=store.registered_on,
        bulk_deletion_on=channel.bulk_deletion_on if channel is not None else None)


def _health_facts(*, agency, store_ids, rules, today):
    """``{store_id: ({day: ahr_score}, {days with a major violation})}`` over the days the rules read (the AHR
    window may end yesterday: one day more than ``ahr_days``)."""
    first = today - datetime.timedelta(days=max(rules.ahr_days, rules.violation_days))
    major = Q()
    for key in MAJOR_VIOLATION_KEYS:
        major |= Q(**{f"{key}__gt": 0})
    rows = (HealthSnapshot.objects.filter(agency=agency, store_id__in=store_ids, date__gte=first, date__lte=today)
            .filter(Q(ahr_score__isnull=False) | major)
            .values_list("store_id", "date", "ahr_score", *MAJOR_VIOLATION_KEYS))
    found = {store_id: ({}, set()) for store_id in store_ids}
    for store_id, day, ahr_score, *counts in rows:
        ahr_by_day, violation_days = found[store_id]
        if ahr_score is not None:
            ahr_by_day[day] = ahr_score
        if any(count for count in counts if count):
            violation_days.add(day)
    return found


def _serious_alerts(*, agency, store_ids):
    """``{store_id: [label of each open serious red alert]}``."""
    rows = (Alert.objects.filter(agency=agency, store_id__in=store_ids, severity=Alert.Severity.RED,
                                 status__in=[Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED],
                                 kind__in=SERIOUS_ALERT_KINDS)
            .order_by("first_seen_at", "pk").values_list("store_id", "rule"))
    found = {}
    for store_id, rule in rows:
        known = metrics.BY_KEY.get(rule)
        found.setdefault(store_id, []).append(known.label if known else rule)
    return found


def chain_start(*, agency, now, rules):
    """The moment, for the store of ``OuterRef("store_id")``, from which walking its chats gives the freeze at
    ``now`` (and after it) exactly: its latest valid chat or freeze lift at or before ``now - freeze_days``. At that
    moment the chain of invalid inquiries is back at zero, and a freeze running then has ended by ``now`` (a freeze
    that matters at ``now`` started after it); before any such moment, the store's first chat. ``reviews`` walks a
    month's chats from it too."""
    settled = now - datetime.timedelta(days=rules.freeze_days)
    valid = (ChatSession.objects.filter(agency=agency, store_id=OuterRef("store_id"), requested_at__lte=settled,
                                        outcome__in=freeze.VALID_OUTCOMES)
             .order_by("-requested_at").values("requested_at")[:1])
    lifted = (ChatFreezeLift.objects.filter(agency=agency, store_id=OuterRef("store_id"), lifted_at__lte=settled)
              .order_by("-lifted_at").values("lifted_at")[:1])
    # PostgreSQL's GREATEST skips NULLs: the later of the two, either alone, or none.
    return Coalesce(Greatest(Subquery(valid, output_field=DateTimeField()),
                             Subquery(lifted, output_field=DateTimeField())),
                    Value(_BEGINNING, output_field=DateTimeField()))


def _chat_history(*, agency, store_ids, now, rules):
    """``({store_id: [(requested_at, outcome)]}, {store_id: [lifted_at]})``: the chats the freeze walk and the day's
    quota need (from ``chain_start`` on, later ones too: a chat logged for an earlier hour counts the whole day),
    and the lifts from the same moment."""
    chats = (ChatSession.objects.filter(agency=agency, store_id__in=store_ids)
             .annotate(chain_start=chain_start(agency=agency, now=now, rules=rules))
             .filter(requested_at__gte=F("chain_start"))
             .order_by("requested_at", "pk").values_list("store_id", "requested_at", "outcome"))
    by_store = {store_id: [] for store_id in store_ids}
    for store_id, requested_at, outcome in chats:
        by_store[store_id].append((requested_at, outcome))
    lifts = {store_id: [] for store_id in store_ids}
    for store_id, lifted_at in (ChatFreezeLift.objects.filter(agency=agency, store_id__in=store_ids,
                                                              lifted_at__lte=now)
                                .values_list("store_id", "lifted_at")):
        lifts[store_id].append(lifted_at)
    return by_store, lifts


def _answers(*, agency, stores, now, policy):
    """``{store_id: ChatEligibility}`` of ``stores`` at ``now``, from the facts read in the fixed queries."""
    rules = policy.rules()
    time_zone = agency.time_zone
    today = quota.agency_day(now, time_zone)
    day_start, day_end = quota.day_bounds(today, time_zone)
    store_ids = [store.pk for store in stores]
    health = _health_facts(agency=agency, store_ids=store_ids, rules=rules, today=today)
    alerts = _serious_alerts(agency=agency, store_ids=store_ids)
    channels = {channel.store_id: channel
                for channel in StoreChatChannel.objects.filter(agency=agency, store_id__in=store_ids)}
    chats, lifts = _chat_history(agency=agency, store_ids=store_ids, now=now, rules=rules)
    answers = {}
    for store in stores:
        channel = channels.get(store.pk)
        opened_anyway = channel is not None and channel.opened_anyway
        ahr_by_day, violation_days = health[store.pk]
        requested_today = sum(1 for requested_at, _outcome in chats[store.pk] if day_start <= requested_at < day_end)
        answer = eligibility.chat_answer(
            store=_store_facts(store, channel), rules=rules, now=now, time_zone=time_zone,
            requested_today=requested_today, chats=chats[store.pk], lifts=lifts[store.pk], ahr_by_day=ahr_by_day,
            violation_days=violation_days, serious_alerts=alerts.get(store.pk, ()), opened_anyway=opened_anyway)
        answers[store.pk] = ChatEligibility(
            store_id=store.pk, reasons=answer.reasons, chats_left_today=answer.chats_left,
            frozen_until=answer.frozen_until, window=answer.window, opened_anyway=opened_anyway,
            opened_anyway_reason=channel.opened_anyway_reason if opened_anyway else "", rules=rules)
    return answers


def chat_eligibility(*, agency, store, now):
    """May ``store`` (of ``agency``) chat at ``now`` (aware): a ``ChatEligibility``. Six queries, whatever the
    store's history."""
    return _answers(agency=agency, stores=[store], now=now, policy=policy_of(agency=agency))[store.pk]


def chat_eligibility_of_stores(*, agency, store_ids, now):
    """``{store_id: may_chat}`` for the stores of ``agency`` among ``store_ids`` at ``now``, in a fixed number of
    queries however many stores (the follow-up flag of cases reads it); an id of no store of the agency is left
    out."""
    store_ids = sorted(set(store_ids))
    if not store_ids:
        return {}
    stores = list(Store.objects.filter(agency=agency, pk__in=store_ids)
                  .only("pk", "marketplace", "selling_plan", "registered_on"))
    if not stores:
        return {}
    answers = _answers(agency=agency, stores=stores, now=now, policy=policy_of(agency=agency))
    return {store_id: answer.may_chat for store_id, answer in answers.items()}


def chat_list(*, agency, caller):
    """The chats of the stores ``caller`` sees, newest first, with their store, the case they went to and who
    logged them."""
    chats = ChatSession.objects.filter(agency=agency).select_related("store", "case", "logged_by")
    return visible_rows(chats, caller=caller)


def chat_messages(*, agency, chat):
    """The transcript of ``chat``, in order."""
    return ChatMessage.objects.filter(agency=agency, session=chat).order_by("position")


def chat_channel(*, agency, store):
    """What the agency recorded of ``store``'s chat channel: its row, or an unsaved one (nothing recorded)."""
    return (StoreChatChannel.objects.filter(agency=agency, store=store).first()
            or StoreChatChannel(agency=agency, store=store))


def freeze_lifts(*, agency, store):
    """The freezes of ``store`` that managers lifted early, newest first, with who lifted them."""
    return ChatFreezeLift.objects.filter(agency=agency, store=store).select_related("lifted_by").order_by(
        "-lifted_at", "-pk")
