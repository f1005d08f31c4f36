"""Reading health over the API: a store's health now, the snapshots' history, and the store list's ``?health=``."""

import datetime

from django.utils import translation
from django_scopes import scopes_disabled

from health import services
from health.models import HealthPolicy, Source
from health.thresholds import Colour
from tests.health.factories import HealthSnapshotFactory

TODAY = datetime.date(2025, 3, 20)


def day(offset):
    return TODAY - datetime.timedelta(days=offset)


def health_url(store):
    return f"/api/v1/stores/{store.pk}/health/"


def metric(body, key):
    return next(entry for entry in body["metrics"] if entry["key"] == key)


def evaluate(persona):
    with persona.scope():
        services.store_health_evaluate(agency=persona.agency,
                                       store_ids=[persona.assigned_store.pk, persona.other_store.pk])


# -- a store's health ----------------------------------------------------------------------------------------
def test_a_stores_health_gives_every_metric_with_value_target_colour_and_reason(agency_a, api_as):
    store = agency_a.assigned_store
    HealthSnapshotFactory(store=store, date=day(1), ip_complaints=1)
    HealthSnapshotFactory(store=store, date=day(0), late_shipment_rate=0.046, ip_complaints=1, source=Source.REPORT,
                          report_targets={"valid_tracking_rate": {"target": 0.9, "condition": "GREATER_THAN",
                                                                  "status": "GOOD"}})

    answer = api_as(agency_a.ro_header).get(health_url(store))

    assert answer.status_code == 200
    body = answer.json()
    assert (body["store"], body["date"], body["colour"], body["worst_metric"]) == (
        store.pk, str(TODAY), "red", "late_shipment_rate")
    assert body["worst_reason"] == "Late Shipment Rate 4.6% ≥ target 4.0%"
    assert body["source"] == "report" and body["received_at"]
    assert [entry["key"] for entry in body["metrics"]][:3] == ["ahr_score", "ahr_status", "account_status"]
    assert len(body["metrics"]) == 22
    assert metric(body, "late_shipment_rate") == {
        "key": "late_shipment_rate", "label": "Late Shipment Rate", "value": 0.046, "display_value": "4.6%",
        "target": {"value": 0.04, "condition": "LESS_THAN", "source": "policy"}, "report_status": None,
        "colour": "red", "rule": "target", "reason": "Late Shipment Rate 4.6% ≥ target 4.0%"}
    assert metric(body, "valid_tracking_rate")["target"] == {"value": 0.9, "condition": "GREATER_THAN",
                                                             "source": "report"}
    assert metric(body, "valid_tracking_rate")["report_status"] == "GOOD"
    assert metric(body, "ip_complaints")["colour"] == "yellow"
    assert metric(body, "odr_afn") == {
        "key": "odr_afn", "label": "Order Defect Rate (fulfilled by Amazon)", "value": None, "display_value": "",
        "target": {"value": 0.01, "condition": "LESS_THAN", "source": "policy"}, "report_status": None,
        "colour": "no_data", "rule": "no_data", "reason": "Order Defect Rate (fulfilled by Amazon): no data"}


def test_a_stores_health_is_evaluated_afresh_not_read_from_a_stale_evaluation(agency_a, api_as):
    store = agency_a.assigned_store
    HealthSnapshotFactory(store=store, date=day(0), late_shipment_rate=0.035)
    evaluate(agency_a)
    with agency_a.scope():
        HealthPolicy.objects.create(agency=agency_a.agency, late_shipment_rate_target=0.03)  # no re-evaluation

    body = api_as(agency_a.owner).get(health_url(store)).json()

    assert body["colour"] == "red"
    assert metric(body, "late_shipment_rate")["target"]["value"] == 0.03


def test_a_store_without_snapshots_has_no_data_for_every_metric(agency_a, api_as):
    body = api_as(agency_a.owner).get(health_url(agency_a.other_store)).json()
    assert (body["date"], body["colour"], body["worst_metric"], body["source"]) == (None, "no_data", None, None)
    assert {entry["colour"] for entry in body["metrics"]} == {"no_data"}


def test_reasons_come_in_the_callers_language(agency_a, api_as):
    HealthSnapshotFactory(store=agency_a.assigned_store, date=day(0), late_shipment_rate=0.046)
    client = api_as(agency_a.ro_header)  # a key gets the language it asks for
    english = client.get(health_url(agency_a.assigned_store)).json()
    chinese = client.get(health_url(agency_a.assigned_store), HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    with translation.override("zh-hans"):
        expected = translation.gettext("%(metric)s %(value)s ≥ target %(target)s") % {
            "metric": translation.gettext("Late Shipment Rate"), "value": "4.6%", "target": "4.0%"}
    assert metric(english, "late_shipment_rate")["reason"] == "Late Shipment Rate 4.6% ≥ target 4.0%"
    assert metric(chinese, "late_shipment_rate")["reason"] == expected


def test_an_operator_reads_the_health_of_their_store_only(agency_a, api_as):
    api = api_as(agency_a.operator)
    assert api.get(health_url(agency_a.assigned_store)).status_code == 200
    assert api.get(health_url(agency_a.other_store)).status_code == 404


def test_another_agencys_store_has_no_health_here(agency_a, agency_b, api_as):
    for caller in (agency_b.owner, agency_b.ro_header):
        assert api_as(caller).get(health_url(agency_a.assigned_store)).status_code == 404


# -- the history ---------------------------------------------------------------------------------------------
def snapshots(client, **query):
    answer = client.get("/api/v1/health/snapshots/", query)
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_the_history_is_newest_first_filtered_by_store_and_dates_and_paged_by_cursor(agency_a, api_as):
    store, other = agency_a.assigned_store, agency_a.other_store
    for offset in range(5):
        HealthSnapshotFactory(store=store, date=day(offset), ahr_score=300 + offset)
    HealthSnapshotFactory(store=other, date=day(0))
    api = api_as(agency_a.rw_header)

    page = snapshots(api, store=store.pk, page_size=2)
    assert [row["date"] for row in page["results"]] == [str(day(0)), str(day(1))]
    assert page["results"][0]["store"] == store.pk and page["results"][0]["ahr_score"] == 300
    following = api.get(page["next"]).json()
    assert [row["date"] for row in following["results"]] == [str(day(2)), str(day(3))]

    window = snapshots(api, store=store.pk, date_after=str(day(3)), date_before=str(day(1)))
    assert [row["date"] for row in window["results"]] == [str(day(1)), str(day(2)), str(day(3))]
    assert len(snapshots(api)["results"]) == 6


def test_an_operator_sees_the_history_of_their_stores_only(agency_a, api_as):
    mine = HealthSnapshotFactory(store=agency_a.assigned_store, date=day(0))
    HealthSnapshotFactory(store=agency_a.other_store, date=day(0))
    api = api_as(agency_a.operator)
    assert [row["id"] for row in snapshots(api)["results"]] == [mine.pk]
    refused = api.get("/api/v1/health/snapshots/", {"store": agency_a.other_store.pk})
    assert refused.status_code == 400 and "store" in refused.json()


def test_naming_another_agencys_store_or_a_bad_value_is_a_400_on_its_parameter(agency_a, agency_b, api_as):
    api = api_as(agency_a.owner)
    for value in (agency_b.assigned_store.pk, 10**20, "shop", 0):
        answer = api.get("/api/v1/health/snapshots/", {"store": value})
        assert answer.status_code == 400, value
        assert str(value) in answer.json()["store"][0]
    answer = api.get("/api/v1/health/snapshots/", {"date_after": "yesterday"})
    assert answer.status_code == 400 and "date_after" in answer.json()


# -- ?health= on the store list ------------------------------------------------------------------------------
def stores(client, **query):
    answer = client.get("/api/v1/stores/", query)
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["results"]}


def test_the_store_list_filters_by_last_evaluated_health(agency_a, api_as):
    HealthSnapshotFactory(store=agency_a.assigned_store, date=day(0), odr_mfn=0.02)
    evaluate(agency_a)  # the other store has no snapshot: no data
    api = api_as(agency_a.owner)

    assert stores(api, health="red") == {agency_a.assigned_store.pk}
    assert stores(api, health="green") == set()
    assert stores(api, health="no_data") == {agency_a.other_store.pk}
    assert stores(api, health=["red", "no_data"]) == {agency_a.assigned_store.pk, agency_a.other_store.pk}
    answer = api.get("/api/v1/stores/", {"health": "purple"})
    assert answer.status_code == 400 and "health" in answer.json()


def test_a_store_never_evaluated_counts_as_no_data(agency_a, api_as):
    with scopes_disabled():
        assert stores(api_as(agency_a.owner), health="no_data") == {agency_a.assigned_store.pk,
                                                                    agency_a.other_store.pk}


def test_an_operator_filters_among_their_stores_only(agency_a, api_as):
    HealthSnapshotFactory(store=agency_a.assigned_store, date=day(0), odr_mfn=0.02)
    HealthSnapshotFactory(store=agency_a.other_store, date=day(0), odr_mfn=0.02)
    evaluate(agency_a)
    assert stores(api_as(agency_a.operator), health="red") == {agency_a.assigned_store.pk}
    assert stores(api_as(agency_a.idle_operator), health=Colour.RED) == set()
