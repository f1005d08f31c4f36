"""The alert inbox (/admin/alerts/alert/): the open and acknowledged alerts of the stores the person sees, newest
first, with their store, metric, severity, status, times, values, due time (overdue marked) and assignee; filtered
by status, severity, rule, kind, store, overdue and assignee, searched by store; and an alert's page, whose assignee
and notes people change and under which every move of its status is listed."""

import datetime

import pytest
from django.utils import timezone

from accounts.tenancy import Caller
from alerts import services
from alerts.models import Alert, AlertTransition
from tests.alerts.reports import LSR, alert_of, make_overdue, red_alert, report
from tests.factories import StoreFactory

URL = "/admin/alerts/alert/"
ROLES = ("owner", "manager", "operator", "idle_operator", "viewer")


@pytest.fixture(autouse=True)
def in_agency_a(agency_a):
    """The tests read agency A's rows in its scope (each request still runs in its own caller's scope)."""
    with agency_a.scope():
        yield


def listed(answer):
    assert answer.status_code == 200, answer.status_code
    return [(alert.store.name, alert.rule) for alert in answer.context["cl"].result_list]


def change_url(alert, view="change"):
    return f"{URL}{alert.pk}/{view}/"


def person(persona, role):
    return Caller.person(agency=persona.agency, user=persona.staff[role], role=role.replace("idle_", ""))


@pytest.fixture
def two_alerts(agency_a):
    """A red Late Shipment Rate on A's assigned store, and an account at risk on its other store."""
    return {"assigned": red_alert(agency_a, agency_a.assigned_store),
            "other": red_alert(agency_a, agency_a.other_store, rule="account_status", account_status="AT_RISK")}


# -- who sees what -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "expected"), [
    ("owner", [("Unassigned store A", "account_status"), ("Assigned store A", LSR)]),
    ("manager", [("Unassigned store A", "account_status"), ("Assigned store A", LSR)]),
    ("viewer", [("Unassigned store A", "account_status"), ("Assigned store A", LSR)]),
    ("operator", [("Assigned store A", LSR)]),
    ("idle_operator", []),
])
def test_each_role_sees_the_alerts_of_the_stores_they_see_newest_first(agency_a, client_as, two_alerts, role,
                                                                        expected):
    answer = client_as(agency_a.staff[role]).get(URL)

    assert listed(answer) == expected
    assert str(answer.context["title"]) == "Alert inbox"


def test_another_agencys_alerts_never_show(agency_a, agency_b, client_as, two_alerts):
    red_alert(agency_b, agency_b.assigned_store)

    assert listed(client_as(agency_b.owner).get(URL)) == [("Assigned store B", LSR)]
    assert "Assigned store A" not in client_as(agency_b.owner).get(URL).content.decode()


def test_the_list_shows_store_client_metric_kind_severity_status_values_due_time_and_assignee(agency_a, client_as):
    report(agency_a, agency_a.assigned_store, days_ago=3, late_shipment_rate=0.046)
    report(agency_a, agency_a.assigned_store, days_ago=2, late_shipment_rate=0.07)
    alert = alert_of(agency_a, agency_a.assigned_store)
    with agency_a.scope():
        services.alert_assign(agency=agency_a.agency, caller=person(agency_a, "manager"), alert=alert,
                              assignee=agency_a.operator)

    page = client_as(agency_a.manager).get(URL).content.decode()

    for shown in ("Assigned store A", "Client A · US", "Late Shipment Rate", "Metric past its target", "Red", "Open",
                  "4.6% → 7.0%", "target 4.0%", "operator a"):
        assert shown in page, shown
    assert "alerts-overdue" not in page


# -- status and overdue ---------------------------------------------------------------------------------------------
def test_resolved_alerts_leave_the_inbox_unless_the_status_filter_asks_for_them(agency_a, client_as, two_alerts):
    with agency_a.scope():
        services.alert_resolve(agency=agency_a.agency, caller=person(agency_a, "owner"), alert=two_alerts["other"],
                               note="Appeal accepted by Amazon")
        services.alert_acknowledge(agency=agency_a.agency, caller=person(agency_a, "owner"),
                                   alert=two_alerts["assigned"])
    owner = client_as(agency_a.owner)

    assert listed(owner.get(URL)) == [("Assigned store A", LSR)]
    assert listed(owner.get(URL, {"status": "resolved"})) == [("Unassigned store A", "account_status")]
    assert listed(owner.get(URL, {"status": "acknowledged"})) == [("Assigned store A", LSR)]
    assert listed(owner.get(URL, {"status": "open"})) == []
    assert len(listed(owner.get(URL, {"status": "all"}))) == 2


def test_an_open_alert_past_its_due_time_is_marked_overdue_and_found_by_the_overdue_filter(agency_a, client_as,
                                                                                          two_alerts):
    make_overdue(agency_a, two_alerts["assigned"])
    owner = client_as(agency_a.owner)

    answer = owner.get(URL, {"overdue": "yes"})
    assert listed(answer) == [("Assigned store A", LSR)]
    assert answer.content.decode().count("alerts-overdue") == 1


def test_an_acknowledged_alert_past_its_due_time_is_not_overdue(agency_a, client_as, two_alerts):
    make_overdue(agency_a, two_alerts["assigned"])
    with agency_a.scope():
        services.alert_acknowledge(agency=agency_a.agency, caller=person(agency_a, "operator"),
                                   alert=two_alerts["assigned"])

    answer = client_as(agency_a.owner).get(URL, {"overdue": "yes"})
    assert listed(answer) == []
    assert "alerts-overdue" not in client_as(agency_a.owner).get(URL).content.decode()


# -- filters and search ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "expected"), [
    ({"severity__exact": "red"}, {LSR, "account_status"}),
    ({"rule__exact": LSR}, {LSR}),
    ({"kind__exact": "account_status"}, {"account_status"}),
    ({"q": "Unassigned"}, {"account_status"}),
])
def test_the_inbox_filters_by_severity_rule_and_kind_and_searches_store_names(agency_a, client_as, two_alerts, query,
                                                                              expected):
    assert {rule for _store, rule in listed(client_as(agency_a.owner).get(URL, query))} == expected


def test_the_inbox_filters_by_store_and_searches_seller_ids(agency_a, client_as, two_alerts):
    owner = client_as(agency_a.owner)
    other = agency_a.other_store

    assert listed(owner.get(URL, {"store__id__exact": other.pk})) == [("Unassigned store A", "account_status")]
    assert listed(owner.get(URL, {"q": other.seller_id})) == [("Unassigned store A", "account_status")]


def test_a_yellow_alert_is_found_by_the_severity_filter(agency_a, client_as, two_alerts):
    with agency_a.scope():
        services.alert_policy_update(agency=agency_a.agency, alert_on_yellow=True)
    third = StoreFactory(agency=agency_a.agency, client=agency_a.client, name="Yellow store A")
    report(agency_a, third, late_shipment_rate=0.035)

    assert listed(client_as(agency_a.owner).get(URL, {"severity__exact": "yellow"})) == [("Yellow store A", LSR)]


def test_mine_lists_the_alerts_assigned_to_the_person_and_nobody_those_of_no_one(agency_a, client_as, two_alerts):
    with agency_a.scope():
        services.alert_assign(agency=agency_a.agency, caller=person(agency_a, "owner"), alert=two_alerts["other"],
                              assignee=agency_a.manager)
    manager = client_as(agency_a.manager)

    assert listed(manager.get(URL, {"assignee": "mine"})) == [("Unassigned store A", "account_status")]
    assert listed(manager.get(URL, {"assignee": "none"})) == [("Assigned store A", LSR)]
    assert listed(client_as(agency_a.owner).get(URL, {"assignee": "mine"})) == []


# -- an alert's page -------------------------------------------------------------------------------------------------
def test_an_alerts_page_lists_every_move_of_its_status_who_made_it_when_and_why(agency_a, client_as, two_alerts):
    alert = two_alerts["assigned"]
    with agency_a.scope():
        services.alert_acknowledge(agency=agency_a.agency, caller=person(agency_a, "operator"), alert=alert,
                                   note="Carrier called")
        services.alert_resolve(agency=agency_a.agency, caller=Caller.key(agency_a.rw_key), alert=alert,
                               note="Closed by the ERP")

    answer = client_as(agency_a.owner).get(change_url(alert))

    assert answer.status_code == 200
    moves = [(t.from_status, t.to_status) for t in answer.context["alert_transitions"]]
    assert moves == [("", "open"), ("open", "acknowledged"), ("acknowledged", "resolved")]
    page = answer.content.decode()
    for shown in ("Status history", "the evaluation", "operator a", "Carrier called", "API key “ERP a”",
                  "Closed by the ERP", "4.6%", "Late Shipment Rate"):
        assert shown in page, shown


def test_the_assignee_is_chosen_among_the_people_who_work_on_the_store(agency_a, client_as, two_alerts):
    def offered(alert):
        form = client_as(agency_a.owner).get(change_url(alert)).context["adminform"].form
        return {str(user) for user in form.fields["assignee"].queryset}

    assert offered(two_alerts["assigned"]) == {"owner a", "manager a", "operator a"}
    assert offered(two_alerts["other"]) == {"owner a", "manager a"}


def test_an_operator_assigns_their_alert_and_writes_notes(agency_a, client_as, two_alerts):
    alert = two_alerts["assigned"]
    answer = client_as(agency_a.operator).post(change_url(alert), {"assignee": agency_a.operator.pk,
                                                                   "notes": "Waiting for the carrier's scans"})

    assert answer.status_code == 302, answer.content[:500]
    alert.refresh_from_db()
    assert (alert.assignee, alert.notes, alert.status) == (agency_a.operator, "Waiting for the carrier's scans",
                                                          Alert.Status.OPEN)


def test_someone_who_does_not_work_on_the_store_cannot_be_assigned(agency_a, client_as, two_alerts):
    alert = two_alerts["other"]
    answer = client_as(agency_a.owner).post(change_url(alert), {"assignee": agency_a.operator.pk, "notes": ""})

    assert answer.status_code == 200
    assert "assignee" in answer.context["adminform"].form.errors
    alert.refresh_from_db()
    assert alert.assignee is None


def test_a_viewer_reads_an_alerts_page_but_changes_nothing(agency_a, client_as, two_alerts):
    alert = two_alerts["assigned"]
    viewer = client_as(agency_a.viewer)

    page = viewer.get(change_url(alert))
    assert page.status_code == 200
    assert "assignee" not in page.context["adminform"].form.fields
    assert 'id="alert-moves"' not in page.content.decode()
    assert viewer.post(change_url(alert), {"assignee": agency_a.manager.pk, "notes": "x"}).status_code == 403
    alert.refresh_from_db()
    assert (alert.assignee, alert.notes) == (None, "")


def test_nobody_adds_or_deletes_alerts_in_the_admin(agency_a, client_as, two_alerts):
    owner = client_as(agency_a.owner)
    assert owner.get(f"{URL}add/").status_code == 403
    assert owner.post(change_url(two_alerts["assigned"], "delete"), {"post": "yes"}).status_code == 403
    assert Alert.objects.filter(agency=agency_a.agency).count() == 2


# -- isolation -------------------------------------------------------------------------------------------------------
PAGES = ("change", "history", "acknowledge", "resolve")


def test_another_agencys_alert_is_not_found_on_any_of_its_pages(agency_a, agency_b, client_as, two_alerts):
    alert = two_alerts["assigned"]
    for role in ROLES:
        client = client_as(agency_b.staff[role])
        for view in PAGES:
            assert client.get(change_url(alert, view)).status_code == 404, (role, view)
            assert client.post(change_url(alert, view), {"note": "mine now"}).status_code == 404, (role, view)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN
    assert AlertTransition.objects.filter(alert=alert).count() == 1


def test_an_alert_of_a_store_not_assigned_to_the_operator_is_not_found_on_any_of_its_pages(agency_a, client_as,
                                                                                          two_alerts):
    alert = two_alerts["other"]
    for role in ("operator", "idle_operator"):
        client = client_as(agency_a.staff[role])
        for view in PAGES:
            assert client.get(change_url(alert, view)).status_code == 404, (role, view)
            assert client.post(change_url(alert, view), {"note": "mine now"}).status_code == 404, (role, view)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


def test_an_unknown_or_malformed_id_is_not_found(agency_a, client_as, two_alerts):
    owner = client_as(agency_a.owner)
    for object_id in (two_alerts["assigned"].pk + 1000, "word", "1.5"):
        for view in PAGES:
            assert owner.get(f"{URL}{object_id}/{view}/").status_code == 404, (object_id, view)


def test_an_alert_opened_long_ago_shows_its_due_time_on_its_page(agency_a, client_as, two_alerts):
    alert = two_alerts["other"]
    assert alert.due_at - alert.first_seen_at == datetime.timedelta(hours=24)
    make_overdue(agency_a, alert, hours=3)

    page = client_as(agency_a.owner).get(change_url(alert)).content.decode()
    assert "Overdue" in page
    assert timezone.localtime(alert.due_at).strftime("%Y") in page
