"""``POST /api/v1/alerts/{id}/acknowledge/`` (an optional note) and ``POST /api/v1/alerts/{id}/resolve/`` (a note
required: a 400 naming ``note``); a move the alert's status does not allow is a 409 naming the current status and the
moves it allows. Operators move only the alerts of their stores (any other is a 404); viewers and read-only keys get a
403. ``GET`` on the same addresses says whether the move is possible now."""

import pytest

from accounts.models import Agency
from alerts.models import Alert, AlertTransition
from tests.alerts.reports import red_alert, report


@pytest.fixture(autouse=True)
def in_english(agency_a, agency_b):
    """The API answers people and keys in their agency's language unless told otherwise: English here."""
    Agency.objects.filter(pk__in=[agency_a.agency.pk, agency_b.agency.pk]).update(default_language="en")


@pytest.fixture(autouse=True)
def in_agency_a(agency_a):
    """The tests read agency A's rows in its scope (each request still runs in its own caller's scope)."""
    with agency_a.scope():
        yield


def url(alert, move):
    return f"/api/v1/alerts/{alert.pk}/{move}/"


def status_of(alert):
    alert.refresh_from_db()
    return alert.status


@pytest.fixture
def alert(agency_a):
    return red_alert(agency_a, agency_a.assigned_store)


@pytest.fixture
def other(agency_a):
    """An alert of the store that is not assigned to A's operators."""
    return red_alert(agency_a, agency_a.other_store)


@pytest.mark.parametrize("who", ["owner", "manager", "operator", "read-write key"])
def test_those_who_work_on_the_store_acknowledge_an_alert_with_a_note(agency_a, api_as, alert, who):
    client = api_as(agency_a.rw_header if who == "read-write key" else agency_a.staff[who])

    answer = client.post(url(alert, "acknowledge"), {"note": "On it"}, format="json")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["status"], body["allowed_moves"]) == ("acknowledged", ["resolved"])
    assert body["transitions"][-1]["reason"] == "On it"
    moved = AlertTransition.objects.get(alert=alert, to_status="acknowledged")
    if who == "read-write key":
        assert (moved.actor, moved.api_key) == (None, agency_a.rw_key)
    else:
        assert (moved.actor, moved.api_key) == (agency_a.staff[who], None)


def test_acknowledging_needs_no_note(agency_a, api_as, alert):
    assert api_as(agency_a.operator).post(url(alert, "acknowledge")).status_code == 200
    assert status_of(alert) == Alert.Status.ACKNOWLEDGED


def test_resolving_needs_a_note_named_in_the_400(agency_a, api_as, alert):
    client = api_as(agency_a.operator)
    for body in ({}, {"note": ""}, {"note": "   "}):
        answer = client.post(url(alert, "resolve"), body, format="json")
        assert answer.status_code == 400, body
        assert answer.json() == {"note": ["Say why the alert is resolved."]}
    assert status_of(alert) == Alert.Status.OPEN

    answer = client.post(url(alert, "resolve"), {"note": "Carrier fixed the scans"}, format="json")
    assert answer.status_code == 200
    assert status_of(alert) == Alert.Status.RESOLVED
    assert answer.json()["resolved_at"] is not None


def test_a_note_too_long_is_a_400_naming_note(agency_a, api_as, alert):
    answer = api_as(agency_a.owner).post(url(alert, "resolve"), {"note": "x" * 10_001}, format="json")
    assert answer.status_code == 400 and "note" in answer.json()
    assert status_of(alert) == Alert.Status.OPEN


def test_a_move_the_status_does_not_allow_is_a_409_naming_the_current_status_and_the_allowed_moves(agency_a, api_as,
                                                                                                   alert):
    owner = api_as(agency_a.owner)
    owner.post(url(alert, "acknowledge"))

    again = owner.post(url(alert, "acknowledge"), {"note": "twice"}, format="json")
    assert again.status_code == 409
    assert again.json()["current_status"] == "acknowledged"
    assert again.json()["allowed_moves"] == ["resolved"]
    assert "This alert is Acknowledged" in again.json()["status"][0]

    owner.post(url(alert, "resolve"), {"note": "Done"}, format="json")
    for move in ("acknowledge", "resolve"):
        refused = owner.post(url(alert, move), {"note": "Done again"}, format="json")
        assert refused.status_code == 409
        assert (refused.json()["current_status"], refused.json()["allowed_moves"]) == ("resolved", [])
    without_note = owner.post(url(alert, "resolve"), {}, format="json")
    assert without_note.status_code == 409, "resolved already: a conflict, whatever the note"
    assert "can no longer change" in without_note.json()["status"][0]
    assert AlertTransition.objects.filter(alert=alert).count() == 3


def test_get_says_whether_the_caller_may_make_a_move_now_and_changes_nothing(agency_a, api_as, alert):
    operator = api_as(agency_a.operator)
    assert operator.get(url(alert, "acknowledge")).json() == {
        "id": alert.pk, "status": "open", "allowed_moves": ["acknowledged", "resolved"], "allowed": True}
    api_as(agency_a.owner).post(url(alert, "acknowledge"))
    assert operator.get(url(alert, "acknowledge")).json()["allowed"] is False
    assert operator.get(url(alert, "resolve")).json()["allowed"] is True
    assert status_of(alert) == Alert.Status.ACKNOWLEDGED
    # A viewer and a read-only key read the alert's moves, but may make none of them.
    for reader in (api_as(agency_a.viewer), api_as(agency_a.ro_header)):
        state = reader.get(url(alert, "resolve")).json()
        assert (state["allowed_moves"], state["allowed"]) == (["resolved"], False)


@pytest.mark.parametrize("who", ["viewer", "read-only key"])
def test_viewers_and_read_only_keys_may_not_move_an_alert(agency_a, api_as, alert, who):
    client = api_as(agency_a.ro_header if who == "read-only key" else agency_a.viewer)
    for move, body in (("acknowledge", {}), ("resolve", {"note": "Not mine to resolve"})):
        assert client.post(url(alert, move), body, format="json").status_code == 403, move
    assert status_of(alert) == Alert.Status.OPEN


def test_operators_move_only_the_alerts_of_their_stores(agency_a, api_as, other):
    for role in ("operator", "idle_operator"):
        client = api_as(agency_a.staff[role])
        for move in ("acknowledge", "resolve"):
            assert client.post(url(other, move), {"note": "mine?"}, format="json").status_code == 404, (role, move)
            assert client.get(url(other, move)).status_code == 404, (role, move)
    assert status_of(other) == Alert.Status.OPEN


def test_another_agencys_alert_is_not_found_for_any_caller_or_move(agency_a, agency_b, api_as, alert):
    for credential in (*agency_b.staff.values(), agency_b.rw_header, agency_b.ro_header):
        client = api_as(credential)
        for move in ("acknowledge", "resolve"):
            assert client.post(url(alert, move), {"note": "mine?"}, format="json").status_code == 404
            assert client.get(url(alert, move)).status_code == 404
    assert status_of(alert) == Alert.Status.OPEN
    assert AlertTransition.objects.filter(alert=alert).count() == 1


def test_a_metric_still_red_after_a_manual_resolve_opens_a_new_alert_at_the_next_evaluation(agency_a, api_as, alert):
    api_as(agency_a.owner).post(url(alert, "resolve"), {"note": "Thought it was fixed"}, format="json")
    report(agency_a, agency_a.assigned_store, days_ago=1, late_shipment_rate=0.05)

    with agency_a.scope():
        episodes = list(Alert.objects.filter(agency=agency_a.agency, store=agency_a.assigned_store)
                        .order_by("pk").values_list("status", flat=True))
    assert episodes == [Alert.Status.RESOLVED, Alert.Status.OPEN]
