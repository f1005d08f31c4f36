"""The alert rules (``alerts.rules``) at their boundaries, without a database: which verdicts open, keep and resolve
a store's alerts, and when an alert is due."""

import datetime

import pytest

from alerts.rules import (
    Action,
    AlertKind,
    Verdict,
    due_at,
    escalation_cutoff,
    is_new_green_day,
    is_overdue,
    mute_is_active,
    plan,
    verdicts_of,
)
from health.thresholds import Colour, Evaluation, Rule, Target, Thresholds, evaluate_day

LSR = "late_shipment_rate"


def verdict(colour, rule=LSR, health_rule=Rule.TARGET, value=0.05, target=0.04):
    return Verdict(rule=rule, colour=colour, health_rule=health_rule, value=value, target=target)


def steps(colour, *, open_streak=None, alert_on_yellow=False, resolve_after_green=1):
    open_alerts = {} if open_streak is None else {LSR: open_streak}
    return [(step.action, step.green_streak) for step in plan(
        verdicts={LSR: verdict(colour)}, open_alerts=open_alerts, alert_on_yellow=alert_on_yellow,
        resolve_after_green=resolve_after_green)]


def test_a_red_verdict_with_no_open_alert_opens_one():
    assert steps(Colour.RED) == [(Action.OPEN, 0)]


def test_a_red_verdict_with_an_open_alert_updates_it_and_starts_the_green_count_again():
    assert steps(Colour.RED, open_streak=2) == [(Action.UPDATE, 0)]


def test_yellow_opens_an_alert_only_when_the_agency_asks_for_yellow_alerts():
    assert steps(Colour.YELLOW) == []
    assert steps(Colour.YELLOW, alert_on_yellow=True) == [(Action.OPEN, 0)]


def test_green_or_no_data_without_an_open_alert_does_nothing():
    assert steps(Colour.GREEN) == []
    assert steps(Colour.NO_DATA) == []


def test_the_first_green_evaluation_resolves_by_default():
    assert steps(Colour.GREEN, open_streak=0) == [(Action.RESOLVE, 1)]


@pytest.mark.parametrize(("streak_before", "expected"), [
    (0, (Action.COUNT_GREEN, 1)),
    (1, (Action.COUNT_GREEN, 2)),
    (2, (Action.RESOLVE, 3)),
])
def test_with_three_greens_asked_the_third_green_in_a_row_resolves(streak_before, expected):
    assert steps(Colour.GREEN, open_streak=streak_before, resolve_after_green=3) == [expected]


def test_yellow_that_raises_no_alert_keeps_the_alert_open_and_starts_the_green_count_again():
    assert steps(Colour.YELLOW, open_streak=2, resolve_after_green=3) == [(Action.RESET_GREEN, 0)]
    assert steps(Colour.YELLOW, open_streak=0, resolve_after_green=3) == []  # nothing counted yet: nothing to reset


def test_no_data_neither_breaches_nor_recovers():
    assert steps(Colour.NO_DATA, open_streak=1, resolve_after_green=3) == []


def test_each_metric_of_a_store_is_planned_on_its_own():
    planned = plan(verdicts={LSR: verdict(Colour.RED), "account_status": verdict(
        Colour.GREEN, rule="account_status", health_rule=Rule.ACCOUNT_STATUS, value="NORMAL", target=None)},
        open_alerts={"account_status": 0})
    assert {(step.verdict.rule, step.action) for step in planned} == {(LSR, Action.OPEN),
                                                                       ("account_status", Action.RESOLVE)}


@pytest.mark.parametrize(("health_rule", "kind"), [
    (Rule.TARGET, AlertKind.METRIC),
    (Rule.ACCOUNT_STATUS, AlertKind.ACCOUNT_STATUS),
    (Rule.WARNING_STATE, AlertKind.WARNING),
    (Rule.AHR_BAND, AlertKind.AHR),
    (Rule.AHR_STATUS, AlertKind.AHR),
    (Rule.POLICY_COUNT, AlertKind.POLICY_COUNT),
])
def test_the_kind_of_an_alert_is_the_health_rule_that_judged_its_metric(health_rule, kind):
    assert verdict(Colour.RED, health_rule=health_rule).kind == kind


def test_the_stored_evaluations_of_a_store_read_back_as_verdicts():
    day = evaluate_day({LSR: 0.046, "account_status": "AT_RISK", "ahr_score": None}, thresholds=Thresholds())
    stored = {key: evaluation.as_dict() for key, evaluation in day.items()}

    verdicts = verdicts_of(stored)

    assert verdicts[LSR] == Verdict(LSR, Colour.RED, Rule.TARGET, 0.046, 0.04)
    assert verdicts["account_status"].colour == Colour.RED
    assert verdicts["account_status"].kind == AlertKind.ACCOUNT_STATUS
    assert verdicts["ahr_score"].colour == Colour.NO_DATA
    assert Evaluation.from_dict(stored[LSR]).target == Target(0.04, "LESS_THAN")


OPENED = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("kind", "hours"), [
    (AlertKind.ACCOUNT_STATUS, 24), (AlertKind.WARNING, 24), (AlertKind.POLICY_COUNT, 24), (AlertKind.AHR, 24),
    (AlertKind.METRIC, 72),
])
def test_an_account_warning_is_due_in_24_hours_and_a_metric_in_72_by_default(kind, hours):
    assert due_at(OPENED, kind) == OPENED + datetime.timedelta(hours=hours)


def test_the_agencys_hours_set_when_an_alert_is_due():
    assert due_at(OPENED, AlertKind.WARNING, warning_hours=4) == OPENED + datetime.timedelta(hours=4)
    assert due_at(OPENED, AlertKind.METRIC, metric_hours=12) == OPENED + datetime.timedelta(hours=12)


def test_an_alert_is_overdue_only_past_its_due_time_and_unacknowledged():
    due = OPENED + datetime.timedelta(hours=24)
    assert not is_overdue(due=due, acknowledged=False, now=due)
    assert is_overdue(due=due, acknowledged=False, now=due + datetime.timedelta(seconds=1))
    assert not is_overdue(due=due, acknowledged=True, now=due + datetime.timedelta(days=3))


def test_an_escalated_alert_is_overdue_before_its_due_time_until_someone_acknowledges_it():
    due = OPENED + datetime.timedelta(hours=72)
    assert is_overdue(due=due, acknowledged=False, now=OPENED, escalated=True)
    assert not is_overdue(due=due, acknowledged=True, now=OPENED, escalated=True)


def test_a_green_day_counts_once_towards_recovery_a_later_day_counts_again():
    today, yesterday = datetime.date(2026, 3, 2), datetime.date(2026, 3, 1)
    assert not is_new_green_day(today, today)
    assert is_new_green_day(today, yesterday)
    assert not is_new_green_day(yesterday, today)
    assert is_new_green_day(today, None) and is_new_green_day(None, today)

    def planned(last_counted):
        return [(step.action, step.green_streak) for step in plan(
            verdicts={LSR: verdict(Colour.GREEN)}, open_alerts={LSR: 1}, green_days={LSR: last_counted}, day=today,
            resolve_after_green=3)]

    assert planned(today) == []
    assert planned(yesterday) == [(Action.COUNT_GREEN, 2)]


def test_an_alert_is_escalated_once_it_opened_the_agencys_delay_ago_or_earlier():
    now = OPENED + datetime.timedelta(hours=24)
    assert escalation_cutoff(now, 24) == OPENED
    assert escalation_cutoff(now, 4) == now - datetime.timedelta(hours=4)


def test_a_mute_holds_until_its_day_included_and_ends_the_day_after():
    day = datetime.date(2026, 3, 2)
    assert mute_is_active(day, day)
    assert mute_is_active(day, day - datetime.timedelta(days=1))
    assert not mute_is_active(day, day + datetime.timedelta(days=1))
