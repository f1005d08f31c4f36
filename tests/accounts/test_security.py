from django.test import Client as DjangoClient
from django_scopes import scopes_disabled

from accounts.models import Store


def attempt_login(client, email, password):
    return client.post("/admin/login/?next=/admin/", {"username": email, "password": password},
                       HTTP_ACCEPT_LANGUAGE="en")


def test_staff_login_locks_out_after_repeated_failures_even_with_the_right_password(agency_a, settings):
    client = DjangoClient()
    email = agency_a.manager.email
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt_login(client, email, "wrong")
        assert response.status_code == 200  # the form again, with its error
    locked = attempt_login(client, email, "wrong")
    assert locked.status_code == 429
    right_password = attempt_login(client, email, "correct-horse-battery")
    assert right_password.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_login_before_the_limit_signs_in(agency_a):
    client = DjangoClient()
    attempt_login(client, agency_a.manager.email, "wrong")
    response = attempt_login(client, agency_a.manager.email, "correct-horse-battery")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agency_a.manager.pk)


def test_a_person_of_no_agency_cannot_sign_in_to_the_admin(db):
    from tests.factories import UserFactory

    UserFactory(email="nobody@example.com")
    client = DjangoClient()
    response = attempt_login(client, "nobody@example.com", "correct-horse-battery")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_store_changes_through_the_api_are_in_the_audit_trail_with_the_key(agency_a, api_as):
    store = agency_a.assigned_store
    response = api_as(agency_a.rw_header).patch(f"/api/v1/stores/{store.pk}/", {"status": "at_risk"},
                                                format="json")
    assert response.status_code == 200
    with scopes_disabled():
        records = list(Store.history.filter(id=store.pk).order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    latest = records[-1]
    assert latest.status == "at_risk" and latest.agency_id == agency_a.agency.pk
    assert "ERP a" in latest.history_api_key
    changes = latest.diff_against(records[0]).changes
    assert [(c.field, c.old, c.new) for c in changes] == [("status", "active", "at_risk")]


def test_store_changes_in_the_admin_record_who_made_them_and_are_shown_in_its_history(agency_a, client_as):
    store = agency_a.other_store
    client = client_as(agency_a.manager)
    response = client.get(f"/admin/accounts/store/{store.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"status": "suspended", "brand_registered": "", "assignments-TOTAL_FORMS": "0",
                 "assignments-INITIAL_FORMS": "0", "assignments-MIN_NUM_FORMS": "0",
                 "assignments-MAX_NUM_FORMS": "1000"})
    response = client.post(f"/admin/accounts/store/{store.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    with scopes_disabled():
        latest = Store.history.filter(id=store.pk).latest("history_date")
    assert latest.status == "suspended" and latest.history_user == agency_a.manager

    history = client.get(f"/admin/accounts/store/{store.pk}/history/")
    assert history.status_code == 200
    assert agency_a.manager.email in history.content.decode() or str(agency_a.manager) in history.content.decode()


def test_deleted_clients_stay_in_the_agencys_audit_trail(agency_a, agency_b, api_as, client_as):
    created = api_as(agency_a.rw_header).post("/api/v1/clients/", {"name": "Short-lived"}, format="json")
    assert created.status_code == 201
    assert api_as(agency_a.rw_header).delete(f"/api/v1/clients/{created.data['id']}/").status_code == 204
    trail = client_as(agency_a.owner).get("/admin/accounts/historicalclient/")
    assert trail.status_code == 200
    assert trail.content.decode().count("Short-lived") >= 2  # created and deleted
    other = client_as(agency_b.owner).get("/admin/accounts/historicalclient/")
    assert "Short-lived" not in other.content.decode()
