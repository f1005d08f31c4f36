"""``POST /api/v1/health/reports/``: Amazon's account-health report, as delivered, goes to the stores of its seller
id on each of its marketplaces; what has no store is reported back; what is not such a report writes nothing."""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from health.models import HealthSnapshot, Source
from tests.factories import StoreFactory
from tests.health.test_amazon_report import (
    CA,
    END_OF_RANGES,
    EXAMPLE_US_TARGETS,
    EXAMPLE_US_VALUES,
    MX,
    US,
    example,
    respelt,
    us_entry,
)

REPORTS = "/api/v1/health/reports/"
METRIC_KEYS = [*EXAMPLE_US_VALUES, "ahr_score", "suspected_ip_violations", "restricted_product_violations"]


def post(client, seller_id, report, **extra):
    return client.post(REPORTS, {"seller_id": seller_id, "report": report, **extra}, format="json")


def snapshots():
    """Every snapshot of every agency: ``{(store id, date): snapshot}``."""
    with scopes_disabled():
        return {(row.store_id, row.date): row for row in HealthSnapshot.objects.all()}


def values_of(snapshot):
    return {key: value for key, value in snapshot.values().items() if value is not None}


def canada_store(persona, store):
    """Another store of the same seller account, on the Canadian marketplace (assigned to nobody)."""
    return StoreFactory(agency=persona.agency, client=persona.client, seller_id=store.seller_id, marketplace="CA",
                        name=f"{store.name} CA")


def test_the_route_is_named():
    assert reverse("api:health-report") == REPORTS


# -- the example report --------------------------------------------------------------------------------------------

def test_the_schema_example_posted_for_a_us_store_stores_its_values_and_the_reports_targets(agency_a, api_as):
    store = agency_a.assigned_store
    answer = post(api_as(agency_a.rw_header), store.seller_id, example())

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1, 0, 0)
    assert body["stores"] == [{"id": store.pk, "marketplace": "US", "date": "2020-11-19"}]
    snapshot = snapshots()[(store.pk, END_OF_RANGES)]
    assert values_of(snapshot) == EXAMPLE_US_VALUES
    assert {key: {part: value for part, value in target.items() if value is not None}
            for key, target in snapshot.report_targets.items()} == EXAMPLE_US_TARGETS
    assert snapshot.source == Source.REPORT
    assert snapshot.agency_id == agency_a.agency.pk


def test_marketplaces_without_a_store_are_reported_back_and_the_others_still_written(agency_a, api_as):
    store = agency_a.assigned_store
    answer = post(api_as(agency_a.rw_header), store.seller_id, example())

    assert answer.status_code == 200, answer.content
    assert answer.json()["unmatched"] == [
        {"marketplace_id": CA, "marketplace": "CA",
         "message": f"No store with seller id “{store.seller_id}” on CA."},
        {"marketplace_id": MX, "marketplace": "MX",
         "message": f"No store with seller id “{store.seller_id}” on MX."},
    ]
    assert list(snapshots()) == [(store.pk, END_OF_RANGES)]


def test_an_account_status_without_metrics_still_reaches_its_store(agency_a, api_as):
    store = agency_a.assigned_store
    canada = canada_store(agency_a, store)

    answer = post(api_as(agency_a.rw_header), store.seller_id, example())

    assert answer.status_code == 200, answer.content
    assert answer.json()["created"] == 2
    assert {(row["id"], row["marketplace"]) for row in answer.json()["stores"]} == {(store.pk, "US"),
                                                                                  (canada.pk, "CA")}
    assert [row["marketplace_id"] for row in answer.json()["unmatched"]] == [MX]
    snapshot = snapshots()[(canada.pk, END_OF_RANGES)]
    assert values_of(snapshot) == {"account_status": "NORMAL"}


def test_the_schema_spelling_of_the_sections_stores_the_same(agency_a, api_as):
    store = agency_a.assigned_store
    answer = post(api_as(agency_a.rw_header), store.seller_id, respelt(example()))

    assert answer.status_code == 200, answer.content
    assert values_of(snapshots()[(store.pk, END_OF_RANGES)]) == EXAMPLE_US_VALUES


def test_a_numeric_ahr_score_is_stored(agency_a, api_as):
    store = agency_a.assigned_store
    document = example()
    us_entry(document)["accountHealthRating"]["ahrScore"] = 95

    answer = post(api_as(agency_a.rw_header), store.seller_id, document)

    assert answer.status_code == 200, answer.content
    assert snapshots()[(store.pk, END_OF_RANGES)].ahr_score == 95


def test_the_callers_report_date_is_the_snapshots_day(agency_a, api_as):
    store = agency_a.assigned_store
    answer = post(api_as(agency_a.rw_header), store.seller_id, example(), report_date="2020-11-21")

    assert answer.status_code == 200, answer.content
    assert answer.json()["stores"][0]["date"] == "2020-11-21"
    assert list(snapshots()) == [(store.pk, datetime.date(2020, 11, 21))]


def test_sending_the_same_report_again_changes_nothing(agency_a, api_as):
    store = agency_a.assigned_store
    canada_store(agency_a, store)
    api = api_as(agency_a.rw_header)
    assert post(api, store.seller_id, example()).json()["created"] == 2
    before = {key: (values_of(row), row.report_targets, row.received_at) for key, row in snapshots().items()}

    again = post(api, store.seller_id, example())

    assert again.status_code == 200, again.content
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 2)
    assert {key: (values_of(row), row.report_targets, row.received_at) for key, row in snapshots().items()} == before


def test_a_later_report_sets_only_the_metrics_it_carries(agency_a, api_as):
    store = agency_a.assigned_store
    api = api_as(agency_a.rw_header)
    post(api, store.seller_id, example())
    later = {"performanceMetrics": [{"marketplaceId": US, "lateShipmentRate": {
        "reportingDateRange": {"reportingDateFrom": "2020-10-21T00:00Z", "reportingDateTo": "2020-11-19T23:59Z"},
        "status": "BAD", "rate": 0.05, "targetValue": 0.04, "targetCondition": "LESS_THAN"}}]}

    answer = post(api, store.seller_id, later)

    assert answer.status_code == 200, answer.content
    assert answer.json()["updated"] == 1
    snapshot = snapshots()[(store.pk, END_OF_RANGES)]
    assert values_of(snapshot) == {**EXAMPLE_US_VALUES, "late_shipment_rate": 0.05}


def test_a_marketplace_the_product_does_not_know_is_unmatched_without_a_code(agency_a, api_as):
    store = agency_a.assigned_store
    document = example()
    document["accountStatuses"].append({"marketplaceId": "AXXXXNOWHERE", "status": "NORMAL"})

    answer = post(api_as(agency_a.rw_header), store.seller_id, document)

    assert answer.status_code == 200, answer.content
    assert answer.json()["unmatched"][-1] == {
        "marketplace_id": "AXXXXNOWHERE", "marketplace": None,
        "message": "“AXXXXNOWHERE” is not an Amazon marketplace this product knows."}


# -- refused -------------------------------------------------------------------------------------------------------

NOT_A_REPORT = [
    pytest.param([1, 2], "[1, 2] is not a JSON object", id="a list"),
    pytest.param("report", '"report" is not a JSON object', id="a string"),
    pytest.param({}, "performanceMetrics: Missing", id="an empty object"),
    pytest.param({"performanceMetrics": "ATVPDKIKX0DER"}, 'performanceMetrics: "ATVPDKIKX0DER" is not a list',
                 id="performanceMetrics not a list"),
    pytest.param({"performanceMetrics": [{"lateShipmentRate": {"rate": 0.01}}]},
                 "performanceMetrics[0].marketplaceId: Missing", id="an entry without marketplaceId"),
    pytest.param({"performanceMetrics": [{"marketplaceId": US, "lateShipmentRate": {"rate": "abc"}}]},
                 'performanceMetrics[0].lateShipmentRate.rate: "abc" is not a number', id="a rate as text"),
]


@pytest.mark.parametrize(("document", "message"), NOT_A_REPORT)
def test_a_document_that_is_not_such_a_report_is_a_400_naming_the_path_and_nothing_is_written(
        document, message, agency_a, api_as):
    answer = post(api_as(agency_a.rw_header), agency_a.assigned_store.seller_id, document)

    assert answer.status_code == 400, answer.content
    assert list(answer.json()) == ["report"]
    assert message in answer.json()["report"][0]
    assert snapshots() == {}


def test_a_missing_report_or_seller_id_is_a_400_on_the_field(agency_a, api_as):
    api = api_as(agency_a.rw_header)
    assert set(api.post(REPORTS, {}, format="json").json()) == {"seller_id", "report"}
    assert set(api.post(REPORTS, [example()], format="json").json()) == {"non_field_errors"}
    assert set(post(api, "not a seller id", example()).json()) == {"seller_id"}
    assert snapshots() == {}


def test_a_value_the_ingestion_refuses_is_a_400_naming_its_path_and_nothing_is_written(agency_a, api_as):
    store = agency_a.assigned_store
    canada_store(agency_a, store)
    document = example()
    us_entry(document)["lateShipmentRate"]["rate"] = 1.5
    us_entry(document)["accountHealthRating"]["ahrScore"] = 1200

    answer = post(api_as(agency_a.rw_header), store.seller_id, document)

    assert answer.status_code == 400, answer.content
    assert answer.json() == {"report": [
        "performanceMetrics[0].lateShipmentRate.rate: 1.5 is not a rate from 0 to 1.",
        "performanceMetrics[0].accountHealthRating.ahrScore: 1200 is not a whole number from 0 to 1000.",
    ]}
    assert snapshots() == {}


def test_a_report_date_after_today_in_the_marketplace_is_a_400_on_report_date(agency_a, api_as):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    answer = post(api_as(agency_a.rw_header), agency_a.assigned_store.seller_id, example(), report_date=tomorrow)

    assert answer.status_code == 400, answer.content
    assert list(answer.json()) == ["report_date"]
    assert tomorrow in answer.json()["report_date"][0]
    assert snapshots() == {}


def test_reporting_ranges_ending_after_today_are_a_400_naming_where(agency_a, api_as):
    later = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    document = example()
    us_entry(document)["lateShipmentRate"]["reportingDateRange"]["reportingDateTo"] = f"{later}T23:59Z"

    answer = post(api_as(agency_a.rw_header), agency_a.assigned_store.seller_id, document)

    assert answer.status_code == 400, answer.content
    assert answer.json()["report"][0].startswith(
        "performanceMetrics[0].lateShipmentRate.reportingDateRange.reportingDateTo: ")
    assert snapshots() == {}


def test_a_seller_id_without_any_store_on_the_reports_marketplaces_is_a_400_on_seller_id(agency_a, api_as):
    """Nothing to write at all is more likely a wrong seller id than news: the ERP is told so, not given a 200."""
    store = agency_a.other_store  # on DE, which the example does not report
    answer = post(api_as(agency_a.rw_header), store.seller_id, example())

    assert answer.status_code == 400, answer.content
    assert answer.json() == {"seller_id": [
        f"No store with seller id “{store.seller_id}” is on a marketplace of this report (US, CA, MX)."]}
    assert snapshots() == {}


# -- tenants and roles ------------------------------------------------------------------------------------------

def test_another_agencys_seller_id_is_answered_as_unknown_and_nothing_is_written(agency_a, agency_b, api_as):
    seller_id = agency_a.assigned_store.seller_id
    unknown = post(api_as(agency_b.rw_header), "A0NOSUCHSELLER", example())
    answer = post(api_as(agency_b.rw_header), seller_id, example())

    assert answer.status_code == 400, answer.content
    assert answer.json()["seller_id"] == [unknown.json()["seller_id"][0].replace("A0NOSUCHSELLER", seller_id)]
    assert snapshots() == {}


def test_a_seller_both_agencies_run_is_written_only_to_the_callers_store(agency_a, agency_b, api_as):
    """The same seller account can be a store of two agencies (one took it over from the other): each report
    goes to the caller's store; the other agency's, even on a marketplace the caller has none for, is unmatched."""
    store_a = agency_a.assigned_store
    canada_a = canada_store(agency_a, store_a)
    store_b = StoreFactory(agency=agency_b.agency, client=agency_b.client, seller_id=store_a.seller_id,
                           marketplace="US")

    answer = post(api_as(agency_b.rw_header), store_a.seller_id, example())

    assert answer.status_code == 200, answer.content
    assert answer.json()["stores"] == [{"id": store_b.pk, "marketplace": "US", "date": "2020-11-19"}]
    assert [row["marketplace"] for row in answer.json()["unmatched"]] == ["CA", "MX"]
    assert list(snapshots()) == [(store_b.pk, END_OF_RANGES)]
    assert store_a.pk != store_b.pk and canada_a.pk not in {key[0] for key in snapshots()}


def test_an_operator_loads_the_report_into_their_stores_only(agency_a, api_as):
    store = agency_a.assigned_store
    canada_store(agency_a, store)  # the same seller on CA, not assigned to the operator

    operator = api_as(agency_a.operator)
    operator.cookies["django_language"] = "en"  # a person's session speaks their agency's language otherwise
    answer = post(operator, store.seller_id, example())

    assert answer.status_code == 200, answer.content
    assert [row["id"] for row in answer.json()["stores"]] == [store.pk]
    assert [row["marketplace"] for row in answer.json()["unmatched"]] == ["CA", "MX"]
    assert answer.json()["unmatched"][0]["message"] == f"No store with seller id “{store.seller_id}” on CA."
    assert list(snapshots()) == [(store.pk, END_OF_RANGES)]


def test_an_operator_without_the_sellers_stores_gets_the_unknown_seller_answer(agency_a, api_as):
    answer = post(api_as(agency_a.idle_operator), agency_a.assigned_store.seller_id, example())

    assert answer.status_code == 400, answer.content
    assert list(answer.json()) == ["seller_id"]
    assert snapshots() == {}


@pytest.mark.parametrize("writer", ["owner", "manager", "rw_key"])
def test_those_who_work_on_stores_may_load_a_report(writer, agency_a, api_as):
    credential = agency_a.rw_header if writer == "rw_key" else agency_a.staff[writer]
    answer = post(api_as(credential), agency_a.assigned_store.seller_id, example())
    assert answer.status_code == 200, answer.content


@pytest.mark.parametrize("reader", ["viewer", "ro_key"])
def test_read_only_keys_and_viewers_may_not_load_a_report(reader, agency_a, api_as):
    credential = agency_a.ro_header if reader == "ro_key" else agency_a.viewer
    answer = post(api_as(credential), agency_a.assigned_store.seller_id, example())

    assert answer.status_code == 403, answer.content
    assert snapshots() == {}


def test_a_caller_without_a_key_is_asked_to_authenticate(agency_a):
    answer = APIClient().post(REPORTS, {"seller_id": agency_a.assigned_store.seller_id, "report": example()},
                              format="json")
    assert answer.status_code == 401
    assert snapshots() == {}


# -- the schema ----------------------------------------------------------------------------------------------------

def test_the_schema_documents_the_request_the_answer_and_the_refusals(db):
    schema = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"][REPORTS]["post"]

    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rpartition("/")[2]
    assert set(schema["components"]["schemas"][request]["required"]) == {"seller_id", "report"}
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rpartition("/")[2]
    assert set(schema["components"]["schemas"][answer]["properties"]) == {"created", "updated", "unchanged",
                                                                          "stores", "unmatched"}
    assert {"400", "401", "403", "413"} <= set(operation["responses"])
    assert "performanceMetrics" in operation["responses"]["400"]["description"]
    assert "accountStatuses" in operation["description"]


@pytest.mark.parametrize("depth", [50, 880, 990])
def test_a_report_nested_as_deep_as_json_allows_is_a_400_not_a_server_error(depth, agency_a, api_as):
    nested = "[" * depth + "]" * depth
    body = f'{{"seller_id": "{agency_a.assigned_store.seller_id}", "report": {{"performanceMetrics": [{nested}]}}}}'

    answer = api_as(agency_a.rw_header).post(REPORTS, body, content_type="application/json")

    assert answer.status_code == 400, answer.content
    refusal = answer.json().get("report", [answer.json().get("detail")])[0]  # read, or too deep to read
    assert refusal.startswith("performanceMetrics[0]: [") or "nested too deeply" in refusal


def test_a_report_sent_as_a_form_is_refused_as_such(agency_a, api_as):
    answer = api_as(agency_a.rw_header).post(REPORTS, {"seller_id": agency_a.assigned_store.seller_id,
                                                       "report": "{}"})
    assert answer.status_code == 415, answer.content
