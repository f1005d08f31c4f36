"""People move an alert open → acknowledged → resolved; a move that is not allowed is refused on ``status``, naming
the current status and the moves it allows; every move is recorded with who made it and why; a mute needs a reason
and a day not past."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.tenancy import Caller
from alerts import services
from alerts.models import Alert, AlertTransition
from health import services as health_services
from health.models import Source


@pytest.fixture
def a(agency_a):
    with agency_a.scope():
        yield agency_a


@pytest.fixture
def alert(a):
    day = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
    health_services.snapshots_upsert(agency=a.agency, source=Source.API, rows=[
        {"store": a.assigned_store.pk, "date": day, "late_shipment_rate": 0.046}])
    health_services.store_health_evaluate(agency=a.agency, store_ids=[a.assigned_store.pk])
    return Alert.objects.get(agency=a.agency, store=a.assigned_store)


def operator(persona):
    return Caller.person(agency=persona.agency, user=persona.operator, role="operator")


def refused(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return {field: " ".join(messages) for field, messages in caught.value.message_dict.items()}


def test_acknowledging_an_open_alert_records_who_when_and_why(a, alert):
    services.alert_acknowledge(agency=a.agency, caller=operator(a), alert=alert, note="Calling the carrier")

    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED and alert.acknowledged_at is not None
    move = AlertTransition.objects.filter(alert=alert).latest("pk")
    assert (move.from_status, move.to_status, move.actor, move.reason) == ("open", "acknowledged", a.operator,
                                                                           "Calling the carrier")


def test_acknowledging_twice_is_refused_naming_the_status_and_the_moves_it_allows(a, alert):
    services.alert_acknowledge(agency=a.agency, caller=operator(a), alert=alert)

    errors = refused(lambda: services.alert_acknowledge(agency=a.agency, caller=operator(a), alert=alert))

    assert errors == {"status": "This alert is Acknowledged: it can move to Resolved, not to Acknowledged."}


def test_resolving_by_hand_needs_a_note_and_a_resolved_alert_moves_nowhere(a, alert):
    assert refused(lambda: services.alert_resolve(agency=a.agency, caller=operator(a), alert=alert, note=" ")) == {
        "note": "Say why the alert is resolved."}
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.OPEN

    services.alert_resolve(agency=a.agency, caller=operator(a), alert=alert, note="Carrier fixed the scans")
    errors = refused(lambda: services.alert_acknowledge(agency=a.agency, caller=operator(a), alert=alert))
    assert errors == {"status": "This alert is Resolved: it can no longer change."}


def test_a_mute_needs_a_known_rule_a_day_not_past_and_a_reason(a):
    owner = Caller.person(agency=a.agency, user=a.owner, role="owner")
    yesterday = a.agency.today() - datetime.timedelta(days=1)

    errors = refused(lambda: services.alert_mute(agency=a.agency, caller=owner, store=a.assigned_store,
                                                 rule="shoe_size", until=yesterday, reason=""))

    assert errors == {"rule": "“shoe_size” is not a metric an alert is raised for.",
                      "until": f"Mute until today or a later day, not {yesterday.isoformat()}.",
                      "reason": "Say why the rule is muted."}
