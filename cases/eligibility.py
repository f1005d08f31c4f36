"""Whether a store may use the HR chat channel: the eligibility rules (DOMAIN.md, "Seller Support: cases and HR
chat"), and the whole answer of "may this store chat now" with the quota, the freeze and the best window.

Every failing input gives its own reason, so a person sees everything to fix at once, not one thing a day. With the
agency's ``ChatRules``, and "the last N days" meaning the N agency days ending today (today included):

1. Plan: only a Professional seller account may chat.
2. Age: registered MORE than ``min_store_age_days`` (180) days ago: registered exactly 180 days ago is not eligible,
   181 is. A store without a registration date is not eligible (nobody can show its age).
3. Marketplace: one of ``supported_marketplaces`` (not IN).
4. Account Health Rating: at or above ``ahr_threshold`` (980) on every day of the last ``ahr_days`` (90). Today's
   report may not be in yet: when today has no rating, the 90 days end yesterday. A day of those 90 without a
   rating counts as NOT met: we cannot show the rating held that day.
5. No day with a major policy violation (``chat_rules.MAJOR_VIOLATION_KEYS``) in the last ``violation_days`` (90).
6. No open red alert of a serious kind (``chat_rules.SERIOUS_ALERT_KINDS``).
7. No bulk deletion of listings in the last ``bulk_deletion_days`` (30): the day an operator recorded on the store.
8. When a manager recorded that Amazon opened the channel anyway (brand-registered stores get it early), rules 1–7
   are skipped, but never the quota nor the freeze.

The store may chat now when nothing stands in the way (``ChatAnswer.may_chat``). The 08:00–10:00 Beijing window is
advice: ``ChatAnswer.window`` says when to ask, it refuses nothing.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext, ngettext

from accounts import marketplaces
from accounts.models import SellingPlan

from . import chat_window, freeze, quota
from .chat_rules import Reason

PLAN = "plan"
REGISTRATION_UNKNOWN = "registration_unknown"
REGISTRATION_IN_FUTURE = "registration_in_future"
STORE_AGE = "store_age"
MARKETPLACE = "marketplace"
AHR_BELOW = "ahr_below"
AHR_MISSING = "ahr_missing"
MAJOR_VIOLATION = "major_violation"
SERIOUS_ALERT = "serious_alert"
BULK_DELETION = "bulk_deletion"

#: The codes of the eligibility rules, in the order their reasons are listed: the ones opening Amazon can skip.
ELIGIBILITY_CODES = (PLAN, REGISTRATION_UNKNOWN, REGISTRATION_IN_FUTURE, STORE_AGE, MARKETPLACE, AHR_BELOW,
                     AHR_MISSING, MAJOR_VIOLATION, SERIOUS_ALERT, BULK_DELETION)


@dataclass(frozen=True)
class StoreFacts:
    """What the eligibility rules read of a store: its marketplace code, its selling plan (``SellingPlan``), the day
    it registered with Amazon and the day of its latest bulk deletion of listings (``None``: unknown, none)."""

    marketplace: str
    selling_plan: str = SellingPlan.PROFESSIONAL
    registered_on: datetime.date | None = None
    bulk_deletion_on: datetime.date | None = None


def _days(count):
    return datetime.timedelta(days=count)


def chat_eligibility(*, store, rules, today, ahr_by_day=None, violation_days=(), serious_alerts=(),
                     opened_anyway=False):
    """The reasons ``store`` (``StoreFacts``) is not eligible for the chat channel on the agency's ``today``, one
    for every failing rule, in the order of the rules; an empty list: eligible.

    ``ahr_by_day``: the Account Health Rating of each day (``None`` or absent: not reported); ``violation_days``: the
    days with a major policy violation; ``serious_alerts``: the labels of the store's open serious red alerts (shown
    as given); ``opened_anyway``: a manager recorded that Amazon opened the channel to the store anyway."""
    if opened_anyway:
        return []
    found = [
        _plan(store),
        _age(store, rules, today),
        _marketplace(store, rules),
        *_ahr(ahr_by_day or {}, rules, today),
        _violations(violation_days, rules, today),
        _serious_alerts(serious_alerts),
        _bulk_deletion(store, rules, today),
    ]
    return [reason for reason in found if reason is not None]


def ahr_window(ahr_by_day, rules, today):
    """The days the AHR rule reads: the ``ahr_days`` days ending today when today has a rating, else yesterday."""
    last = today if ahr_by_day.get(today) is not None else today - _days(1)
    return [last - _days(back) for back in range(rules.ahr_days - 1, -1, -1)]


def _plan(store):
    if store.selling_plan == SellingPlan.PROFESSIONAL:
        return None
    return Reason.of(PLAN, _plan_message, plan=store.selling_plan)


def _plan_message(params):
    plan = params["plan"]
    label = SellingPlan(plan).label if plan in SellingPlan.values else plan
    return gettext("The store is on the %(plan)s selling plan: the chat is open to Professional sellers only. "
                   "Upgrade the plan in Seller Central, or open a case.") % {"plan": label}


def _age(store, rules, today):
    registered = store.registered_on
    if registered is None:
        return Reason.of(REGISTRATION_UNKNOWN, _registration_unknown_message, days=rules.min_store_age_days)
    if registered > today:
        return Reason.of(REGISTRATION_IN_FUTURE, _registration_in_future_message, registered_on=registered)
    age = (today - registered).days
    if age > rules.min_store_age_days:
        return None
    return Reason.of(STORE_AGE, _age_message, age=age, days=rules.min_store_age_days,
                     opens_on=registered + _days(rules.min_store_age_days + 1))


def _registration_unknown_message(params):
    return gettext("The store's registration date is not recorded: enter it on the store (the chat opens to stores "
                   "registered more than %(days)s days ago).") % params


def _registration_in_future_message(params):
    return gettext("The store's registration date %(registered_on)s is in the future: correct it on the store.") % {
        "registered_on": params["registered_on"].isoformat()}


def _age_message(params):
    return ngettext(
        "Registered %(age)s day ago: the chat opens to stores registered more than %(days)s days ago "
        "(from %(opens_on)s).",
        "Registered %(age)s days ago: the chat opens to stores registered more than %(days)s days ago "
        "(from %(opens_on)s).",
        params["age"],
    ) % {**params, "opens_on": params["opens_on"].isoformat()}


def _marketplace(store, rules):
    code = (store.marketplace or "").upper()
    if code in rules.supported_marketplaces:
        return None
    return Reason.of(MARKETPLACE, _marketplace_message, marketplace=code)


def _marketplace_message(params):
    found = marketplaces.marketplace(params["marketplace"])
    name = f"{params['marketplace']} ({found.name})" if found else params["marketplace"]
    return gettext("Amazon %(marketplace)s does not offer the chat channel: open a case instead.") % {
        "marketplace": name}


def _ahr(ahr_by_day, rules, today):
    below, missing = [], []
    for day in ahr_window(ahr_by_day, rules, today):
        rating = ahr_by_day.get(day)
        if rating is None:
            missing.append(day)
        elif rating < rules.ahr_threshold:
            below.append(day)
    found = []
    # The window ends today at the latest, so a bad day leaves it ``ahr_days`` days later, if every day after it
    # is good and reported.
    if below:
        latest = below[-1]
        found.append(Reason.of(AHR_BELOW, _ahr_below_message, count=len(below), days=rules.ahr_days,
                               threshold=rules.ahr_threshold, latest=latest, rating=ahr_by_day[latest],
                               opens_on=latest + _days(rules.ahr_days)))
    if missing:
        latest = missing[-1]
        found.append(Reason.of(AHR_MISSING, _ahr_missing_message, count=len(missing), days=rules.ahr_days,
                               threshold=rules.ahr_threshold, latest=latest,
                               opens_on=latest + _days(rules.ahr_days)))
    return found


def _ahr_below_message(params):
    return gettext(
        "AHR below %(threshold)s on %(count)s of the last %(days)s days (latest %(latest)s: %(rating)s): the chat "
        "opens after %(days)s days in a row at %(threshold)s or more, at the earliest on %(opens_on)s."
    ) % {**params, "latest": params["latest"].isoformat(), "opens_on": params["opens_on"].isoformat()}


def _ahr_missing_message(params):
    return gettext(
        "No AHR reported on %(count)s of the last %(days)s days (latest %(latest)s): a day without a rating cannot "
        "show it stayed at %(threshold)s or more. Import the missing health reports; otherwise the chat opens after "
        "%(days)s days in a row with a rating, at the earliest on %(opens_on)s."
    ) % {**params, "latest": params["latest"].isoformat(), "opens_on": params["opens_on"].isoformat()}


def _violations(violation_days, rules, today):
    first = today - _days(rules.violation_days - 1)
    recent = sorted({day for day in violation_days if first <= day <= today})
    if not recent:
        return None
    latest = recent[-1]
    return Reason.of(MAJOR_VIOLATION, _violation_message, count=len(recent), days=rules.violation_days,
                     latest=latest, opens_on=latest + _days(rules.violation_days))


def _violation_message(params):
    return ngettext(
        "A major policy violation on %(latest)s, in the last %(days)s days: the chat opens %(days)s days after it, "
        "on %(opens_on)s. Open a case meanwhile.",
        "Major policy violations on %(count)s of the last %(days)s days (latest %(latest)s): the chat opens "
        "%(days)s days after the latest, on %(opens_on)s. Open a case meanwhile.",
        params["count"],
    ) % {**params, "latest": params["latest"].isoformat(), "opens_on": params["opens_on"].isoformat()}


def _serious_alerts(serious_alerts):
    # Kept as given (lazy labels too): the message joins them in the reader's language.
    labels = tuple(serious_alerts)
    if not labels:
        return None
    return Reason.of(SERIOUS_ALERT, _serious_alert_message, alerts=labels)


def _serious_alert_message(params):
    alerts = params["alerts"]
    return ngettext(
        "An open serious red alert: %(alerts)s. Resolve it before asking for a chat.",
        "Open serious red alerts: %(alerts)s. Resolve them before asking for a chat.",
        len(alerts),
    ) % {"alerts": "; ".join(str(label) for label in alerts)}


def _bulk_deletion(store, rules, today):
    deleted = store.bulk_deletion_on
    # A date after today is an operator's slip; it still blocks (the safe side) until 30 days after it.
    if deleted is None or (today - deleted).days >= rules.bulk_deletion_days:
        return None
    return Reason.of(BULK_DELETION, _bulk_deletion_message, deleted_on=deleted, days=rules.bulk_deletion_days,
                     opens_on=deleted + _days(rules.bulk_deletion_days))


def _bulk_deletion_message(params):
    return ngettext(
        "Listings were bulk-deleted on %(deleted_on)s: the chat opens %(days)s day later, on %(opens_on)s. Open a "
        "case meanwhile.",
        "Listings were bulk-deleted on %(deleted_on)s: the chat opens %(days)s days later, on %(opens_on)s. Open a "
        "case meanwhile.",
        params["days"],
    ) % {**params, "deleted_on": params["deleted_on"].isoformat(), "opens_on": params["opens_on"].isoformat()}


# -- the whole answer ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChatAnswer:
    """May the store chat now: every ``reasons`` why not (eligibility, then quota, then freeze), the chats left today,
    the end of a running freeze (``None``: not frozen), the next chat window ``(start, end)``, and whether Amazon
    opened the channel anyway (the eligibility rules were skipped)."""

    reasons: tuple = ()
    chats_left: int = 0
    frozen_until: datetime.datetime | None = None
    window: tuple = ()
    opened_anyway: bool = False

    @property
    def may_chat(self):
        return not self.reasons


def chat_answer(*, store, rules, now, time_zone, requested_today, chats=(), lifts=(), ahr_by_day=None,
                violation_days=(), serious_alerts=(), opened_anyway=False):
    """The answer for ``store`` at ``now`` (aware), ``time_zone`` being the agency's: the eligibility rules on the
    agency's day of ``now`` (``chat_eligibility``), the quota with ``requested_today`` requests made today
    (``cases.quota``), the freeze from the store's ``chats`` and a manager's ``lifts`` (``cases.freeze``)."""
    today = quota.agency_day(now, time_zone)
    until = freeze.frozen_until(rules=rules, chats=chats, lifts=lifts, now=now)
    reasons = [
        *chat_eligibility(store=store, rules=rules, today=today, ahr_by_day=ahr_by_day, violation_days=violation_days,
                          serious_alerts=serious_alerts, opened_anyway=opened_anyway),
        quota.quota_reason(rules=rules, requested_today=requested_today),
        freeze.freeze_reason(rules=rules, until=until, time_zone=time_zone),
    ]
    return ChatAnswer(reasons=tuple(reason for reason in reasons if reason is not None),
                      chats_left=quota.chats_left(rules=rules, requested_today=requested_today), frozen_until=until,
                      window=chat_window.next_window(now, rules), opened_anyway=opened_anyway)
