"""Operator assignments in the audit trail, and their end when a person may no longer hold stores.

Assigning operators over the API or through a service is recorded like a change in the admin: a "+" row per new
assignment and a "-" row per ended one, naming the person or the API key behind it. A person demoted to a role
that may not take stores (a viewer), or removed from the agency, is nobody's operator any more: their
assignments end, recorded, and nothing of them comes back when they return.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts import services
from accounts.models import Membership, Store, StoreAssignment
from accounts.roles import Power, roles_with
from tests.factories import MembershipFactory, StoreAssignmentFactory, StoreFactory, UserFactory


def store_url(store):
    return f"/api/v1/stores/{store.pk}/"


def trail_of(store):
    """``[(history type, operator's id, person behind it, API key behind it)]`` of the store's assignments,
    oldest first."""
    with scopes_disabled():
        rows = StoreAssignment.history.filter(store_id=store.pk).select_related("history_user")
        return [(row.history_type, row.user_id, row.history_user, row.history_api_key)
                for row in rows.order_by("history_date", "history_id")]


def assigned(persona, user):
    with persona.scope():
        return set(StoreAssignment.objects.filter(agency=persona.agency, user=user).values_list("store_id", flat=True))


def membership_of(persona, user):
    with persona.scope():
        return Membership.objects.get(agency=persona.agency, user=user)


def operators_listed(persona, api_as, store):
    response = api_as(persona.rw_header).get(store_url(store))
    assert response.status_code == 200
    return response.json()["operators"]


def ended_rows(store, user):
    return [row for row in trail_of(store) if row[0] == "-" and row[1] == user.pk]


# -- assigning -----------------------------------------------------------------------------------------------

def test_operators_assigned_with_an_api_key_are_in_the_audit_trail_naming_the_key(agency_a, api_as):
    store = agency_a.other_store
    response = api_as(agency_a.rw_header).patch(
        store_url(store), {"operators": [agency_a.operator.email, agency_a.idle_operator.email]}, format="json")
    assert response.status_code == 200

    created = [row for row in trail_of(store) if row[0] == "+"]
    assert sorted(user for _, user, _, _ in created) == sorted([agency_a.operator.pk, agency_a.idle_operator.pk])
    for _, _, person, api_key in created:
        assert person is None
        assert api_key.startswith(f"ERP a ({agency_a.rw_key.prefix}")


def test_operators_assigned_by_a_signed_in_owner_over_the_api_name_the_owner(agency_a, api_as):
    store = agency_a.other_store
    response = api_as(agency_a.owner).patch(store_url(store), {"operators": [agency_a.idle_operator.email]},
                                            format="json")
    assert response.status_code == 200
    assert trail_of(store) == [("+", agency_a.idle_operator.pk, agency_a.owner, "")]


def test_replacing_an_operator_over_the_api_records_the_end_of_one_and_the_start_of_the_other(agency_a, api_as):
    store = agency_a.assigned_store
    response = api_as(agency_a.rw_header).patch(store_url(store), {"operators": [agency_a.idle_operator.email]},
                                                format="json")
    assert response.status_code == 200

    latest = trail_of(store)[-2:]
    assert sorted((kind, user) for kind, user, _, _ in latest) == [
        ("+", agency_a.idle_operator.pk), ("-", agency_a.operator.pk)]
    assert all(api_key.startswith("ERP a (") and person is None for _, _, person, api_key in latest)


def test_a_store_created_with_operators_over_the_api_records_their_assignments(agency_a, api_as):
    payload = {"name": "Lakeside Outdoor US", "client": agency_a.client.pk, "marketplace": "US",
               "seller_id": "A1LAKESIDE2024", "operators": [agency_a.operator.email, agency_a.idle_operator.email]}
    response = api_as(agency_a.rw_header).post("/api/v1/stores/", payload, format="json")
    assert response.status_code == 201

    with agency_a.scope():
        store = Store.objects.get(agency=agency_a.agency, seller_id="A1LAKESIDE2024")
    assert sorted((kind, user) for kind, user, _, _ in trail_of(store)) == sorted([
        ("+", agency_a.idle_operator.pk), ("+", agency_a.operator.pk)])


def test_the_admin_audit_trail_of_store_assignments_lists_those_made_over_the_api(agency_a, api_as, client_as):
    api_as(agency_a.rw_header).patch(store_url(agency_a.other_store), {"operators": [agency_a.idle_operator.email]},
                                     format="json")
    api_as(agency_a.rw_header).patch(store_url(agency_a.assigned_store), {"operators": []}, format="json")

    trail = client_as(agency_a.owner).get(reverse("admin:accounts_historicalstoreassignment_changelist"))
    assert trail.status_code == 200
    rows = trail.context["cl"].result_list
    made_by_key = {(row.history_type, row.user_id, row.store_id) for row in rows if row.history_api_key}
    assert made_by_key == {("+", agency_a.idle_operator.pk, agency_a.other_store.pk),
                           ("-", agency_a.operator.pk, agency_a.assigned_store.pk)}
    assert f"ERP a ({agency_a.rw_key.prefix}" in trail.content.decode()


def test_assigning_twenty_operators_takes_as_many_statements_as_assigning_two(agency_a):
    people = [UserFactory() for _ in range(20)]
    for person in people:
        MembershipFactory(agency=agency_a.agency, user=person, role="operator")
    stores = [StoreFactory(agency=agency_a.agency, client=agency_a.client) for _ in range(2)]

    def statements(store, operators):
        with agency_a.scope(), CaptureQueriesContext(connection) as captured:
            services.store_assign_operators(agency=agency_a.agency, store=store, operators=operators)
        return len(captured)

    assert statements(stores[0], people[:2]) == statements(stores[1], people)
    assert len([row for row in trail_of(stores[1]) if row[0] == "+"]) == 20


# -- ending ---------------------------------------------------------------------------------------------------

def test_an_operator_demoted_to_viewer_is_no_stores_operator_and_the_trail_says_so(agency_a, api_as):
    operator, store = agency_a.operator, agency_a.assigned_store
    with agency_a.scope():
        services.member_change_role(agency=agency_a.agency, membership=membership_of(agency_a, operator),
                                    role="viewer")

    assert assigned(agency_a, operator) == set()
    assert len(ended_rows(store, operator)) == 1
    assert operators_listed(agency_a, api_as, store) == []


def test_demoting_an_operator_to_viewer_in_the_admin_ends_their_assignments_in_the_owners_name(
        agency_a, api_as, client_as):
    operator, store = agency_a.operator, agency_a.assigned_store
    membership = membership_of(agency_a, operator)
    response = client_as(agency_a.owner).post(
        reverse("admin:accounts_membership_change", args=[membership.pk]), {"role": "viewer"})
    assert response.status_code == 302

    assert membership_of(agency_a, operator).role == "viewer"
    assert assigned(agency_a, operator) == set()
    assert [(person, api_key) for _, _, person, api_key in ended_rows(store, operator)] == [(agency_a.owner, "")]
    assert operators_listed(agency_a, api_as, store) == []


def test_changing_the_role_with_member_add_to_viewer_ends_the_assignments(agency_a):
    with agency_a.scope():
        services.member_add(agency=agency_a.agency, email=agency_a.operator.email, role="viewer", change_role=True)
    assert assigned(agency_a, agency_a.operator) == set()
    assert len(ended_rows(agency_a.assigned_store, agency_a.operator)) == 1


@pytest.mark.parametrize("role", [role for role in roles_with(Power.TAKE_STORES) if role != "operator"])
def test_an_operator_given_a_role_that_may_take_stores_keeps_them(agency_a, api_as, role):
    operator, store = agency_a.operator, agency_a.assigned_store
    with agency_a.scope():
        services.member_change_role(agency=agency_a.agency, membership=membership_of(agency_a, operator), role=role)

    assert assigned(agency_a, operator) == {store.pk}
    assert ended_rows(store, operator) == []
    assert operators_listed(agency_a, api_as, store) == [operator.email]


def test_a_manager_with_stores_demoted_to_operator_keeps_them(agency_a):
    manager, store = agency_a.manager, agency_a.other_store
    StoreAssignmentFactory(store=store, agency=agency_a.agency, user=manager)
    with agency_a.scope():
        services.member_change_role(agency=agency_a.agency, membership=membership_of(agency_a, manager),
                                    role="operator")
    assert assigned(agency_a, manager) == {store.pk}


def test_a_removed_member_is_no_stores_operator_and_the_trail_says_so(agency_a, api_as):
    operator, store = agency_a.operator, agency_a.assigned_store
    with agency_a.scope():
        services.members_remove(agency=agency_a.agency, memberships=[membership_of(agency_a, operator)])

    assert assigned(agency_a, operator) == set()
    assert len(ended_rows(store, operator)) == 1
    assert operators_listed(agency_a, api_as, store) == []


def test_removing_members_in_the_admin_ends_their_assignments_in_the_owners_name(agency_a, api_as, client_as):
    operator, store = agency_a.operator, agency_a.assigned_store
    membership = membership_of(agency_a, operator)
    response = client_as(agency_a.owner).post(reverse("admin:accounts_membership_changelist"), {
        "action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"})
    assert response.status_code == 302

    with agency_a.scope():
        assert not Membership.objects.filter(pk=membership.pk).exists()
    assert assigned(agency_a, operator) == set()
    assert [person for _, _, person, _ in ended_rows(store, operator)] == [agency_a.owner]
    assert operators_listed(agency_a, api_as, store) == []


def test_removing_a_member_leaves_other_agencies_assignments_of_the_same_person_alone(agency_a, agency_b):
    person = agency_a.operator
    MembershipFactory(agency=agency_b.agency, user=person, role="operator")
    StoreAssignmentFactory(store=agency_b.other_store, agency=agency_b.agency, user=person)
    with agency_a.scope():
        services.members_remove(agency=agency_a.agency, memberships=[membership_of(agency_a, person)])
    assert assigned(agency_a, person) == set()
    assert assigned(agency_b, person) == {agency_b.other_store.pk}


def test_a_member_removed_and_added_again_as_operator_gets_no_store_back(agency_a, api_as):
    operator = agency_a.operator
    with agency_a.scope():
        services.members_remove(agency=agency_a.agency, memberships=[membership_of(agency_a, operator)])
        services.member_add(agency=agency_a.agency, email=operator.email, role="operator")

    assert assigned(agency_a, operator) == set()
    assert api_as(operator).get("/api/v1/stores/").json()["count"] == 0


def test_a_viewer_made_operator_again_gets_no_store_back(agency_a):
    operator = agency_a.operator
    with agency_a.scope():
        services.member_add(agency=agency_a.agency, email=operator.email, role="viewer", change_role=True)
        services.member_add(agency=agency_a.agency, email=operator.email, role="operator", change_role=True)
    assert assigned(agency_a, operator) == set()


def test_deleting_a_person_records_the_end_of_their_assignments(agency_a, client_as):
    operator, store = agency_a.operator, agency_a.assigned_store
    # Working in agency A, so that the admin lets them delete the person's rows there too.
    superuser = UserFactory(email="platform@example.com", is_superuser=True, active_agency=agency_a.agency)
    response = client_as(superuser).post(reverse("admin:accounts_user_delete", args=[operator.pk]), {"post": "yes"})
    assert response.status_code == 302

    assert assigned(agency_a, operator) == set()
    assert [person for _, _, person, _ in ended_rows(store, operator)] == [superuser]
