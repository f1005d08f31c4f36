"""The health rules of ``health.thresholds`` at their boundaries, without a database."""

from decimal import Decimal

import pytest
from django.utils import translation

from health import metrics
from health.metrics import Condition
from health.thresholds import (
    Colour,
    Evaluation,
    Rule,
    Target,
    Thresholds,
    evaluate_day,
    evaluate_metric,
    store_colour,
    worst,
)

DEFAULTS = Thresholds()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def colour_of(key, value, thresholds=DEFAULTS, **kwargs):
    return evaluate_metric(key, value, thresholds=thresholds, **kwargs).colour


# -- rates against their targets ------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "colour"), [
    (0.0, Colour.GREEN),
    (0.0319, Colour.GREEN),
    (0.032, Colour.YELLOW),     # 20 % of the room below the 4 % target: yellow from 3.2 %
    (0.0399, Colour.YELLOW),
    (0.04, Colour.RED),         # equal to a LESS_THAN target does not meet it
    (0.046, Colour.RED),
    (1.0, Colour.RED),
])
def test_a_late_shipment_rate_equal_to_its_less_than_target_is_red_and_close_below_it_yellow(value, colour):
    assert colour_of("late_shipment_rate", value) == colour


@pytest.mark.parametrize(("value", "colour"), [
    (1.0, Colour.GREEN),
    (0.9601, Colour.GREEN),
    (0.96, Colour.YELLOW),      # 20 % of the room above the 95 % target: yellow up to 96 %
    (0.9501, Colour.YELLOW),
    (0.95, Colour.RED),         # equal to a GREATER_THAN target does not meet it
    (0.5, Colour.RED),
])
def test_a_valid_tracking_rate_equal_to_its_greater_than_target_is_red_and_close_above_it_yellow(value, colour):
    assert colour_of("valid_tracking_rate", value) == colour


def test_every_rate_of_the_vocabulary_has_amazons_default_target():
    assert {key: DEFAULTS.target_of(key) for key in metrics.RATE_KEYS} == {
        "odr_mfn": Target(0.01, "LESS_THAN"), "odr_afn": Target(0.01, "LESS_THAN"),
        "late_shipment_rate": Target(0.04, "LESS_THAN"), "cancel_rate": Target(0.025, "LESS_THAN"),
        "valid_tracking_rate": Target(0.95, "GREATER_THAN"), "on_time_delivery_rate": Target(0.9, "GREATER_THAN"),
        "unit_on_time_delivery_rate": Target(0.9, "GREATER_THAN"), "invoice_defect_rate": Target(0.05, "LESS_THAN"),
    }


def _yellow_edge(target, condition, margin):
    """Where the yellow band starts, worked out by hand in decimals (the numbers as a person writes them)."""
    target, margin = Decimal(str(target)), Decimal(str(margin))
    if condition == Condition.LESS_THAN:
        return float(target * (1 - margin))
    return float(target + (1 - target) * margin)


@pytest.mark.parametrize("margin", [0.1, 0.2, 0.25, 0.3])
@pytest.mark.parametrize("key", metrics.RATE_KEYS)
def test_a_rate_on_the_edge_of_the_yellow_band_is_yellow_and_just_beyond_it_green(key, margin):
    """Exact for every rate and margin: in binary floats 2.5% × 0.8 is not 2.0%, and 2.0% would come out green."""
    metric = metrics.BY_KEY[key]
    edge = _yellow_edge(metric.target, metric.condition, margin)
    beyond = edge - 0.0001 if metric.condition == Condition.LESS_THAN else edge + 0.0001
    rules = Thresholds(yellow_margin=margin)
    assert colour_of(key, edge, rules) == Colour.YELLOW, (key, margin, edge)
    assert colour_of(key, beyond, rules) == Colour.GREEN, (key, margin, beyond)


def test_an_agency_that_tightens_a_target_sees_red_sooner():
    tightened = Thresholds(targets={**DEFAULTS.targets, "late_shipment_rate": 0.03})
    assert colour_of("late_shipment_rate", 0.031, tightened) == Colour.RED
    assert colour_of("late_shipment_rate", 0.031) == Colour.GREEN


def test_a_yellow_margin_of_zero_leaves_no_yellow_and_a_wider_one_starts_yellow_sooner():
    assert colour_of("late_shipment_rate", 0.0399, Thresholds(yellow_margin=0)) == Colour.GREEN
    assert colour_of("late_shipment_rate", 0.02, Thresholds(yellow_margin=0.5)) == Colour.YELLOW
    assert colour_of("late_shipment_rate", 0.0199, Thresholds(yellow_margin=0.5)) == Colour.GREEN


# -- the report's own target ---------------------------------------------------------------------------------
def test_the_reports_own_target_wins_over_the_configured_one():
    report = {"target": 0.05, "condition": "LESS_THAN", "status": "GOOD"}
    verdict = evaluate_metric("late_shipment_rate", 0.045, thresholds=DEFAULTS, report_target=report)
    assert verdict.colour == Colour.YELLOW  # red under the configured 4 %
    assert verdict.target == Target(0.05, "LESS_THAN", from_report=True)


def test_a_report_target_equal_to_the_value_is_red_in_the_reports_direction_too():
    report = {"target": 0.9, "condition": "GREATER_THAN"}
    assert colour_of("on_time_delivery_rate", 0.9, report_target=report) == Colour.RED


def test_a_report_target_that_must_be_equalled_is_red_when_missed_and_green_when_met():
    report = {"target": 0.0, "condition": "EQUALS"}
    assert colour_of("invoice_defect_rate", 0.0, report_target=report) == Colour.GREEN
    assert colour_of("invoice_defect_rate", 0.001, report_target=report) == Colour.RED


@pytest.mark.parametrize("report", [{}, {"target": None, "condition": "LESS_THAN"},
                                    {"target": 0.05, "condition": "SOMETIMES"}, None])
def test_a_report_without_a_usable_target_leaves_the_configured_one(report):
    verdict = evaluate_metric("late_shipment_rate", 0.045, thresholds=DEFAULTS, report_target=report)
    assert (verdict.colour, verdict.target) == (Colour.RED, Target(0.04, "LESS_THAN"))


# -- the Account Health Rating -------------------------------------------------------------------------------
@pytest.mark.parametrize(("score", "colour"), [
    (0, Colour.RED), (99, Colour.RED), (100, Colour.YELLOW), (199, Colour.YELLOW), (200, Colour.GREEN),
    (1000, Colour.GREEN),
])
def test_the_ahr_is_red_in_the_critical_band_and_yellow_at_risk(score, colour):
    assert colour_of("ahr_score", score) == colour


def test_the_agencys_ahr_bands_move_the_boundaries():
    bands = Thresholds(ahr_critical_below=150, ahr_at_risk_below=300)
    assert [colour_of("ahr_score", score, bands) for score in (149, 150, 299, 300)] == [
        Colour.RED, Colour.YELLOW, Colour.YELLOW, Colour.GREEN]


@pytest.mark.parametrize(("status", "colour"), [
    ("GREAT", Colour.GREEN), ("GOOD", Colour.GREEN), ("WARNED", Colour.YELLOW), ("CRITICAL", Colour.RED),
    ("SOMETHING_NEW", Colour.YELLOW),
])
def test_the_ahr_status(status, colour):
    assert colour_of("ahr_status", status) == colour


# -- account status and warnings -----------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "colour"), [
    ("NORMAL", Colour.GREEN), ("AT_RISK", Colour.RED), ("DEACTIVATED", Colour.RED), ("SUSPENDED", Colour.RED),
])
def test_an_account_status_other_than_normal_is_red(status, colour):
    assert colour_of("account_status", status) == colour


def test_a_bad_warning_state_is_red_and_good_or_none_ones_are_green():
    bad = [{"type": "spammingSellerMessaging", "status": "BAD"}, {"type": "other", "status": "GOOD"}]
    verdict = evaluate_metric("warning_states", bad, thresholds=DEFAULTS)
    assert (verdict.colour, verdict.detail) == (Colour.RED, ("spammingSellerMessaging",))
    assert verdict.reason == "Warning: spammingSellerMessaging is BAD"
    assert colour_of("warning_states", [{"type": "x", "status": "GOOD"}, {"type": "y", "status": "NONE"}]) == (
        Colour.GREEN)
    assert colour_of("warning_states", []) == Colour.GREEN


# -- policy counts -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "previous", "colour"), [
    (0, None, Colour.GREEN),
    (0, 3, Colour.GREEN),       # back at the target
    (1, None, Colour.RED),      # first seen: news
    (2, 1, Colour.RED),         # rose
    (2, 2, Colour.YELLOW),      # steady: known, being handled
    (1, 3, Colour.YELLOW),      # fell but not to the target
])
def test_a_policy_count_above_zero_is_red_when_it_rose_or_is_first_seen_and_yellow_when_steady(value, previous,
                                                                                              colour):
    assert colour_of("ip_complaints", value, previous=previous) == colour


def test_policy_count_reasons_say_what_was_compared():
    def reason(value, previous):
        return evaluate_metric("ip_complaints", value, thresholds=DEFAULTS, previous=previous).reason

    assert reason(2, 1) == "IP complaints 2, up from 1 (target 0)"
    assert reason(1, None) == "IP complaints 1, no earlier count (target 0)"
    assert reason(2, 2) == "IP complaints 2, not risen since 2 (target 0)"
    assert reason(0, 2) == "IP complaints 0 (target 0)"


# -- no data -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", metrics.KEYS)
def test_a_missing_metric_is_no_data_never_green_nor_red(key):
    verdict = evaluate_metric(key, None, thresholds=DEFAULTS, previous=3)
    assert (verdict.colour, verdict.rule) == (Colour.NO_DATA, Rule.NO_DATA)


def test_an_unknown_metric_is_refused():
    with pytest.raises(KeyError):
        evaluate_metric("happiness", 1, thresholds=DEFAULTS)


def test_a_day_is_evaluated_for_every_metric_of_the_vocabulary_in_its_order():
    day = evaluate_day({"late_shipment_rate": 0.01, "ip_complaints": 1}, thresholds=DEFAULTS,
                       previous_counts={"ip_complaints": 1})
    assert tuple(day) == metrics.KEYS
    assert day["late_shipment_rate"].colour == Colour.GREEN
    assert day["ip_complaints"].colour == Colour.YELLOW
    assert day["odr_mfn"].colour == Colour.NO_DATA


# -- a store is the worst of its metrics ---------------------------------------------------------------------
def test_a_store_is_the_worst_of_its_metrics_and_no_data_only_when_nothing_has_data():
    nothing = evaluate_day({}, thresholds=DEFAULTS)
    assert store_colour(nothing.values()) == Colour.NO_DATA
    assert store_colour([]) == Colour.NO_DATA

    one_green = evaluate_day({"odr_mfn": 0.001}, thresholds=DEFAULTS)
    assert store_colour(one_green.values()) == Colour.GREEN

    mixed = evaluate_day({"odr_mfn": 0.001, "cancel_rate": 0.024, "ahr_score": 150}, thresholds=DEFAULTS)
    assert store_colour(mixed.values()) == Colour.YELLOW
    red = evaluate_day({"odr_mfn": 0.02, "cancel_rate": 0.024, "account_status": "AT_RISK"}, thresholds=DEFAULTS)
    assert store_colour(red.values()) == Colour.RED


def test_among_equally_bad_metrics_the_first_of_the_vocabulary_is_the_worst_whatever_the_order():
    day = evaluate_day({"late_shipment_rate": 0.05, "account_status": "DEACTIVATED", "odr_mfn": 0.5},
                       thresholds=DEFAULTS)
    assert worst(day.values()).key == "account_status"
    assert worst(reversed(list(day.values()))).key == "account_status"
    assert worst([]) is None


# -- reasons -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "value", "reason"), [
    ("late_shipment_rate", 0.046, "Late Shipment Rate 4.6% ≥ target 4.0%"),
    ("late_shipment_rate", 0.04, "Late Shipment Rate 4.0% ≥ target 4.0%"),
    ("late_shipment_rate", 0.035, "Late Shipment Rate 3.5% is close to the target: below 4.0%"),
    ("late_shipment_rate", 0.01, "Late Shipment Rate 1.0% < target 4.0%"),
    ("valid_tracking_rate", 0.9, "Valid Tracking Rate 90.0% ≤ target 95.0%"),
    ("valid_tracking_rate", 0.955, "Valid Tracking Rate 95.5% is close to the target: above 95.0%"),
    ("valid_tracking_rate", 0.99, "Valid Tracking Rate 99.0% > target 95.0%"),
    ("cancel_rate", 0.0095, "Pre-fulfilment Cancel Rate 0.95% < target 2.5%"),
    ("ahr_score", 99, "Account Health Rating 99 is in the critical band (below 100)"),
    ("ahr_score", 150, "Account Health Rating 150 is at risk (below 200)"),
    ("ahr_score", 200, "Account Health Rating 200 is healthy (200 or more)"),
    ("account_status", "AT_RISK", "Account status is AT_RISK, not NORMAL"),
    ("account_status", "NORMAL", "Account status is NORMAL"),
    ("ahr_status", "WARNED", "AHR status is WARNED, not GREAT"),
    ("warning_states", [], "No warning is BAD"),
    ("odr_mfn", None, "Order Defect Rate (seller-fulfilled): no data"),
])
def test_reasons_read_as_a_person_says_them(key, value, reason):
    assert evaluate_metric(key, value, thresholds=DEFAULTS).reason == reason


def test_a_report_target_that_must_be_equalled_reads_with_its_sign():
    report = {"target": 0.0, "condition": "EQUALS"}
    assert evaluate_metric("invoice_defect_rate", 0.01, thresholds=DEFAULTS, report_target=report).reason == (
        "Invoice Defect Rate 1.0% ≠ target 0.0%")


def test_a_stored_verdict_reads_back_the_same():
    for verdict in evaluate_day({"late_shipment_rate": 0.046, "ip_complaints": 2,
                                 "warning_states": [{"type": "x", "status": "BAD"}], "ahr_score": 120},
                                thresholds=DEFAULTS, report_targets={"cancel_rate": {"target": 0.03,
                                                                                     "condition": "LESS_THAN"}},
                                previous_counts={"ip_complaints": 1}).values():
        assert Evaluation.from_dict(verdict.as_dict()) == verdict
