"""The chat eligibility rules (``cases.eligibility``) at their boundaries, without a database."""

import datetime
import zoneinfo

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from accounts.models import SellingPlan
from alerts.rules import AlertKind
from cases import eligibility
from cases.chat_rules import MAJOR_VIOLATION_KEYS, SERIOUS_ALERT_KINDS, ChatRules
from cases.eligibility import ChatAnswer, StoreFacts, ahr_window, chat_answer, chat_eligibility
from health import metrics

DEFAULTS = ChatRules()
TODAY = datetime.date(2026, 11, 20)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 20, 9, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def days_ago(count, today=TODAY):
    return today - datetime.timedelta(days=count)


def good_history(days=90, today=TODAY, rating=1000):
    """A rating on each of the ``days`` days ending ``today``."""
    return {days_ago(back, today): rating for back in range(days)}


def eligible_store(**changes):
    facts = {"marketplace": "US", "selling_plan": SellingPlan.PROFESSIONAL, "registered_on": days_ago(400)}
    return StoreFacts(**{**facts, **changes})


def reasons(store=None, **kwargs):
    kwargs.setdefault("ahr_by_day", good_history())
    return chat_eligibility(store=store or eligible_store(), rules=kwargs.pop("rules", DEFAULTS),
                            today=kwargs.pop("today", TODAY), **kwargs)


def codes(found):
    return [reason.code for reason in found]


def test_a_healthy_professional_store_of_a_supported_marketplace_is_eligible():
    assert reasons() == []


# -- the vocabulary ------------------------------------------------------------------------------------------
def test_major_violations_are_policy_counts_and_serious_alerts_are_alert_kinds():
    assert set(MAJOR_VIOLATION_KEYS) <= set(metrics.COUNT_KEYS)
    assert "authenticity_complaints" in MAJOR_VIOLATION_KEYS     # the counterfeit warning
    assert SERIOUS_ALERT_KINDS == {AlertKind.ACCOUNT_STATUS, AlertKind.WARNING, AlertKind.POLICY_COUNT, AlertKind.AHR}
    assert AlertKind.METRIC not in SERIOUS_ALERT_KINDS


# -- plan ----------------------------------------------------------------------------------------------------
def test_an_individual_seller_is_not_eligible():
    found = reasons(eligible_store(selling_plan=SellingPlan.INDIVIDUAL))
    assert codes(found) == [eligibility.PLAN]
    assert str(found[0]) == ("The store is on the Individual selling plan: the chat is open to Professional sellers "
                             "only. Upgrade the plan in Seller Central, or open a case.")


# -- age -----------------------------------------------------------------------------------------------------
def test_registered_exactly_180_days_ago_is_not_eligible():
    found = reasons(eligible_store(registered_on=days_ago(180)))
    assert codes(found) == [eligibility.STORE_AGE]
    assert found[0].params["opens_on"] == TODAY + datetime.timedelta(days=1)
    assert str(found[0]) == ("Registered 180 days ago: the chat opens to stores registered more than 180 days ago "
                             "(from 2026-11-21).")


def test_registered_181_days_ago_is_eligible():
    assert reasons(eligible_store(registered_on=days_ago(181))) == []


def test_a_young_store_is_told_the_day_it_becomes_eligible():
    found = reasons(eligible_store(registered_on=days_ago(120)))
    assert str(found[0]) == ("Registered 120 days ago: the chat opens to stores registered more than 180 days ago "
                             "(from 2027-01-20).")
    opens_on = datetime.date(2027, 1, 20)
    assert reasons(eligible_store(registered_on=days_ago(120)), today=opens_on,
                   ahr_by_day=good_history(today=opens_on)) == []
    assert str(reasons(eligible_store(registered_on=days_ago(1)))[0]).startswith("Registered 1 day ago:")


def test_a_store_without_a_registration_date_is_not_eligible():
    found = reasons(eligible_store(registered_on=None))
    assert codes(found) == [eligibility.REGISTRATION_UNKNOWN]
    assert "enter it on the store" in str(found[0])


def test_a_registration_date_in_the_future_is_named_as_a_mistake():
    found = reasons(eligible_store(registered_on=TODAY + datetime.timedelta(days=3)))
    assert codes(found) == [eligibility.REGISTRATION_IN_FUTURE]
    assert "2026-11-23 is in the future" in str(found[0])


def test_the_agencys_own_store_age_applies():
    rules = ChatRules(min_store_age_days=90)
    assert reasons(eligible_store(registered_on=days_ago(91)), rules=rules) == []
    assert codes(reasons(eligible_store(registered_on=days_ago(90)), rules=rules)) == [eligibility.STORE_AGE]


# -- marketplace ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", sorted(DEFAULTS.supported_marketplaces))
def test_the_supported_marketplaces_are_eligible(code):
    assert reasons(eligible_store(marketplace=code)) == []


def test_india_is_not_a_supported_marketplace():
    found = reasons(eligible_store(marketplace="IN"))
    assert codes(found) == [eligibility.MARKETPLACE]
    assert str(found[0]) == "Amazon IN (India) does not offer the chat channel: open a case instead."


@pytest.mark.parametrize("code", ["BR", "AU", "XX"])
def test_a_marketplace_the_agency_did_not_list_is_not_eligible(code):
    assert codes(reasons(eligible_store(marketplace=code))) == [eligibility.MARKETPLACE]


def test_the_agency_may_add_a_marketplace():
    rules = ChatRules(supported_marketplaces=DEFAULTS.supported_marketplaces | {"AU"})
    assert reasons(eligible_store(marketplace="AU"), rules=rules) == []


# -- the Account Health Rating -------------------------------------------------------------------------------
def test_one_bad_day_in_90_blocks():
    history = good_history()
    history[days_ago(40)] = 979
    found = reasons(ahr_by_day=history)
    assert codes(found) == [eligibility.AHR_BELOW]
    assert found[0].params["count"] == 1
    assert str(found[0]) == ("AHR below 980 on 1 of the last 90 days (latest 2026-10-11: 979): the chat opens after "
                             "90 days in a row at 980 or more, at the earliest on 2027-01-09.")


def test_an_ahr_at_the_threshold_meets_it():
    assert reasons(ahr_by_day=good_history(rating=980)) == []
    assert codes(reasons(ahr_by_day=good_history(rating=979))) == [eligibility.AHR_BELOW]


def test_a_bad_day_leaves_the_window_90_days_later():
    history = good_history(days=200)
    bad = days_ago(89)
    history[bad] = 500
    assert codes(reasons(ahr_by_day=history)) == [eligibility.AHR_BELOW]     # the first day of the 90
    history[bad], history[days_ago(90)] = 1000, 500
    assert reasons(ahr_by_day=history) == []                                 # the day before them
    # The day the reason announces is the first day it no longer holds.
    history = good_history(days=400, today=TODAY + datetime.timedelta(days=200))
    history[days_ago(40)] = 500
    opens_on = reasons(ahr_by_day=history)[0].params["opens_on"]
    assert codes(reasons(ahr_by_day=history, today=opens_on - datetime.timedelta(days=1))) == [
        eligibility.AHR_BELOW]
    assert reasons(ahr_by_day=history, today=opens_on) == []


def test_missing_ahr_day_counts_as_not_met():
    history = good_history()
    del history[days_ago(10)]
    history[days_ago(20)] = None
    found = reasons(ahr_by_day=history)
    assert codes(found) == [eligibility.AHR_MISSING]
    assert found[0].params["count"] == 2
    assert str(found[0]) == (
        "No AHR reported on 2 of the last 90 days (latest 2026-11-10): a day without a rating cannot show it stayed "
        "at 980 or more. Import the missing health reports; otherwise the chat opens after 90 days in a row with a "
        "rating, at the earliest on 2027-02-08.")


def test_no_ahr_history_at_all_is_not_eligible():
    found = reasons(ahr_by_day={})
    assert codes(found) == [eligibility.AHR_MISSING]
    assert found[0].params["count"] == 90


def test_without_todays_rating_the_90_days_end_yesterday():
    history = good_history(today=days_ago(1))                 # yesterday and the 89 days before: all good
    assert TODAY not in history
    assert reasons(ahr_by_day=history) == []
    assert ahr_window(history, DEFAULTS, TODAY) == [days_ago(back) for back in range(90, 0, -1)]
    # With today's rating, the window is the 90 days ending today: the 90th day back no longer counts.
    history[TODAY] = 990
    history[days_ago(90)] = 100
    assert reasons(ahr_by_day=history) == []
    assert ahr_window(history, DEFAULTS, TODAY)[0] == days_ago(89)
    del history[TODAY]
    assert codes(reasons(ahr_by_day=history)) == [eligibility.AHR_BELOW]


def test_bad_and_missing_days_give_both_reasons():
    history = good_history()
    history[days_ago(3)] = 900
    history[days_ago(5)] = 950
    del history[days_ago(7)]
    found = reasons(ahr_by_day=history)
    assert codes(found) == [eligibility.AHR_BELOW, eligibility.AHR_MISSING]
    assert found[0].params["count"] == 2
    assert found[0].params["latest"] == days_ago(3)
    assert found[0].params["rating"] == 900


def test_ratings_outside_the_window_are_not_read():
    history = good_history()
    history[days_ago(120)] = 10
    assert reasons(ahr_by_day=history) == []


# -- violations, alerts, bulk deletion -----------------------------------------------------------------------
def test_a_major_violation_within_90_days_blocks_and_90_days_ago_no_longer():
    found = reasons(violation_days=[days_ago(89)])
    assert codes(found) == [eligibility.MAJOR_VIOLATION]
    assert str(found[0]) == ("A major policy violation on 2026-08-23, in the last 90 days: the chat opens 90 days "
                             "after it, on 2026-11-21. Open a case meanwhile.")
    assert reasons(violation_days=[days_ago(90)]) == []


def test_several_violations_name_the_latest():
    found = reasons(violation_days=[days_ago(60), days_ago(2), days_ago(2), days_ago(300)])
    assert found[0].params["count"] == 2
    assert str(found[0]) == ("Major policy violations on 2 of the last 90 days (latest 2026-11-18): the chat opens "
                             "90 days after the latest, on 2027-02-16. Open a case meanwhile.")


def test_a_violation_today_blocks():
    assert codes(reasons(violation_days=[TODAY])) == [eligibility.MAJOR_VIOLATION]


def test_an_open_serious_red_alert_blocks():
    found = reasons(serious_alerts=["Account status: AT_RISK"])
    assert codes(found) == [eligibility.SERIOUS_ALERT]
    assert str(found[0]) == "An open serious red alert: Account status: AT_RISK. Resolve it before asking for a chat."
    two = reasons(serious_alerts=["Account status: AT_RISK", "Product authenticity complaints 1"])
    assert str(two[0]) == ("Open serious red alerts: Account status: AT_RISK; Product authenticity complaints 1. "
                           "Resolve them before asking for a chat.")


def test_a_bulk_deletion_within_30_days_blocks_and_30_days_ago_no_longer():
    found = reasons(eligible_store(bulk_deletion_on=days_ago(29)))
    assert codes(found) == [eligibility.BULK_DELETION]
    assert str(found[0]) == ("Listings were bulk-deleted on 2026-10-22: the chat opens 30 days later, on 2026-11-21. "
                             "Open a case meanwhile.")
    assert reasons(eligible_store(bulk_deletion_on=days_ago(30))) == []
    assert codes(reasons(eligible_store(bulk_deletion_on=TODAY))) == [eligibility.BULK_DELETION]


def test_a_bulk_deletion_dated_in_the_future_still_blocks():
    assert codes(reasons(eligible_store(bulk_deletion_on=TODAY + datetime.timedelta(days=2)))) == [
        eligibility.BULK_DELETION]


# -- every reason at once ------------------------------------------------------------------------------------
def test_every_failing_rule_gives_its_reason_at_once():
    history = good_history()
    history[days_ago(1)] = 700
    del history[days_ago(2)]
    store = StoreFacts(marketplace="IN", selling_plan=SellingPlan.INDIVIDUAL, registered_on=days_ago(10),
                       bulk_deletion_on=days_ago(5))
    found = reasons(store, ahr_by_day=history, violation_days=[days_ago(3)], serious_alerts=["Warnings: BAD"])
    assert codes(found) == [eligibility.PLAN, eligibility.STORE_AGE, eligibility.MARKETPLACE, eligibility.AHR_BELOW,
                            eligibility.AHR_MISSING, eligibility.MAJOR_VIOLATION, eligibility.SERIOUS_ALERT,
                            eligibility.BULK_DELETION]
    assert all(str(reason) for reason in found)


def test_opened_anyway_skips_every_eligibility_rule():
    store = StoreFacts(marketplace="IN", selling_plan=SellingPlan.INDIVIDUAL, registered_on=None,
                       bulk_deletion_on=TODAY)
    assert reasons(store, ahr_by_day={}, violation_days=[TODAY], serious_alerts=["Account status"],
                   opened_anyway=True) == []


def test_reasons_are_translatable_and_built_in_the_readers_language():
    found = reasons(eligible_store(marketplace="IN"))[0]
    english = str(found)
    with translation.override("zh-hans"):
        chinese = str(found)
        # Built when read, through the catalogue: the marketplace's name is already in Chinese, the sentence is
        # whatever the catalogue has for it.
        assert "印度" in chinese
        assert chinese == translation.gettext(
            "Amazon %(marketplace)s does not offer the chat channel: open a case instead.") % {
            "marketplace": "IN (印度)"}
    assert english == "Amazon IN (India) does not offer the chat channel: open a case instead."
    plan = reasons(eligible_store(selling_plan=SellingPlan.INDIVIDUAL))[0]
    with translation.override("zh-hans"):
        assert "个人卖家" in str(plan)


def test_lazy_alert_labels_are_shown_in_the_readers_language():
    found = reasons(serious_alerts=[gettext_lazy("Account status")])[0]
    with translation.override("zh-hans"):
        assert "账户状态" in str(found)


# -- the whole answer ----------------------------------------------------------------------------------------
def answer(**kwargs):
    values = {"store": eligible_store(), "rules": DEFAULTS, "now": NOW, "time_zone": "Asia/Shanghai",
              "requested_today": 0, "ahr_by_day": good_history()}
    return chat_answer(**{**values, **kwargs})


def test_an_eligible_store_may_chat_and_is_told_what_is_left_and_when_to_ask():
    found = answer(requested_today=1)
    assert isinstance(found, ChatAnswer)
    assert found.may_chat
    assert found.reasons == ()
    assert found.chats_left == 2
    assert found.frozen_until is None
    assert found.window == (NOW.replace(hour=8), NOW.replace(hour=10))


def test_the_window_is_advice_outside_it_the_store_may_still_chat():
    evening = NOW.replace(hour=20)
    found = answer(now=evening)
    assert found.may_chat
    assert found.window[0] == datetime.datetime(2026, 11, 21, 8, tzinfo=SHANGHAI)


def test_the_answer_lists_eligibility_quota_and_freeze_together():
    chats = [(NOW - datetime.timedelta(hours=2), "invalid"), (NOW - datetime.timedelta(hours=1), "invalid")]
    found = answer(store=eligible_store(registered_on=days_ago(30)), requested_today=3, chats=chats)
    assert not found.may_chat
    assert codes(found.reasons) == [eligibility.STORE_AGE, "quota", "frozen"]
    assert found.chats_left == 0
    assert found.frozen_until == NOW - datetime.timedelta(hours=1) + datetime.timedelta(days=7)


def test_opened_anyway_skips_eligibility_but_not_quota_or_freeze():
    chats = [(NOW - datetime.timedelta(hours=2), "invalid"), (NOW - datetime.timedelta(hours=1), "invalid")]
    store = eligible_store(marketplace="IN", registered_on=days_ago(30))
    found = answer(store=store, opened_anyway=True, requested_today=3, chats=chats, ahr_by_day={})
    assert found.opened_anyway
    assert codes(found.reasons) == ["quota", "frozen"]
    assert answer(store=store, opened_anyway=True, ahr_by_day={}).may_chat


def test_the_answer_reads_the_rules_on_the_agencys_day():
    # 23:30 UTC on the 19th is already the 20th in Shanghai: a store registered 181 days before the 20th may chat.
    late = datetime.datetime(2026, 11, 19, 23, 30, tzinfo=datetime.UTC)
    store = eligible_store(registered_on=days_ago(181))
    assert answer(store=store, now=late).may_chat
    assert not answer(store=store, now=late, time_zone="UTC").may_chat


def test_a_lifted_freeze_lets_the_store_chat():
    chats = [(NOW - datetime.timedelta(hours=2), "invalid"), (NOW - datetime.timedelta(hours=1), "invalid")]
    found = answer(chats=chats, lifts=[NOW - datetime.timedelta(minutes=5)])
    assert found.may_chat
    assert found.frozen_until is None
