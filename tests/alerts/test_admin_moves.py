"""Acknowledging and resolving alerts in the admin: the inbox's actions on the selected alerts (resolving asks for a
note on a page between the selection and the moves), and an alert's own acknowledge and resolve pages. Moves go
through the services: a move the status does not allow is a message naming the alert, the others are made; a viewer
can do neither."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tenancy import Caller
from alerts import services
from alerts.models import Alert, AlertTransition
from tests.alerts.reports import red_alert
from tests.factories import StoreFactory

URL = "/admin/alerts/alert/"


@pytest.fixture(autouse=True)
def in_agency_a(agency_a):
    """The tests read agency A's rows in its scope (each request still runs in its own caller's scope)."""
    with agency_a.scope():
        yield


def act(client, action, alerts, query="", **extra):
    """The inbox's ``action`` on ``alerts``, posted to the list as filtered by ``query`` (the rows it can select)."""
    data = {"action": action, ACTION_CHECKBOX_NAME: [alert.pk for alert in alerts], "index": 0, **extra}
    return client.post(f"{URL}{query}", data, follow=True)


def statuses(*alerts):
    for alert in alerts:
        alert.refresh_from_db()
    return [alert.status for alert in alerts]


def messages_of(answer):
    return [str(message) for message in answer.context["messages"]]


@pytest.fixture
def alerts(agency_a):
    """Two open alerts of A's assigned store (the Late Shipment Rate, the account status), one of its other store."""
    return [red_alert(agency_a, agency_a.assigned_store),
            red_alert(agency_a, agency_a.assigned_store, rule="account_status", account_status="AT_RISK",
                      late_shipment_rate=0.046),
            red_alert(agency_a, agency_a.other_store)]


# -- the inbox's actions ----------------------------------------------------------------------------------------------
def test_acknowledge_moves_the_selected_alerts_and_records_who_did(agency_a, client_as, alerts):
    answer = act(client_as(agency_a.manager), "acknowledge_selected", alerts[:2])

    assert statuses(*alerts) == [Alert.Status.ACKNOWLEDGED, Alert.Status.ACKNOWLEDGED, Alert.Status.OPEN]
    assert "2 alerts acknowledged." in messages_of(answer)
    moved = AlertTransition.objects.get(alert=alerts[0], to_status="acknowledged")
    assert (moved.from_status, moved.actor, moved.api_key) == ("open", agency_a.manager, None)


def test_acknowledging_3_or_12_selected_alerts_takes_the_same_number_of_queries(agency_a, client_as):
    def queries_for(count):
        stores = StoreFactory.create_batch(count, agency=agency_a.agency, client=agency_a.client)
        selected = [red_alert(agency_a, store) for store in stores]
        client = client_as(agency_a.manager)
        with CaptureQueriesContext(connection) as captured:
            answer = act(client, "acknowledge_selected", selected)
        assert statuses(*selected) == [Alert.Status.ACKNOWLEDGED] * count
        assert f"{count} alerts acknowledged." in messages_of(answer)
        return len(captured)

    assert queries_for(3) == queries_for(12)


def test_resolve_asks_for_a_note_first_and_refuses_to_resolve_without_one(agency_a, client_as, alerts):
    manager = client_as(agency_a.manager)

    page = act(manager, "resolve_selected", alerts[:2])
    assert page.status_code == 200
    assert page.templates[0].name == "alerts/move_selected.html"
    assert "Resolve these 2 alerts?" in page.content.decode()
    assert statuses(*alerts) == [Alert.Status.OPEN] * 3

    refused = act(manager, "resolve_selected", alerts[:2], post="yes", note="  ")
    assert refused.context["form"].errors == {"note": ["Say why the alert is resolved."]}
    assert statuses(*alerts) == [Alert.Status.OPEN] * 3

    done = act(manager, "resolve_selected", alerts[:2], post="yes", note="Carrier fixed the scans")
    assert statuses(*alerts) == [Alert.Status.RESOLVED, Alert.Status.RESOLVED, Alert.Status.OPEN]
    assert "2 alerts resolved." in messages_of(done)
    assert AlertTransition.objects.get(alert=alerts[1], to_status="resolved").reason == "Carrier fixed the scans"


def test_a_move_the_status_does_not_allow_is_a_message_naming_the_alert_and_the_others_are_made(agency_a, client_as,
                                                                                                alerts):
    owner = Caller.person(agency=agency_a.agency, user=agency_a.owner, role="owner")
    with agency_a.scope():
        services.alert_resolve(agency=agency_a.agency, caller=owner, alert=alerts[0], note="Done already")

    answer = act(client_as(agency_a.owner), "acknowledge_selected", alerts[:2], query="?status=all")

    assert statuses(*alerts[:2]) == [Alert.Status.RESOLVED, Alert.Status.ACKNOWLEDGED]
    shown = messages_of(answer)
    assert "1 alert acknowledged." in shown
    assert any("Assigned store A (US) · Late Shipment Rate" in message and "This alert is Resolved" in message
               for message in shown), shown


def test_an_operator_moves_the_alerts_of_their_stores_only(agency_a, client_as, alerts):
    act(client_as(agency_a.operator), "acknowledge_selected", alerts)

    assert statuses(*alerts) == [Alert.Status.ACKNOWLEDGED, Alert.Status.ACKNOWLEDGED, Alert.Status.OPEN]


def test_a_viewer_is_offered_no_action_and_moves_nothing(agency_a, client_as, alerts):
    viewer = client_as(agency_a.viewer)
    offered = viewer.get(URL).context["cl"].model_admin.get_actions(viewer.get(URL).wsgi_request)
    assert offered == {}

    act(viewer, "acknowledge_selected", alerts)
    act(viewer, "resolve_selected", alerts, post="yes", note="I am only a viewer")
    assert statuses(*alerts) == [Alert.Status.OPEN] * 3


def test_another_agencys_people_select_an_alert_of_a_in_vain(agency_a, agency_b, client_as, alerts):
    act(client_as(agency_b.owner), "acknowledge_selected", alerts)
    act(client_as(agency_b.owner), "resolve_selected", alerts, post="yes", note="Not yours")

    assert statuses(*alerts) == [Alert.Status.OPEN] * 3


# -- an alert's own pages ---------------------------------------------------------------------------------------------
def page_of(alert, move):
    return f"{URL}{alert.pk}/{move}/"


def test_an_alerts_page_offers_the_moves_its_status_allows(agency_a, client_as, alerts):
    operator = client_as(agency_a.operator)
    page = operator.get(f"{URL}{alerts[0].pk}/change/").content.decode()
    assert page_of(alerts[0], "acknowledge") in page and page_of(alerts[0], "resolve") in page

    with agency_a.scope():
        services.alert_acknowledge(agency=agency_a.agency, caller=Caller.key(agency_a.rw_key), alert=alerts[0])
    page = operator.get(f"{URL}{alerts[0].pk}/change/").content.decode()
    assert page_of(alerts[0], "acknowledge") not in page and page_of(alerts[0], "resolve") in page


def test_the_acknowledge_page_acknowledges_with_the_note_and_goes_back_to_the_alert(agency_a, client_as, alerts):
    operator = client_as(agency_a.operator)
    assert operator.get(page_of(alerts[0], "acknowledge")).status_code == 200

    answer = operator.post(page_of(alerts[0], "acknowledge"), {"note": "On it"})

    assert answer.status_code == 302 and answer["Location"] == f"{URL}{alerts[0].pk}/change/"
    assert statuses(alerts[0]) == [Alert.Status.ACKNOWLEDGED]
    assert AlertTransition.objects.get(alert=alerts[0], to_status="acknowledged").reason == "On it"


def test_the_resolve_page_needs_a_note(agency_a, client_as, alerts):
    operator = client_as(agency_a.operator)

    refused = operator.post(page_of(alerts[0], "resolve"), {"note": ""})
    assert refused.status_code == 400
    assert refused.context["form"].errors == {"note": ["Say why the alert is resolved."]}
    assert statuses(alerts[0]) == [Alert.Status.OPEN]

    assert operator.post(page_of(alerts[0], "resolve"), {"note": "Appeal won"}).status_code == 302
    assert statuses(alerts[0]) == [Alert.Status.RESOLVED]


def test_a_resolved_alerts_pages_say_it_can_no_longer_move_and_a_post_is_refused_with_a_message(agency_a, client_as,
                                                                                               alerts):
    manager = client_as(agency_a.manager)
    manager.post(page_of(alerts[0], "resolve"), {"note": "Appeal won"})

    page = manager.get(page_of(alerts[0], "acknowledge"))
    assert "This alert is Resolved: it can no longer be acknowledged." in page.content.decode()
    again = manager.post(page_of(alerts[0], "acknowledge"), {"note": ""}, follow=True)
    assert statuses(alerts[0]) == [Alert.Status.RESOLVED]
    assert any("This alert is Resolved" in message for message in messages_of(again))
    assert AlertTransition.objects.filter(alert=alerts[0]).count() == 2


def test_a_viewer_may_not_open_the_move_pages(agency_a, client_as, alerts):
    viewer = client_as(agency_a.viewer)
    for move in ("acknowledge", "resolve"):
        assert viewer.get(page_of(alerts[0], move)).status_code == 403
        assert viewer.post(page_of(alerts[0], move), {"note": "x"}).status_code == 403
    assert statuses(alerts[0]) == [Alert.Status.OPEN]
