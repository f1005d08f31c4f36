"""Muted rules and the alert policy in the admin: owners and managers mute a rule of a store until a day with a
reason, change or end the mute, and set the agency's alert numbers; everyone else reads (an operator: the mutes of
their stores). Writes go through the services: their refusals are form errors naming the value."""

import datetime

import pytest

from alerts.models import AlertMute, AlertPolicy
from tests.alerts.reports import LSR, red_alert

MUTES = "/admin/alerts/alertmute/"
POLICY = "/admin/alerts/alertpolicy/"


def mute_form(store, *, rule=LSR, days=7, reason="Carrier strike, known to Amazon", today=None):
    until = (today or datetime.date.today()) + datetime.timedelta(days=days)
    return {"store": store.pk, "rule": rule, "until": until.isoformat(), "reason": reason}


def mutes_of(persona):
    with persona.scope():
        return list(AlertMute.objects.filter(agency=persona.agency).values_list("store__name", "rule", "until",
                                                                              "reason", "created_by__email"))


# -- muted rules -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["owner", "manager"])
def test_a_manager_mutes_a_rule_of_a_store_until_a_day_with_a_reason(agency_a, client_as, role):
    form = mute_form(agency_a.other_store, today=agency_a.agency.today())
    answer = client_as(agency_a.staff[role]).post(f"{MUTES}add/", form)

    assert answer.status_code == 302, answer.content[:800]
    [(store, rule, until, reason, by)] = mutes_of(agency_a)
    assert (store, rule, until.isoformat(), reason, by) == ("Unassigned store A", LSR, form["until"], form["reason"],
                                                           agency_a.staff[role].email)


def test_a_muted_rule_still_opens_its_alert_marked_muted(agency_a, client_as):
    client_as(agency_a.manager).post(f"{MUTES}add/", mute_form(agency_a.assigned_store, today=agency_a.agency.today()))

    assert red_alert(agency_a, agency_a.assigned_store).muted is True
    assert red_alert(agency_a, agency_a.other_store).muted is False


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"days": -1}, "until", "Mute until today or a later day"),
    ({"reason": "   "}, "reason", ""),
])
def test_a_mute_the_service_refuses_is_a_form_error_on_its_field_and_nothing_is_written(agency_a, client_as, change,
                                                                                       field, words):
    answer = client_as(agency_a.manager).post(f"{MUTES}add/", mute_form(agency_a.other_store,
                                                                        today=agency_a.agency.today(), **change))

    assert answer.status_code == 200
    errors = answer.context["adminform"].form.errors
    assert field in errors and words in " ".join(errors[field])
    assert mutes_of(agency_a) == []


def test_a_mutes_page_changes_its_day_and_reason_but_not_its_store_and_rule(agency_a, client_as):
    manager = client_as(agency_a.manager)
    manager.post(f"{MUTES}add/", mute_form(agency_a.other_store, today=agency_a.agency.today()))
    with agency_a.scope():
        mute = AlertMute.objects.get(agency=agency_a.agency)

    later = mute_form(agency_a.assigned_store, rule="odr_mfn", days=30, reason="Extended: appeal pending",
                      today=agency_a.agency.today())
    assert manager.post(f"{MUTES}{mute.pk}/change/", later).status_code == 302

    [(store, rule, until, reason, _by)] = mutes_of(agency_a)
    assert (store, rule, until.isoformat(), reason) == ("Unassigned store A", LSR, later["until"], later["reason"])


def test_a_manager_ends_a_mute_and_its_trail_keeps_it(agency_a, client_as):
    manager = client_as(agency_a.manager)
    manager.post(f"{MUTES}add/", mute_form(agency_a.other_store, today=agency_a.agency.today()))
    with agency_a.scope():
        mute = AlertMute.objects.get(agency=agency_a.agency)

    assert manager.post(f"{MUTES}{mute.pk}/delete/", {"post": "yes"}).status_code == 302
    assert mutes_of(agency_a) == []
    with agency_a.scope():
        assert AlertMute.history.filter(id=mute.pk, history_type="-").count() == 1


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operators_and_viewers_read_mutes_but_may_not_mute(agency_a, client_as, role):
    client_as(agency_a.manager).post(f"{MUTES}add/", mute_form(agency_a.assigned_store,
                                                               today=agency_a.agency.today()))
    client = client_as(agency_a.staff[role])

    assert client.get(MUTES).status_code == 200
    assert client.get(f"{MUTES}add/").status_code == 403
    assert client.post(f"{MUTES}add/", mute_form(agency_a.other_store, rule="odr_mfn",
                                                 today=agency_a.agency.today())).status_code == 403
    assert len(mutes_of(agency_a)) == 1


def test_an_operator_lists_only_the_mutes_of_their_stores(agency_a, client_as):
    manager = client_as(agency_a.manager)
    for store in (agency_a.assigned_store, agency_a.other_store):
        manager.post(f"{MUTES}add/", mute_form(store, today=agency_a.agency.today()))

    answer = client_as(agency_a.operator).get(MUTES)
    assert [mute.store.name for mute in answer.context["cl"].result_list] == ["Assigned store A"]


def test_a_mute_of_another_agency_or_beyond_an_operator_is_not_found(agency_a, agency_b, client_as):
    client_as(agency_a.manager).post(f"{MUTES}add/", mute_form(agency_a.other_store, today=agency_a.agency.today()))
    with agency_a.scope():
        mute = AlertMute.objects.get(agency=agency_a.agency)

    for client in (client_as(agency_b.owner), client_as(agency_a.operator)):
        for view in ("change", "delete", "history"):
            assert client.get(f"{MUTES}{mute.pk}/{view}/").status_code == 404, view
    refused = client_as(agency_b.manager).post(f"{MUTES}add/", mute_form(agency_a.other_store,
                                                                          today=agency_a.agency.today()))
    assert refused.status_code == 200 and "store" in refused.context["adminform"].form.errors
    assert len(mutes_of(agency_a)) == 1 and mutes_of(agency_b) == []


# -- the alert policy --------------------------------------------------------------------------------------------------
def policy_form(**numbers):
    return {"alert_on_yellow": "", "resolve_after_green": 1, "warning_due_hours": 24, "metric_due_hours": 72,
            "escalate_after_hours": 24, "digest_hour": 8, "resolved_notices": "", **numbers}


def test_the_sidebars_policy_link_leads_a_manager_to_the_agencys_row_created_with_the_defaults(agency_a, client_as):
    manager = client_as(agency_a.manager)

    answer = manager.get(f"{POLICY}current/", follow=True)

    assert answer.status_code == 200
    with agency_a.scope():
        policy = AlertPolicy.objects.get(agency=agency_a.agency)
    assert answer.redirect_chain[-1][0] == f"{POLICY}{policy.pk}/change/"
    assert (policy.resolve_after_green, policy.warning_due_hours, policy.metric_due_hours) == (1, 24, 72)


def test_a_manager_sets_the_alert_numbers(agency_a, client_as):
    manager = client_as(agency_a.manager)
    manager.get(POLICY)
    with agency_a.scope():
        policy = AlertPolicy.objects.get(agency=agency_a.agency)

    answer = manager.post(f"{POLICY}{policy.pk}/change/", policy_form(alert_on_yellow="on", resolve_after_green=3,
                                                                       metric_due_hours=48))

    assert answer.status_code == 302, answer.content[:800]
    policy.refresh_from_db()
    assert (policy.alert_on_yellow, policy.resolve_after_green, policy.metric_due_hours) == (True, 3, 48)


def test_a_number_out_of_bounds_is_a_form_error_and_nothing_is_written(agency_a, client_as):
    manager = client_as(agency_a.manager)
    manager.get(POLICY)
    with agency_a.scope():
        policy = AlertPolicy.objects.get(agency=agency_a.agency)

    answer = manager.post(f"{POLICY}{policy.pk}/change/", policy_form(resolve_after_green=0, digest_hour=8))

    assert answer.status_code == 200
    assert "resolve_after_green" in answer.context["adminform"].form.errors
    policy.refresh_from_db()
    assert policy.resolve_after_green == 1


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operators_and_viewers_read_the_policy_but_change_nothing(agency_a, client_as, role):
    client_as(agency_a.manager).get(POLICY)
    with agency_a.scope():
        policy = AlertPolicy.objects.get(agency=agency_a.agency)
    client = client_as(agency_a.staff[role])

    assert client.get(f"{POLICY}{policy.pk}/change/").status_code == 200
    assert client.post(f"{POLICY}{policy.pk}/change/", policy_form(resolve_after_green=5)).status_code == 403
    policy.refresh_from_db()
    assert policy.resolve_after_green == 1


def test_the_sidebar_groups_the_inbox_muted_rules_and_policy_under_alerts(agency_a, client_as):
    page = client_as(agency_a.operator).get("/admin/").content.decode()
    for link in ("/admin/alerts/alert/", MUTES, POLICY):
        assert f'href="{link}"' in page, link


def test_an_alerts_page_offers_a_manager_to_mute_its_rule_for_its_store_with_the_form_filled_in(agency_a, client_as):
    alert = red_alert(agency_a, agency_a.other_store)
    manager = client_as(agency_a.manager)

    page = manager.get(f"/admin/alerts/alert/{alert.pk}/change/").content.decode()
    link = f"{MUTES}add/?store={agency_a.other_store.pk}&amp;rule={LSR}"
    assert link in page
    form = manager.get(link.replace("&amp;", "&")).context["adminform"].form
    assert (str(form.initial["store"]), form.initial["rule"]) == (str(agency_a.other_store.pk), LSR)
    assert 'id="alert-mute-link"' not in client_as(agency_a.operator).get(
        f"/admin/alerts/alert/{red_alert(agency_a, agency_a.assigned_store).pk}/change/").content.decode()


def test_an_add_page_whose_address_names_no_store_id_opens_without_it(agency_a, client_as):
    answer = client_as(agency_a.manager).get(f"{MUTES}add/", {"store": "abc", "rule": LSR})
    assert answer.status_code == 200
    assert "store" not in answer.context["adminform"].form.initial
