"""The agency's health policy: changed through one service that checks the numbers and evaluates every store again;
edited in the admin by owners and managers, in percentages, and read by everyone else."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from health import metrics, selectors, services
from health.models import HealthPolicy, StoreHealth
from health.thresholds import Colour
from tests.health.factories import HealthSnapshotFactory

LIST = "/admin/health/healthpolicy/"


def policy_of(persona):
    with scopes_disabled():
        return HealthPolicy.objects.filter(agency=persona.agency).first()


def update(persona, **numbers):
    with persona.scope():
        return services.health_policy_update(agency=persona.agency, **numbers)


# -- the service ---------------------------------------------------------------------------------------------
def test_an_agency_without_a_row_has_domains_defaults(agency_a):
    with agency_a.scope():
        rules = selectors.health_policy(agency=agency_a.agency).thresholds()
    assert (rules.targets["late_shipment_rate"], rules.yellow_margin, rules.ahr_critical_below,
            rules.ahr_at_risk_below) == (0.04, 0.2, 100, 200)


def test_changing_a_target_evaluates_every_store_again_after_the_commit(agency_a,
                                                                        django_capture_on_commit_callbacks):
    HealthSnapshotFactory(store=agency_a.assigned_store, date=datetime.date(2025, 3, 1), late_shipment_rate=0.025)
    with django_capture_on_commit_callbacks() as callbacks:
        policy = update(agency_a, late_shipment_rate_target=0.02, yellow_margin=0.1)
    with scopes_disabled():
        assert not StoreHealth.objects.exists()  # nothing evaluated before the commit
    for callback in callbacks:
        callback()
    assert (policy.late_shipment_rate_target, policy.yellow_margin) == (0.02, 0.1)
    with scopes_disabled():
        assert StoreHealth.objects.get(store=agency_a.assigned_store).colour == Colour.RED
        assert StoreHealth.objects.get(store=agency_a.other_store).colour == Colour.NO_DATA
    assert policy_of(agency_a).history.count() == 2  # created with the defaults, then changed


def test_an_agency_that_tolerates_a_few_document_requests_sees_them_green_up_to_its_target(
        agency_a, django_capture_on_commit_callbacks):
    HealthSnapshotFactory(store=agency_a.assigned_store, date=datetime.date(2025, 3, 1), document_requests=2)
    with django_capture_on_commit_callbacks(execute=True):
        update(agency_a, document_requests_target=2)
    with scopes_disabled():
        health = StoreHealth.objects.get(store=agency_a.assigned_store)
    assert health.evaluations["document_requests"]["colour"] == Colour.GREEN
    with agency_a.scope():
        rules = selectors.health_policy(agency=agency_a.agency).thresholds()
    assert rules.target_of("document_requests").value == 2
    assert rules.target_of("ip_complaints").value == 0


def test_setting_the_same_numbers_again_changes_and_queues_nothing(agency_a, django_capture_on_commit_callbacks):
    update(agency_a, ahr_critical_below=120)
    with django_capture_on_commit_callbacks() as callbacks:
        update(agency_a, ahr_critical_below=120)
    assert callbacks == []


@pytest.mark.parametrize(("numbers", "field", "words"), [
    ({"ahr_at_risk_below": 100}, "ahr_at_risk_below", ("100", "100")),
    ({"ahr_critical_below": 250}, "ahr_at_risk_below", ("200", "250")),
    ({"late_shipment_rate_target": 4}, "late_shipment_rate_target", ("4",)),
    ({"yellow_margin": -0.1}, "yellow_margin", ("-0.1",)),
    ({"ahr_critical_below": 1001}, "ahr_critical_below", ("1001",)),
    ({"ahr_critical_below": "90"}, "ahr_critical_below", ("90",)),
    ({"happiness_target": 0.5}, "happiness_target", ("happiness_target",)),
    ({"ip_complaints_target": -1}, "ip_complaints_target", ("-1",)),
    ({"ip_complaints_target": 1.5}, "ip_complaints_target", ("1.5",)),
])
def test_bad_numbers_are_refused_naming_the_field_and_value_and_nothing_is_written(agency_a, numbers, field, words,
                                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as refused:
        update(agency_a, **{"cancel_rate_target": 0.03, **numbers})
    message = refused.value.message_dict[field][0]
    assert all(word in message for word in words), message
    assert policy_of(agency_a) is None and callbacks == []


def test_one_agencys_policy_leaves_another_agencys_alone(agency_a, agency_b):
    update(agency_a, late_shipment_rate_target=0.03)
    assert policy_of(agency_b) is None
    with agency_b.scope():
        assert selectors.health_policy(agency=agency_b.agency).late_shipment_rate_target == 0.04


# -- the admin -----------------------------------------------------------------------------------------------
def form_data(**changes):
    data = {"odr_mfn_target": "1", "odr_afn_target": "1", "late_shipment_rate_target": "4", "cancel_rate_target": "2.5",
            "valid_tracking_rate_target": "95", "on_time_delivery_rate_target": "90",
            "unit_on_time_delivery_rate_target": "90", "invoice_defect_rate_target": "5", "yellow_margin": "20",
            "ahr_critical_below": "100", "ahr_at_risk_below": "200",
            **{f"{key}_target": "0" for key in metrics.COUNT_KEYS}}
    return {**data, **changes}


def change_url(persona):
    return f"{LIST}{policy_of(persona).pk}/change/"


def test_the_list_creates_the_agencys_row_with_the_defaults_on_the_first_visit_of_who_may_change_it(
        agency_a, client_as):
    assert client_as(agency_a.viewer).get(LIST).status_code == 200
    assert policy_of(agency_a) is None, "reading the page writes nothing"
    assert client_as(agency_a.manager).get(LIST).status_code == 200
    answer = client_as(agency_a.viewer).get(LIST)
    policy = policy_of(agency_a)
    assert policy.late_shipment_rate_target == 0.04
    assert change_url(agency_a) in answer.content.decode()
    assert "4.0%" in answer.content.decode()
    client_as(agency_a.owner).get(LIST)
    with scopes_disabled():
        assert HealthPolicy.objects.filter(agency=agency_a.agency).count() == 1


def test_current_goes_straight_to_the_agencys_form(agency_a, client_as):
    answer = client_as(agency_a.manager).get(f"{LIST}current/")
    assert answer.status_code == 302 and answer["Location"] == change_url(agency_a)


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owners_and_managers_edit_the_policy_in_percentages(agency_a, client_as, role,
                                                           django_capture_on_commit_callbacks):
    browser = client_as(agency_a.staff[role])
    browser.get(LIST)
    form = browser.get(change_url(agency_a))
    assert form.status_code == 200
    assert 'value="4"' in form.content.decode()  # 0.04 shown as 4 (%)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answer = browser.post(change_url(agency_a), form_data(late_shipment_rate_target="3.5", yellow_margin="10",
                                                              ahr_at_risk_below="250"))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    policy = policy_of(agency_a)
    assert (policy.late_shipment_rate_target, policy.yellow_margin, policy.ahr_at_risk_below) == (0.035, 0.1, 250)
    assert len(callbacks) == 1


def test_a_band_that_does_not_start_above_the_critical_one_is_a_form_error(agency_a, client_as):
    browser = client_as(agency_a.owner)
    browser.get(LIST)
    answer = browser.post(change_url(agency_a), form_data(ahr_at_risk_below="90"))
    assert answer.status_code == 200
    assert "90 is not above 100" in answer.content.decode()
    assert policy_of(agency_a).ahr_at_risk_below == 200


def test_a_percentage_over_100_is_a_form_error(agency_a, client_as):
    browser = client_as(agency_a.owner)
    browser.get(LIST)
    answer = browser.post(change_url(agency_a), form_data(late_shipment_rate_target="140"))
    assert answer.status_code == 200 and "errorlist" in answer.content.decode()
    assert policy_of(agency_a).late_shipment_rate_target == 0.04


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operators_and_viewers_read_the_policy_but_cannot_change_it(agency_a, client_as, role):
    client_as(agency_a.owner).get(LIST)
    browser = client_as(agency_a.staff[role])
    page = browser.get(change_url(agency_a))
    assert page.status_code == 200
    assert "4.0%" in page.content.decode() and 'name="late_shipment_rate_target"' not in page.content.decode()
    assert browser.post(change_url(agency_a), form_data(late_shipment_rate_target="1")).status_code == 403
    assert policy_of(agency_a).late_shipment_rate_target == 0.04


def test_nobody_adds_or_deletes_the_policy(agency_a, client_as):
    browser = client_as(agency_a.owner)
    browser.get(LIST)
    assert browser.get(f"{LIST}add/").status_code == 403
    assert browser.post(f"{change_url(agency_a)[:-len('change/')]}delete/", {"post": "yes"}).status_code == 403
    assert policy_of(agency_a) is not None
