"""Amazon's account-health report read into rows of the metric vocabulary (``health.amazon_report``): pure
functions, no database. The example is the one inside Amazon's schema of the report, in both of the spellings
Amazon has used."""

import copy
import datetime
import json
from pathlib import Path

import pytest

from health import amazon_report
from health.amazon_report import ReportDateMissing, ReportInvalid, parse_report, report_rows

#: Amazon's JSON Schema of the report (``tests/health/amazon/README.md``), unchanged.
SCHEMA = Path(__file__).resolve().parent / "amazon" / "accountHealthReport-2020-11-18.json"
#: The example inside the schema: it spells four sections the other way from the schema's properties
#: (``prefulfillmentCancelRate``, ``warningState``, ``documentRequest``, ``ahrStatus``).
AMAZON_EXAMPLE = json.loads(SCHEMA.read_text())["examples"][0]

#: The schema's property names for the sections the example spells the other way.
OTHER_SPELLING = {"prefulfillmentCancelRate": "preFulfillmentCancellationRate", "warningState": "warningStates",
                  "documentRequest": "documentRequests", "ahrStatus": "accountHealthRatingStatus"}

US, CA, MX = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"
END_OF_RANGES = datetime.date(2020, 11, 19)

#: What the example says of its one marketplace (the United States), metric by metric.
EXAMPLE_US_VALUES = {
    "ahr_status": "WARNED",
    "account_status": "AT_RISK",
    "odr_mfn": 0.009,
    "odr_afn": 0.009,
    "late_shipment_rate": 0.03203973037,
    "cancel_rate": 0.005,
    "valid_tracking_rate": 0.9529,
    "on_time_delivery_rate": 0.9529,
    "unit_on_time_delivery_rate": 0.8848,
    "invoice_defect_rate": 0.03499611,
    "ip_complaints": 75,
    "authenticity_complaints": 212,
    "condition_complaints": 337,
    "safety_complaints": 165,
    "food_safety_issues": 37,
    "listing_policy_violations": 86,
    "other_policy_violations": 86,
    "document_requests": 8,
    "warning_states": [{"type": "spammingSellerMessaging", "status": "BAD"}],
}


def target(value, condition, status):
    return {"target": value, "condition": condition, "status": status}


EXAMPLE_US_TARGETS = {
    "odr_mfn": target(0.01, "LESS_THAN", "GOOD"),
    "odr_afn": target(0.01, "LESS_THAN", "GOOD"),
    "late_shipment_rate": target(0.04, "LESS_THAN", "GOOD"),
    "cancel_rate": target(0.01, "LESS_THAN", "GOOD"),
    "valid_tracking_rate": target(0.95, "GREATER_THAN", "GOOD"),
    "on_time_delivery_rate": target(0.95, "GREATER_THAN", "GOOD"),
    "unit_on_time_delivery_rate": target(0.9, "GREATER_THAN", "GOOD"),
    "invoice_defect_rate": target(0.05, "LESS_THAN", "GOOD"),
    "ip_complaints": target(0, "EQUALS", "BAD"),
    "authenticity_complaints": target(0, "EQUALS", "BAD"),
    "condition_complaints": target(0, "EQUALS", "BAD"),
    "safety_complaints": target(0, "EQUALS", "BAD"),
    "food_safety_issues": target(0, "EQUALS", "BAD"),
    "listing_policy_violations": target(0, "EQUALS", "BAD"),
    "other_policy_violations": target(0, "EQUALS", "BAD"),
    "document_requests": target(0, "EQUALS", "GOOD"),
}


def example():
    return copy.deepcopy(AMAZON_EXAMPLE)


def respelt(value, names=OTHER_SPELLING):
    """``value`` with every key of ``names`` renamed, at any depth."""
    if isinstance(value, dict):
        return {names.get(key, key): respelt(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [respelt(item, names) for item in value]
    return value


def by_marketplace(reports):
    return {report.marketplace_id: report for report in reports}


def us_entry(document):
    return document["performanceMetrics"][0]


# -- the example, in both spellings ----------------------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["as in the example", "as in the schema's properties"])
def test_the_schema_example_gives_every_metric_of_its_marketplace_with_the_reports_own_targets(spelling):
    document = example() if spelling == "as in the example" else respelt(example())
    assert ("warningStates" in json.dumps(document)) == (spelling != "as in the example")

    us = by_marketplace(parse_report(document))[US]

    assert us.values == EXAMPLE_US_VALUES
    assert us.report_targets == EXAMPLE_US_TARGETS
    assert us.date == END_OF_RANGES
    assert us.path == "performanceMetrics[0]"


def test_sections_the_example_lacks_are_no_data_not_zero():
    us = by_marketplace(parse_report(example()))[US]
    for key in ("ahr_score", "suspected_ip_violations", "restricted_product_violations"):
        assert key not in us.values
        assert key not in us.report_targets


def test_account_statuses_of_marketplaces_without_metrics_give_rows_of_their_own():
    reports = parse_report(example())

    assert [report.marketplace_id for report in reports] == [US, CA, MX]
    canada, mexico = reports[1], reports[2]
    assert (canada.values, canada.report_targets, canada.date) == ({"account_status": "NORMAL"}, {}, END_OF_RANGES)
    assert (mexico.values, mexico.date) == ({"account_status": "SUSPENDED"}, END_OF_RANGES)
    assert mexico.path == "accountStatuses[2]"
    assert mexico.path_of("account_status") == "accountStatuses[2].status"


def test_a_numeric_ahr_score_is_read_beside_either_spelling_of_the_status():
    document = example()
    us_entry(document)["accountHealthRating"]["ahrScore"] = 187
    respelt_document = respelt(document)

    for parsed in (document, respelt_document):
        us = by_marketplace(parse_report(parsed))[US]
        assert (us.values["ahr_score"], us.values["ahr_status"]) == (187, "WARNED")
        assert "ahr_score" not in us.report_targets
    assert by_marketplace(parse_report(document))[US].path_of("ahr_score") == (
        "performanceMetrics[0].accountHealthRating.ahrScore")


def test_an_ahr_score_sent_as_a_whole_float_is_a_whole_number():
    document = example()
    us_entry(document)["accountHealthRating"]["ahrScore"] = 250.0
    assert by_marketplace(parse_report(document))[US].values["ahr_score"] == 250


def test_the_schema_spelling_wins_when_a_report_carries_both():
    document = example()
    us_entry(document)["warningStates"] = []
    us = by_marketplace(parse_report(document))[US]
    assert us.values["warning_states"] == []
    assert us.path_of("warning_states") == "performanceMetrics[0].warningStates"


def test_an_empty_warning_list_is_data_no_warnings_while_an_absent_one_is_no_data():
    document = example()
    us_entry(document)["warningState"] = []
    assert by_marketplace(parse_report(document))[US].values["warning_states"] == []

    del us_entry(document)["warningState"]
    assert "warning_states" not in by_marketplace(parse_report(document))[US].values


def test_a_section_that_is_null_or_has_no_value_leaves_its_metric_out():
    document = example()
    us_entry(document)["lateShipmentRate"] = None
    del us_entry(document)["validTrackingRate"]["rate"]
    del us_entry(document)["orderDefectRate"]["afn"]
    us = by_marketplace(parse_report(document))[US]
    for key in ("late_shipment_rate", "valid_tracking_rate", "odr_afn"):
        assert key not in us.values
        assert key not in us.report_targets
    assert us.values["odr_mfn"] == 0.009


def test_a_section_without_its_target_keeps_what_it_has_of_it():
    document = example()
    section = us_entry(document)["lateShipmentRate"]
    del section["targetValue"], section["targetCondition"]
    us = by_marketplace(parse_report(document))[US]
    assert us.values["late_shipment_rate"] == 0.03203973037
    assert us.report_targets["late_shipment_rate"] == {"status": "GOOD"}


# -- the date ------------------------------------------------------------------------------------------------

def test_the_date_is_the_end_of_the_entrys_latest_reporting_range_in_utc():
    document = example()
    for section in us_entry(document).values():
        if isinstance(section, dict) and "reportingDateRange" in section:
            section["reportingDateRange"]["reportingDateTo"] = "2020-11-01T23:59Z"
    us_entry(document)["invoiceDefectRate"]["reportingDateRange"]["reportingDateTo"] = "2020-11-05T23:59Z"

    us = by_marketplace(parse_report(document))[US]

    assert us.date == datetime.date(2020, 11, 5)
    assert us.path_of("date") == "performanceMetrics[0].invoiceDefectRate.reportingDateRange.reportingDateTo"


def test_the_callers_report_date_is_every_rows_date():
    day = datetime.date(2020, 11, 20)
    reports = parse_report(example(), report_date=day)
    assert {report.date for report in reports} == {day}
    assert reports[0].path_of("date") == "performanceMetrics[0]"


def test_a_report_without_any_reporting_date_needs_the_callers():
    document = {"accountStatuses": [{"marketplaceId": US, "status": "NORMAL"}], "performanceMetrics": []}

    with pytest.raises(ReportDateMissing) as refused:
        parse_report(document)
    assert refused.value.path == "accountStatuses[0]"
    assert "report_date" in str(refused.value)

    [report] = parse_report(document, report_date=datetime.date(2024, 3, 1))
    assert (report.values, report.date) == ({"account_status": "NORMAL"}, datetime.date(2024, 3, 1))


def test_an_entry_without_ranges_takes_the_documents_latest_date():
    document = example()
    document["performanceMetrics"].append({"marketplaceId": CA, "warningStates": []})
    canada = by_marketplace(parse_report(document))[CA]
    assert canada.values == {"warning_states": [], "account_status": "NORMAL"}
    assert canada.date == END_OF_RANGES


# -- rows for the ingestion ------------------------------------------------------------------------------------

def test_report_rows_name_their_store_by_seller_id_and_amazon_marketplace_id_with_the_targets():
    rows = report_rows(example(), seller_id="A2EXAMPLE1234")

    assert [(row["seller_id"], row["marketplace"], row["date"]) for row in rows] == [
        ("A2EXAMPLE1234", US, END_OF_RANGES), ("A2EXAMPLE1234", CA, END_OF_RANGES),
        ("A2EXAMPLE1234", MX, END_OF_RANGES)]
    assert rows[0] == {"seller_id": "A2EXAMPLE1234", "marketplace": US, "date": END_OF_RANGES,
                       **EXAMPLE_US_VALUES, "report_targets": EXAMPLE_US_TARGETS}
    assert rows[2] == {"seller_id": "A2EXAMPLE1234", "marketplace": MX, "date": END_OF_RANGES,
                       "account_status": "SUSPENDED", "report_targets": {}}


def test_a_row_for_a_store_id_carries_only_the_metrics_the_report_gave():
    us = by_marketplace(parse_report(example()))[US]
    row = us.snapshot_row(store=7)
    assert set(row) == {"store", "date", "report_targets", *EXAMPLE_US_VALUES}


# -- documents that are not such a report ----------------------------------------------------------------------

def with_change(change):
    document = example()
    change(document)
    return document


def set_in(path, value):
    """A change that sets ``document[path[0]][path[1]]...`` to ``value``."""
    def change(document):
        item = document
        for key in path[:-1]:
            item = item[key]
        item[path[-1]] = value
    return change


NOT_A_REPORT = [
    pytest.param([1, 2], "", "[1, 2] is not a JSON object", id="a list"),
    pytest.param("report", "", '"report" is not a JSON object', id="a string"),
    pytest.param(None, "", "null is not a JSON object", id="null"),
    pytest.param({}, "performanceMetrics", "Missing", id="no performanceMetrics"),
    pytest.param({"reportType": "GET_V2_SELLER_PERFORMANCE_REPORT"}, "performanceMetrics", "Missing",
                 id="another object"),
    pytest.param({"performanceMetrics": {"marketplaceId": US}}, "performanceMetrics", "is not a list",
                 id="performanceMetrics an object"),
    pytest.param({"performanceMetrics": []}, "performanceMetrics", "names no marketplace", id="nothing in it"),
    pytest.param({"performanceMetrics": ["ATVPDKIKX0DER"]}, "performanceMetrics[0]",
                 '"ATVPDKIKX0DER" is not an object', id="an entry not an object"),
    pytest.param(with_change(lambda d: us_entry(d).pop("marketplaceId")), "performanceMetrics[0].marketplaceId",
                 "Missing", id="an entry without marketplaceId"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "marketplaceId"], 42)),
                 "performanceMetrics[0].marketplaceId", "42 is not a text", id="marketplaceId a number"),
    pytest.param(with_change(lambda d: d["performanceMetrics"].append(copy.deepcopy(us_entry(d)))),
                 "performanceMetrics[1].marketplaceId", '"ATVPDKIKX0DER" is named twice', id="an entry twice"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "lateShipmentRate", "rate"], "abc")),
                 "performanceMetrics[0].lateShipmentRate.rate", '"abc" is not a number', id="a rate as text"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "lateShipmentRate", "rate"], True)),
                 "performanceMetrics[0].lateShipmentRate.rate", "true is not a number", id="a rate true"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "orderDefectRate", "afn", "rate"], [0.1])),
                 "performanceMetrics[0].orderDefectRate.afn.rate", "[0.1] is not a number", id="an ODR a list"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "orderDefectRate"], 0.01)),
                 "performanceMetrics[0].orderDefectRate", "0.01 is not an object", id="the ODR a number"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "lateShipmentRate"], 0.03)),
                 "performanceMetrics[0].lateShipmentRate", "0.03 is not an object", id="a section a number"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "documentRequest", "defectsCount"], "8")),
                 "performanceMetrics[0].documentRequest.defectsCount", '"8" is not a number', id="a count as text"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "listingPolicyViolations", "defectsCount"], 8.5)),
                 "performanceMetrics[0].listingPolicyViolations.defectsCount", "8.5 is not a whole number",
                 id="a count with a fraction"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "accountHealthRating", "ahrScore"], "high")),
                 "performanceMetrics[0].accountHealthRating.ahrScore", '"high" is not a number', id="ahrScore text"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "accountHealthRating", "ahrStatus"], 1)),
                 "performanceMetrics[0].accountHealthRating.ahrStatus", "1 is not a text", id="ahrStatus a number"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "lateShipmentRate", "targetCondition"], "ABOUT")),
                 "performanceMetrics[0].lateShipmentRate.targetCondition",
                 '"ABOUT" is not one of LESS_THAN, GREATER_THAN, EQUALS', id="an unknown condition"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "lateShipmentRate", "targetValue"], "4%")),
                 "performanceMetrics[0].lateShipmentRate.targetValue", '"4%" is not a number', id="a target as text"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "lateShipmentRate", "status"], "FINE")),
                 "performanceMetrics[0].lateShipmentRate.status", '"FINE" is not one of GOOD, BAD, NONE',
                 id="an unknown status"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "warningState"], {"warningType": "x"})),
                 "performanceMetrics[0].warningState", "is not a list", id="warnings not a list"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "warningState"], [{"status": "BAD"}])),
                 "performanceMetrics[0].warningState[0].warningType", "Missing", id="a warning without its type"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "lateShipmentRate", "reportingDateRange",
                                     "reportingDateTo"], "yesterday")),
                 "performanceMetrics[0].lateShipmentRate.reportingDateRange.reportingDateTo",
                 '"yesterday" is not a date and time', id="a date that is not one"),
    pytest.param(with_change(set_in(["performanceMetrics", 0, "lateShipmentRate", "reportingDateRange",
                                     "reportingDateTo"], "2020-02-30T23:59Z")),
                 "performanceMetrics[0].lateShipmentRate.reportingDateRange.reportingDateTo",
                 '"2020-02-30T23:59Z" is not a date and time', id="a day that does not exist"),
    pytest.param(with_change(set_in(["accountStatuses"], {"ATVPDKIKX0DER": "NORMAL"})), "accountStatuses",
                 "is not a list", id="accountStatuses an object"),
    pytest.param(with_change(set_in(["accountStatuses", 1], {"marketplaceId": CA})), "accountStatuses[1].status",
                 "Missing", id="an account status without its status"),
    pytest.param(with_change(set_in(["accountStatuses", 1, "marketplaceId"], US)),
                 "accountStatuses[1].marketplaceId", '"ATVPDKIKX0DER" is named twice', id="a status twice"),
]


@pytest.mark.parametrize(("document", "path", "message"), NOT_A_REPORT)
def test_a_document_that_is_not_such_a_report_is_refused_naming_the_path_and_value(document, path, message):
    with pytest.raises(ReportInvalid) as refused:
        parse_report(document)
    assert refused.value.path == path
    assert message in refused.value.message
    assert str(refused.value) == (f"{path}: {refused.value.message}" if path else refused.value.message)


def test_a_long_value_is_quoted_short():
    quoted = amazon_report.quoted("x" * 500)
    assert quoted.startswith('"xxx') and quoted.endswith("…")
    assert len(quoted) == amazon_report.QUOTED_VALUE_MAX


def test_a_value_nested_too_deep_to_write_out_is_quoted_by_its_start():
    deep = []
    for _level in range(100_000):
        deep = [deep]
    assert amazon_report.quoted(deep) == "[…"
    assert amazon_report.quoted({"a": deep}) == "{…"
