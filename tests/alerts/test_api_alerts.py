"""``GET /api/v1/alerts/`` and ``GET /api/v1/alerts/{id}/``: the alerts of the stores the caller sees, filtered by
status, store, severity, rule, kind and overdue (a value the list does not take is a 400 naming the parameter), and
one alert with every move of its status."""

import pytest

from accounts.models import Agency
from accounts.tenancy import Caller
from alerts import services
from tests.alerts.reports import LSR, make_overdue, red_alert

LIST = "/api/v1/alerts/"


@pytest.fixture(autouse=True)
def in_english(agency_a, agency_b):
    """The API answers people and keys in their agency's language unless told otherwise: English here."""
    Agency.objects.filter(pk__in=[agency_a.agency.pk, agency_b.agency.pk]).update(default_language="en")


def detail(alert):
    return f"{LIST}{alert.pk}/"


def ids(answer):
    assert answer.status_code == 200, answer.content[:500]
    return [row["id"] for row in answer.json()["results"]]


@pytest.fixture
def alerts(agency_a):
    """A red Late Shipment Rate on A's assigned store, an account at risk on its other store (acknowledged)."""
    lsr = red_alert(agency_a, agency_a.assigned_store)
    status = red_alert(agency_a, agency_a.other_store, rule="account_status", account_status="AT_RISK")
    with agency_a.scope():
        services.alert_acknowledge(agency=agency_a.agency, caller=Caller.key(agency_a.rw_key), alert=status,
                                   note="ERP ticket 42")
    status.refresh_from_db()
    return {"lsr": lsr, "status": status}


def test_the_list_gives_each_alert_with_its_store_values_due_time_and_moves(agency_a, api_as, alerts):
    answer = api_as(agency_a.ro_header).get(LIST)

    assert ids(answer) == [alerts["status"].pk, alerts["lsr"].pk]
    row = answer.json()["results"][1]
    assert {key: row[key] for key in ("store", "store_name", "client_name", "rule", "rule_label", "kind", "severity",
                                      "status", "opened_value", "opened_target", "opened_display", "overdue",
                                      "muted", "assignee", "allowed_moves")} == {
        "store": agency_a.assigned_store.pk, "store_name": "Assigned store A", "client_name": "Client A",
        "rule": LSR, "rule_label": "Late Shipment Rate", "kind": "metric", "severity": "red", "status": "open",
        "opened_value": 0.046, "opened_target": 0.04, "opened_display": "4.6%", "overdue": False, "muted": False,
        "assignee": None, "allowed_moves": ["acknowledged", "resolved"]}
    assert "transitions" not in row


@pytest.mark.parametrize(("query", "expected"), [
    ({"status": "open"}, ["lsr"]),
    ({"status": ["open", "acknowledged"]}, ["status", "lsr"]),
    ({"status": "resolved"}, []),
    ({"severity": "red"}, ["status", "lsr"]),
    ({"severity": "yellow"}, []),
    ({"rule": LSR}, ["lsr"]),
    ({"kind": "account_status"}, ["status"]),
    ({"overdue": "false"}, ["status", "lsr"]),
])
def test_the_list_filters_by_status_severity_rule_kind_and_overdue(agency_a, api_as, alerts, query, expected):
    assert ids(api_as(agency_a.owner).get(LIST, query)) == [alerts[name].pk for name in expected]


def test_the_list_filters_by_store_and_overdue(agency_a, api_as, alerts):
    make_overdue(agency_a, alerts["lsr"])
    owner = api_as(agency_a.owner)

    assert ids(owner.get(LIST, {"store": agency_a.other_store.pk})) == [alerts["status"].pk]
    assert ids(owner.get(LIST, {"overdue": "true"})) == [alerts["lsr"].pk]
    assert owner.get(detail(alerts["lsr"])).json()["overdue"] is True


@pytest.mark.parametrize(("parameter", "value"), [
    ("status", "closed"), ("severity", "green"), ("rule", "no_such_metric"), ("kind", "mood"), ("store", "abc"),
    ("store", "999999999"), ("overdue", "maybe"), ("ordering", "store_name"),
])
def test_a_filter_value_the_list_does_not_take_is_a_400_naming_the_parameter(agency_a, api_as, alerts, parameter,
                                                                           value):
    answer = api_as(agency_a.owner).get(LIST, {parameter: value})

    assert answer.status_code == 400
    assert parameter in answer.json(), answer.json()


def test_an_operator_lists_and_reads_only_the_alerts_of_their_stores(agency_a, api_as, alerts):
    operator, idle = api_as(agency_a.operator), api_as(agency_a.idle_operator)

    assert ids(operator.get(LIST)) == [alerts["lsr"].pk]
    assert ids(idle.get(LIST)) == []
    assert operator.get(detail(alerts["lsr"])).status_code == 200
    assert operator.get(detail(alerts["status"])).status_code == 404
    assert idle.get(detail(alerts["lsr"])).status_code == 404
    # A store beyond the operator is no filter value either: the same answer as a store that does not exist.
    assert operator.get(LIST, {"store": agency_a.other_store.pk}).status_code == 400


def test_one_alert_comes_with_every_move_of_its_status(agency_a, api_as, alerts):
    answer = api_as(agency_a.viewer).get(detail(alerts["status"]))

    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["allowed_moves"]) == ("acknowledged", ["resolved"])
    moves = [(t["from_status"], t["to_status"], t["by"], t["by_kind"]) for t in body["transitions"]]
    assert moves == [("", "open", None, "evaluation"), ("open", "acknowledged", "ERP a", "api_key")]
    assert body["transitions"][1]["reason"] == "ERP ticket 42"


def test_another_agencys_alert_is_not_found_and_never_listed(agency_a, agency_b, api_as, alerts):
    red_alert(agency_b, agency_b.assigned_store)
    for credential in (*agency_b.staff.values(), agency_b.rw_header, agency_b.ro_header):
        client = api_as(credential)
        assert client.get(detail(alerts["lsr"])).status_code == 404
        listed = client.get(LIST, {"page_size": 500}).json()["results"]
        assert not {row["id"] for row in listed} & {alerts["lsr"].pk, alerts["status"].pk}
        assert client.get(LIST, {"store": agency_a.assigned_store.pk}).status_code == 400


def test_an_unknown_or_malformed_id_is_the_same_404(agency_a, api_as, alerts):
    owner = api_as(agency_a.owner)
    not_found = owner.get(f"{LIST}{alerts['lsr'].pk + 1000}/")
    assert not_found.status_code == 404
    for word in ("abc", "1.5", "99999999999999999999"):
        answer = owner.get(f"{LIST}{word}/")
        assert (answer.status_code, answer.json()) == (404, not_found.json()), word


def test_the_api_root_lists_the_alerts(agency_a, api_as):
    assert api_as(agency_a.owner).get("/api/v1/").json()["alerts"].endswith(LIST)
