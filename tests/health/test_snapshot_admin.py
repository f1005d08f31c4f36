"""Snapshots in the admin: the list is the person's stores' days; a day entered or corrected by hand goes through
the one validation and upsert (``services.snapshots_upsert``, source manual), rates typed as percentages."""

import datetime

import pytest

from health.models import HealthSnapshot, Source
from tests.health.factories import HealthSnapshotFactory

URL = "/admin/health/healthsnapshot/"


def yesterday(persona):
    return persona.agency.today() - datetime.timedelta(days=1)


def day_form(store, day, **values):
    """The add form's POST: the store, the day, and the given metrics (rates in percent); the rest empty."""
    return {"store": store.pk, "date": day.isoformat(), **{key: value for key, value in values.items()}}


def snapshots_of(persona, store):
    with persona.scope():
        return list(HealthSnapshot.objects.filter(agency=persona.agency, store=store))


def test_an_operator_lists_only_the_days_of_their_stores(agency_a, agency_b, client_as):
    with agency_a.scope():
        HealthSnapshotFactory(store=agency_a.assigned_store)
        HealthSnapshotFactory(store=agency_a.other_store)
    with agency_b.scope():
        HealthSnapshotFactory(store=agency_b.assigned_store)

    shown = client_as(agency_a.operator).get(URL).context["cl"].result_list
    assert [row.store for row in shown] == [agency_a.assigned_store]
    assert len(client_as(agency_a.manager).get(URL).context["cl"].result_list) == 2


def test_the_list_shows_rates_as_percentages(agency_a, client_as):
    with agency_a.scope():
        HealthSnapshotFactory(store=agency_a.assigned_store, late_shipment_rate=0.046)
    assert "4.6%" in client_as(agency_a.manager).get(URL).content.decode()


def test_an_operator_enters_a_day_by_hand_with_rates_in_percent(agency_a, client_as):
    answer = client_as(agency_a.operator).post(f"{URL}add/", day_form(
        agency_a.assigned_store, yesterday(agency_a), ahr_score="240", account_status="NORMAL",
        late_shipment_rate="4.6", valid_tracking_rate="97.25", ip_complaints="1"))

    assert answer.status_code == 302, answer.context["adminform"].form.errors if answer.context else answer
    (snapshot,) = snapshots_of(agency_a, agency_a.assigned_store)
    assert snapshot.source == Source.MANUAL
    assert (snapshot.ahr_score, snapshot.account_status, snapshot.ip_complaints) == (240, "NORMAL", 1)
    assert snapshot.late_shipment_rate == pytest.approx(0.046)
    assert snapshot.valid_tracking_rate == pytest.approx(0.9725)
    assert snapshot.odr_mfn is None, "a metric left empty is no data"


def test_a_bad_value_is_the_services_error_on_its_field_and_nothing_is_written(agency_a, client_as):
    answer = client_as(agency_a.manager).post(f"{URL}add/", day_form(
        agency_a.assigned_store, yesterday(agency_a), ahr_score="1200", late_shipment_rate="1"))

    assert answer.status_code == 200
    errors = answer.context["adminform"].form.errors
    assert "ahr_score" in errors and "1200" in " ".join(errors["ahr_score"])
    assert snapshots_of(agency_a, agency_a.assigned_store) == []


def test_a_day_after_today_is_refused_on_the_date(agency_a, client_as):
    tomorrow = agency_a.agency.today() + datetime.timedelta(days=2)
    answer = client_as(agency_a.manager).post(f"{URL}add/", day_form(agency_a.assigned_store, tomorrow,
                                                                       ahr_score="300"))
    assert answer.status_code == 200
    assert "date" in answer.context["adminform"].form.errors
    assert snapshots_of(agency_a, agency_a.assigned_store) == []


def test_entering_a_day_that_exists_corrects_it(agency_a, client_as):
    with agency_a.scope():
        HealthSnapshotFactory(store=agency_a.assigned_store, date=yesterday(agency_a), ahr_score=250)
    answer = client_as(agency_a.operator).post(f"{URL}add/", day_form(
        agency_a.assigned_store, yesterday(agency_a), ahr_score="180"))

    assert answer.status_code == 302
    (snapshot,) = snapshots_of(agency_a, agency_a.assigned_store)
    assert (snapshot.ahr_score, snapshot.source) == (180, Source.MANUAL)
    # Only what was typed changes: the day's other metrics (the ERP's) stay.
    assert (snapshot.late_shipment_rate, snapshot.account_status) == (0.01, "NORMAL")


def test_correcting_a_day_on_its_page_keeps_its_store_and_date(agency_a, client_as):
    with agency_a.scope():
        snapshot = HealthSnapshotFactory(store=agency_a.assigned_store, date=yesterday(agency_a),
                                         late_shipment_rate=0.05)
    browser = client_as(agency_a.operator)
    page = browser.get(f"{URL}{snapshot.pk}/change/")
    assert page.context["adminform"].form.fields["late_shipment_rate"].initial == pytest.approx(5)

    answer = browser.post(f"{URL}{snapshot.pk}/change/", {
        "store": agency_a.other_store.pk, "date": "2020-01-01", "ahr_score": "260", "late_shipment_rate": "2.5"})

    assert answer.status_code == 302
    (corrected,) = snapshots_of(agency_a, agency_a.assigned_store)
    assert (corrected.pk, corrected.date, corrected.ahr_score) == (snapshot.pk, yesterday(agency_a), 260)
    assert corrected.late_shipment_rate == pytest.approx(0.025)
    assert snapshots_of(agency_a, agency_a.other_store) == []


def test_an_operator_cannot_enter_a_day_of_a_store_beyond_them(agency_a, client_as):
    answer = client_as(agency_a.operator).post(f"{URL}add/", day_form(agency_a.other_store, yesterday(agency_a),
                                                                       ahr_score="300"))
    assert answer.status_code == 200
    assert "store" in answer.context["adminform"].form.errors
    assert snapshots_of(agency_a, agency_a.other_store) == []


def test_a_viewer_reads_the_days_but_enters_none(agency_a, client_as):
    with agency_a.scope():
        snapshot = HealthSnapshotFactory(store=agency_a.assigned_store)
    viewer = client_as(agency_a.viewer)
    assert viewer.get(URL).status_code == 200
    assert viewer.get(f"{URL}add/").status_code == 403
    assert viewer.post(f"{URL}{snapshot.pk}/change/", {"ahr_score": "1"}).status_code == 403


def test_operators_do_not_delete_days_managers_do(agency_a, client_as):
    with agency_a.scope():
        snapshot = HealthSnapshotFactory(store=agency_a.assigned_store)
    assert client_as(agency_a.operator).post(f"{URL}{snapshot.pk}/delete/", {"post": "yes"}).status_code == 403
    assert len(snapshots_of(agency_a, agency_a.assigned_store)) == 1

    assert client_as(agency_a.manager).post(f"{URL}{snapshot.pk}/delete/", {"post": "yes"}).status_code == 302
    assert snapshots_of(agency_a, agency_a.assigned_store) == []


def test_another_agencys_day_does_not_exist(agency_a, agency_b, client_as):
    with agency_a.scope():
        snapshot = HealthSnapshotFactory(store=agency_a.assigned_store)
    assert client_as(agency_b.owner).get(f"{URL}{snapshot.pk}/change/").status_code == 404


def test_a_day_without_any_metric_is_refused_and_an_existing_day_is_not_erased(agency_a, client_as):
    with agency_a.scope():
        snapshot = HealthSnapshotFactory(store=agency_a.assigned_store, date=yesterday(agency_a), ahr_score=250)
    browser = client_as(agency_a.operator)

    for url, form in ((f"{URL}add/", day_form(agency_a.assigned_store, yesterday(agency_a))),
                      (f"{URL}{snapshot.pk}/change/", {"store": agency_a.other_store.pk})):
        answer = browser.post(url, form)
        assert answer.status_code == 200
        assert "Enter at least one metric of the day." in answer.context["adminform"].form.non_field_errors()
    (kept,) = snapshots_of(agency_a, agency_a.assigned_store)
    assert (kept.ahr_score, kept.source) == (250, Source.API)
