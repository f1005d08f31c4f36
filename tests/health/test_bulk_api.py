"""``POST /api/v1/health/snapshots/bulk/``: the ERP's daily metrics in one batch, validated as a whole, upserted
idempotently, never across agencies."""

import datetime
import json

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from health.models import HealthSnapshot
from tests.factories import StoreFactory

URL = "/api/v1/health/snapshots/bulk/"
DAY = (datetime.date.today() - datetime.timedelta(days=3)).isoformat()


def post(client, rows):
    return client.post(URL, {"snapshots": rows}, format="json")


def stored():
    with scopes_disabled():
        return {(row.store_id, row.date.isoformat()): row for row in HealthSnapshot.objects.all()}


def row_errors(response):
    assert response.status_code == 400, response.content
    return [(error["index"], error["field"]) for error in response.json()["snapshots"]]


def test_the_route_is_named_for_reverse():
    assert reverse("api:health-snapshot-bulk") == URL


def test_a_batch_is_upserted_and_the_answer_counts_what_happened(agency_a, api_as):
    client = api_as(agency_a.rw_header)
    rows = [{"store": agency_a.assigned_store.pk, "date": DAY, "late_shipment_rate": 0.046, "ahr_score": 250},
            {"seller_id": agency_a.other_store.seller_id, "marketplace": "DE", "date": DAY, "odr_mfn": 0.002}]

    response = post(client, rows)

    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert stored()[(agency_a.assigned_store.pk, DAY)].late_shipment_rate == 0.046


def test_a_replay_changes_nothing_and_rewrites_no_row(agency_a, api_as):
    client = api_as(agency_a.rw_header)
    rows = [{"store": agency_a.assigned_store.pk, "date": DAY, "cancel_rate": 0.01,
             "warning_states": [{"type": "spammingSellerMessaging", "status": "GOOD"}]}]
    post(client, rows)
    received = stored()[(agency_a.assigned_store.pk, DAY)].received_at

    response = post(client, rows)

    assert response.json() == {"created": 0, "updated": 0, "unchanged": 1}
    assert stored()[(agency_a.assigned_store.pk, DAY)].received_at == received


def test_a_row_changes_the_metrics_it_names_only(agency_a, api_as):
    client = api_as(agency_a.rw_header)
    store = agency_a.assigned_store.pk
    post(client, [{"store": store, "date": DAY, "cancel_rate": 0.01, "odr_mfn": 0.003}])

    response = post(client, [{"store": store, "date": DAY, "cancel_rate": None}])

    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0}
    row = stored()[(store, DAY)]
    assert (row.cancel_rate, row.odr_mfn) == (None, 0.003)


@pytest.mark.parametrize(("bad", "field"), [
    ({"late_shipment_rate": 1.2}, "late_shipment_rate"),
    ({"late_shipment_rate": "0.1"}, "late_shipment_rate"),
    ({"ahr_score": 1001}, "ahr_score"),
    ({"ip_complaints": -1}, "ip_complaints"),
    ({"valid_tracking_rate": True}, "valid_tracking_rate"),
    ({"warning_states": [{"type": "x", "status": "RED"}]}, "warning_states"),
    ({"account_status": ""}, "account_status"),
    ({"date": "2025-02-30"}, "date"),
    ({"date": "2999-01-01"}, "date"),
    ({"store": 10**30}, "store"),
    ({"late_rate": 0.1}, "late_rate"),
    ({"report_targets": {}}, "report_targets"),
    ({"seller_id": "A1"}, "store"),
])
def test_each_kind_of_bad_row_is_a_400_naming_index_and_field_and_nothing_is_written(agency_a, api_as, bad, field):
    rows = [{"store": agency_a.assigned_store.pk, "date": DAY, "cancel_rate": 0.01},
            {"store": agency_a.other_store.pk, "date": DAY, **bad}]

    response = post(api_as(agency_a.rw_header), rows)

    assert row_errors(response) == [(1, field)]
    assert response.json()["snapshots"][0]["message"]
    assert stored() == {}


def test_the_same_store_and_day_twice_is_refused(agency_a, api_as):
    rows = [{"store": agency_a.assigned_store.pk, "date": DAY}, {"store": agency_a.assigned_store.pk, "date": DAY}]
    response = post(api_as(agency_a.rw_header), rows)
    assert row_errors(response) == [(1, "date")]
    assert "row 0" in response.json()["snapshots"][0]["message"]


def test_another_agencys_store_id_and_seller_id_are_unknown_stores(agency_a, agency_b, api_as):
    rows = [{"store": agency_b.assigned_store.pk, "date": DAY},
            {"seller_id": agency_b.other_store.seller_id, "marketplace": "DE", "date": DAY}]

    response = post(api_as(agency_a.rw_header), rows)

    assert row_errors(response) == [(0, "store"), (1, "seller_id")]
    assert response.json()["snapshots"][0]["message"] == f"No store with id {agency_b.assigned_store.pk}."
    assert stored() == {}


def test_another_agencys_key_cannot_write_into_this_agencys_stores(agency_a, agency_b, api_as):
    response = post(api_as(agency_b.rw_header), [{"store": agency_a.assigned_store.pk, "date": DAY}])
    assert row_errors(response) == [(0, "store")]
    assert stored() == {}


def test_an_operator_sends_rows_of_their_own_stores_only(agency_a, api_as):
    client = api_as(agency_a.operator)
    client.cookies["django_language"] = "en"  # a person's session speaks their agency's language otherwise
    refused = post(client, [{"store": agency_a.other_store.pk, "date": DAY},
                            {"seller_id": agency_a.other_store.seller_id, "marketplace": "DE", "date": DAY}])
    assert row_errors(refused) == [(0, "store"), (1, "seller_id")]
    assert refused.json()["snapshots"][0]["message"] == f"No store with id {agency_a.other_store.pk}."

    taken = post(client, [{"store": agency_a.assigned_store.pk, "date": DAY, "cancel_rate": 0.01}])
    assert taken.json() == {"created": 1, "updated": 0, "unchanged": 0}


@pytest.mark.parametrize("who", ["viewer", "read-only key"])
def test_readers_may_not_send_metrics(agency_a, api_as, who):
    client = api_as(agency_a.viewer if who == "viewer" else agency_a.ro_header)
    response = post(client, [{"store": agency_a.assigned_store.pk, "date": DAY}])
    assert response.status_code == 403
    assert stored() == {}


def test_managers_and_owners_may_send(agency_a, api_as):
    for number, person in enumerate((agency_a.manager, agency_a.owner)):
        day = (datetime.date.today() - datetime.timedelta(days=10 + number)).isoformat()
        assert post(api_as(person), [{"store": agency_a.other_store.pk, "date": day}]).status_code == 200


def test_more_rows_than_the_limit_is_a_413_naming_the_limit(agency_a, api_as, settings):
    settings.HEALTH_BULK_MAX_ROWS = 3
    rows = [{"store": agency_a.assigned_store.pk, "date": f"2024-01-0{day}"} for day in range(1, 5)]

    response = post(api_as(agency_a.rw_header), rows)

    assert response.status_code == 413
    assert "3" in response.json()["detail"]
    assert stored() == {}


def test_a_body_over_the_upload_limit_is_a_413(agency_a, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    rows = [{"store": agency_a.assigned_store.pk, "date": f"2024-01-{day:02d}", "ahr_status": "GREAT"}
            for day in range(1, 29)]
    response = post(api_as(agency_a.rw_header), rows)
    assert response.status_code == 413
    assert "1000" in response.json()["detail"]
    assert stored() == {}


@pytest.mark.parametrize("body", ["[]", '{"snapshots": {}}', '{"rows": []}', "{", '{"snapshots": [], "x": 1}'])
def test_a_body_that_is_not_a_list_of_snapshots_is_a_400(agency_a, api_as, body):
    response = api_as(agency_a.rw_header).post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_body_that_is_not_json_is_a_415(agency_a, api_as):
    response = api_as(agency_a.rw_header).post(URL, "store=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_a_string_with_a_nul_character_is_refused_not_a_server_error(agency_a, api_as):
    body = json.dumps({"snapshots": [{"seller_id": "A\u0000", "marketplace": "US", "date": DAY,
                                      "ahr_status": "GREAT\u0000"}]})
    response = api_as(agency_a.rw_header).post(URL, body, content_type="application/json")
    assert row_errors(response) == [(0, "ahr_status"), (0, "seller_id")]


def test_an_empty_batch_does_nothing(agency_a, api_as):
    response = post(api_as(agency_a.rw_header), [])
    assert response.json() == {"created": 0, "updated": 0, "unchanged": 0}


def test_a_store_of_the_agency_on_another_marketplace_is_named_by_its_own_seller_id(agency_a, api_as):
    jp = StoreFactory(agency=agency_a.agency, client=agency_a.client, marketplace="JP",
                      seller_id=agency_a.other_store.seller_id)
    response = post(api_as(agency_a.rw_header), [
        {"seller_id": jp.seller_id, "marketplace": "A1VC38T7YXB528", "date": DAY, "cancel_rate": 0.02},
        {"seller_id": jp.seller_id, "marketplace": "DE", "date": DAY, "cancel_rate": 0.03},
    ])
    assert response.status_code == 200, response.content
    rows = stored()
    assert (rows[(jp.pk, DAY)].cancel_rate, rows[(agency_a.other_store.pk, DAY)].cancel_rate) == (0.02, 0.03)


@pytest.mark.parametrize("body", [
    '{"snapshots": [' + "[" * 100_000,
    '{"snapshots": [{"store": ' + "[" * 100_000 + "]" * 100_000 + ', "date": "2025-01-01"}]}',
], ids=["unclosed", "closed"])
def test_a_body_nested_too_deeply_is_a_400_not_a_crash(agency_a, api_as, body):
    response = api_as(agency_a.rw_header).post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "The JSON body is nested too deeply."
    assert stored() == {}
