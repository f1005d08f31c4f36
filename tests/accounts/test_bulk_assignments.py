"""Bulk work on the portfolio: assigning many stores to an operator, and handing every store of someone who leaves
over to another person; the autocomplete of the forms that choose stores, clients and operators.

Assigning adds the person to each selected store (their other operators stay), in a fixed number of statements
however many stores, and a store they have already is no error. Handing over ends every assignment of the person
who leaves and begins the receiver's, together or not at all. Both are in the audit trail, naming who did it, and
are offered in the admin to those who manage the portfolio only. Isolation between agencies of both, and of every
autocomplete field, is proven by the isolation suite (``tests/isolation/test_admin.py``) by itself.
"""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts import rules, selectors, services
from accounts.models import Membership, Store, StoreAssignment
from tests.factories import ClientFactory, StoreAssignmentFactory, StoreFactory

STORES = reverse("admin:accounts_store_changelist")
MEMBERS = reverse("admin:accounts_membership_changelist")
AUTOCOMPLETE = reverse("admin:autocomplete")


def operators_of(store):
    with scopes_disabled():
        return set(StoreAssignment.objects.filter(store=store).values_list("user__email", flat=True))


def stores_of(persona, user):
    with scopes_disabled():
        return set(StoreAssignment.objects.filter(agency=persona.agency, user=user).values_list("store_id", flat=True))


def trail(persona, user):
    """``[(history type, store id, who did it)]`` of ``user``'s assignments in the persona's agency, oldest first."""
    with scopes_disabled():
        rows = StoreAssignment.history.filter(agency_id=persona.agency.pk, user_id=user.pk)
        return [(row.history_type, row.store_id, row.history_user)
                for row in rows.select_related("history_user").order_by("history_date", "history_id")]


def membership_of(persona, user):
    with scopes_disabled():
        return Membership.objects.get(agency=persona.agency, user=user)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def stores_assign(persona, stores, user, by=None):
    with persona.scope():
        return services.stores_assign(agency=persona.agency, stores=stores, user=user, by=by)


def stores_hand_over(persona, from_user, to_user, by=None):
    with persona.scope():
        return services.stores_hand_over(agency=persona.agency, from_user=from_user, to_user=to_user, by=by)


# -- the rule of handing over (no database) ----------------------------------------------------------------------

def hand_over(**values):
    return rules.hand_over_errors(**{"giver": "Ann", "giver_role": "operator", "receiver": "Bo",
                                     "receiver_role": "operator", "same_person": False, **values})


@pytest.mark.parametrize("receiver_role", ["owner", "manager", "operator"])
def test_stores_are_handed_over_to_another_member_who_takes_stores(receiver_role):
    assert hand_over(receiver_role=receiver_role) == {}


def test_stores_are_not_handed_over_to_the_person_who_leaves():
    assert hand_over(receiver="Ann", same_person=True) == {
        "to_user": ["Ann cannot hand their stores over to themselves: choose someone else."]}


def test_a_viewer_a_stranger_or_a_deactivated_member_does_not_receive_stores():
    assert hand_over(receiver_role="viewer") == {"to_user": ["Viewers cannot be responsible for a store: Bo."]}
    assert hand_over(receiver_role=None) == {"to_user": ["Not a member of this agency: Bo."]}
    assert list(hand_over(receiver_deactivated=True)) == ["to_user"]


def test_the_stores_of_someone_who_is_not_a_member_are_not_the_agencys_to_hand_over():
    assert hand_over(giver_role=None) == {"from_user": ["Not a member of this agency: Ann."]}


# -- assigning many stores ---------------------------------------------------------------------------------------

def test_assigning_stores_adds_the_operator_and_keeps_the_stores_other_operators(agency_a):
    stores = [agency_a.assigned_store, agency_a.other_store]
    assert stores_assign(agency_a, stores, agency_a.idle_operator, by=agency_a.manager) == 2

    assert operators_of(agency_a.assigned_store) == {agency_a.operator.email, agency_a.idle_operator.email}
    assert operators_of(agency_a.other_store) == {agency_a.idle_operator.email}


def test_assigning_a_store_the_operator_has_already_is_no_error_and_changes_nothing(agency_a):
    stores = [agency_a.assigned_store, agency_a.other_store]
    assert stores_assign(agency_a, stores, agency_a.operator, by=agency_a.manager) == 1
    recorded = trail(agency_a, agency_a.operator)

    assert stores_assign(agency_a, stores, agency_a.operator, by=agency_a.manager) == 0
    assert stores_of(agency_a, agency_a.operator) == {agency_a.assigned_store.pk, agency_a.other_store.pk}
    assert trail(agency_a, agency_a.operator) == recorded


def test_each_new_assignment_is_in_the_audit_trail_naming_who_assigned_it(agency_a):
    stores_assign(agency_a, [agency_a.assigned_store, agency_a.other_store], agency_a.idle_operator,
                  by=agency_a.manager)
    assert sorted(trail(agency_a, agency_a.idle_operator)) == [
        ("+", agency_a.assigned_store.pk, agency_a.manager), ("+", agency_a.other_store.pk, agency_a.manager)]


@pytest.mark.parametrize("who", ["viewer", "of another agency"])
def test_stores_are_not_assigned_to_someone_who_may_not_take_them_and_nothing_is_written(agency_a, agency_b, who):
    person = agency_a.viewer if who == "viewer" else agency_b.operator
    with pytest.raises(ValidationError) as refused:
        stores_assign(agency_a, [agency_a.other_store], person, by=agency_a.manager)
    assert list(refused.value.message_dict) == ["user"]
    assert operators_of(agency_a.other_store) == set()


def test_a_store_of_another_agency_is_not_assigned_and_nothing_is_written(agency_a, agency_b):
    with pytest.raises(Store.DoesNotExist):
        stores_assign(agency_a, [agency_a.other_store, agency_b.other_store], agency_a.idle_operator)
    assert operators_of(agency_a.other_store) == operators_of(agency_b.other_store) == set()


def test_assigning_200_stores_takes_as_many_statements_as_assigning_10(agency_a):
    client = ClientFactory(agency=agency_a.agency)
    few = [StoreFactory(agency=agency_a.agency, client=client) for _ in range(10)]
    many = [StoreFactory(agency=agency_a.agency, client=client) for _ in range(200)]

    def statements(stores, user):
        with agency_a.scope():
            selected = Store.objects.filter(agency=agency_a.agency, pk__in=[store.pk for store in stores])
            with CaptureQueriesContext(connection) as captured:
                assigned = services.stores_assign(agency=agency_a.agency, stores=selected, user=user,
                                                  by=agency_a.manager)
        return len(captured), assigned

    few_statements, few_assigned = statements(few, agency_a.idle_operator)
    many_statements, many_assigned = statements(many, agency_a.operator)
    assert (few_assigned, many_assigned) == (10, 200)
    assert few_statements == many_statements
    assert len([row for row in trail(agency_a, agency_a.operator) if row[0] == "+"]) == 1 + 200


# -- handing over the stores of someone who leaves ---------------------------------------------------------------

def test_handing_over_moves_every_store_of_the_person_who_leaves(agency_a):
    StoreAssignmentFactory(store=agency_a.other_store, agency=agency_a.agency, user=agency_a.operator)
    assert stores_hand_over(agency_a, agency_a.operator, agency_a.idle_operator, by=agency_a.manager) == 2

    assert stores_of(agency_a, agency_a.operator) == set()
    assert stores_of(agency_a, agency_a.idle_operator) == {agency_a.assigned_store.pk, agency_a.other_store.pk}


def test_a_store_the_receiver_has_already_stays_theirs_once(agency_a):
    StoreAssignmentFactory(store=agency_a.assigned_store, agency=agency_a.agency, user=agency_a.manager)
    assert stores_hand_over(agency_a, agency_a.operator, agency_a.manager, by=agency_a.owner) == 1

    assert operators_of(agency_a.assigned_store) == {agency_a.manager.email}
    assert [row for row in trail(agency_a, agency_a.manager) if row[2] == agency_a.owner] == []


def test_handing_over_is_in_the_audit_trail_naming_who_did_it(agency_a):
    stores_hand_over(agency_a, agency_a.operator, agency_a.idle_operator, by=agency_a.manager)

    store = agency_a.assigned_store.pk
    assert trail(agency_a, agency_a.operator)[-1] == ("-", store, agency_a.manager)
    assert trail(agency_a, agency_a.idle_operator) == [("+", store, agency_a.manager)]


def test_handing_over_again_hands_over_nothing(agency_a):
    stores_hand_over(agency_a, agency_a.operator, agency_a.idle_operator, by=agency_a.manager)
    assert stores_hand_over(agency_a, agency_a.operator, agency_a.idle_operator, by=agency_a.manager) == 0
    assert stores_of(agency_a, agency_a.idle_operator) == {agency_a.assigned_store.pk}


@pytest.mark.parametrize("receiver", ["operator", "viewer", "of another agency"])
def test_handing_over_to_oneself_a_viewer_or_a_stranger_is_refused_and_changes_nothing(agency_a, agency_b, receiver):
    person = {"operator": agency_a.operator, "viewer": agency_a.viewer,
              "of another agency": agency_b.operator}[receiver]
    with pytest.raises(ValidationError) as refused:
        stores_hand_over(agency_a, agency_a.operator, person, by=agency_a.manager)
    assert list(refused.value.message_dict) == ["to_user"]
    assert stores_of(agency_a, agency_a.operator) == {agency_a.assigned_store.pk}
    assert stores_of(agency_a, person) == ({agency_a.assigned_store.pk} if person == agency_a.operator else set())


def test_the_stores_of_another_agencys_operator_are_not_handed_over(agency_a, agency_b):
    with pytest.raises(ValidationError) as refused:
        stores_hand_over(agency_a, agency_b.operator, agency_a.idle_operator, by=agency_a.manager)
    assert list(refused.value.message_dict) == ["from_user"]
    assert stores_of(agency_b, agency_b.operator) == {agency_b.assigned_store.pk}


# -- in the admin --------------------------------------------------------------------------------------------------

def offered_actions(client, url):
    """The actions the list at ``url`` offers; none when the list itself is not for this person."""
    answer = client.get(url)
    if answer.status_code == 403:
        return set()
    action_form = answer.context["action_form"]  # none at all when the list offers no action
    return set() if action_form is None else {name for name, _ in action_form.fields["action"].choices}


@pytest.mark.parametrize("role", ["owner", "manager", "operator", "idle_operator", "viewer"])
def test_only_those_who_manage_the_portfolio_are_offered_the_bulk_actions(agency_a, client_as, role):
    client = client_as(agency_a.staff[role])
    manages = role in ("owner", "manager")
    assert ("assign_to_operator" in offered_actions(client, STORES)) is manages
    assert ("hand_over_stores" in offered_actions(client, MEMBERS)) is manages


def test_a_manager_assigns_the_selected_stores_to_an_operator_on_the_actions_page(agency_a, client_as):
    client = client_as(agency_a.manager)
    chosen = {"action": "assign_to_operator",
              ACTION_CHECKBOX_NAME: [agency_a.assigned_store.pk, agency_a.other_store.pk]}

    page = client.post(STORES, {**chosen, "index": 0})
    assert page.status_code == 200
    assert "Choose the operator to make responsible for the 2 selected stores." in page.content.decode()
    assert [str(store) for store in (agency_a.assigned_store, agency_a.other_store)] == page.context["named"]
    assert 'data-model-name="storeassignment" data-field-name="user"' in page.content.decode()

    done = client.post(STORES, {**chosen, "post": "yes", "user": agency_a.operator.pk})
    assert done.status_code == 302
    assert messages_of(done) == ["1 store assigned to operator a.", "1 of the selected stores was theirs already."]
    assert stores_of(agency_a, agency_a.operator) == {agency_a.assigned_store.pk, agency_a.other_store.pk}
    assert trail(agency_a, agency_a.operator)[-1] == ("+", agency_a.other_store.pk, agency_a.manager)


@pytest.mark.parametrize("who", ["viewer", "of another agency"])
def test_the_actions_page_refuses_a_person_the_form_does_not_offer(agency_a, agency_b, client_as, who):
    person = agency_a.viewer if who == "viewer" else agency_b.operator
    answer = client_as(agency_a.manager).post(STORES, {
        "action": "assign_to_operator", ACTION_CHECKBOX_NAME: [agency_a.other_store.pk], "post": "yes",
        "user": person.pk})
    assert answer.status_code == 200
    assert answer.context["form"].errors["user"] == [
        "Select a valid choice. That choice is not one of the available choices."]
    assert operators_of(agency_a.other_store) == set()


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_a_forged_bulk_action_of_someone_who_does_not_manage_is_refused_and_changes_nothing(agency_a, client_as,
                                                                                          role):
    client = client_as(agency_a.staff[role])
    for url, action, selected, choice in (
            (STORES, "assign_to_operator", agency_a.assigned_store.pk, {"user": agency_a.operator.pk}),
            (MEMBERS, "hand_over_stores", membership_of(agency_a, agency_a.operator).pk,
             {"to_user": agency_a.idle_operator.pk})):
        for extra in ({"index": 0}, {"post": "yes", **choice}):
            answer = client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [selected], **extra})
            assert answer.status_code == 403, (url, extra)
    assert stores_of(agency_a, agency_a.operator) == {agency_a.assigned_store.pk}
    assert stores_of(agency_a, agency_a.idle_operator) == set()


def test_a_manager_hands_over_the_stores_of_someone_who_leaves(agency_a, client_as):
    client = client_as(agency_a.manager)
    chosen = {"action": "hand_over_stores", ACTION_CHECKBOX_NAME: [membership_of(agency_a, agency_a.operator).pk]}

    page = client.post(MEMBERS, {**chosen, "index": 0})
    assert page.status_code == 200
    assert page.context["named"] == ["operator a: 1 store"]

    done = client.post(MEMBERS, {**chosen, "post": "yes", "to_user": agency_a.idle_operator.pk})
    assert done.status_code == 302
    assert messages_of(done) == ["1 store handed over from operator a to idle_operator a."]
    assert stores_of(agency_a, agency_a.idle_operator) == {agency_a.assigned_store.pk}
    assert trail(agency_a, agency_a.operator)[-1] == ("-", agency_a.assigned_store.pk, agency_a.manager)


def test_a_hand_over_refused_for_one_of_the_selected_people_changes_nothing_for_any(agency_a, client_as):
    """The receiver is among those who leave: the page says why on the field, and the other one keeps their
    stores too (all or nothing)."""
    StoreAssignmentFactory(store=agency_a.other_store, agency=agency_a.agency, user=agency_a.idle_operator)
    leaving = [membership_of(agency_a, person).pk for person in (agency_a.operator, agency_a.idle_operator)]
    answer = client_as(agency_a.owner).post(MEMBERS, {
        "action": "hand_over_stores", ACTION_CHECKBOX_NAME: leaving, "post": "yes",
        "to_user": agency_a.idle_operator.pk})

    assert answer.status_code == 200
    assert answer.context["form"].errors["to_user"] == [
        "idle_operator a cannot hand their stores over to themselves: choose someone else."]
    assert stores_of(agency_a, agency_a.operator) == {agency_a.assigned_store.pk}
    assert stores_of(agency_a, agency_a.idle_operator) == {agency_a.other_store.pk}


def test_rows_of_another_agency_selected_for_a_bulk_action_are_as_if_nothing_was_selected(agency_a, agency_b,
                                                                                          client_as):
    answer = client_as(agency_b.manager).post(STORES, {
        "action": "assign_to_operator", ACTION_CHECKBOX_NAME: [agency_a.other_store.pk], "post": "yes",
        "user": agency_b.operator.pk})
    assert answer.status_code == 302
    assert messages_of(answer) == [
        "Items must be selected in order to perform actions on them. No items have been changed."]
    assert operators_of(agency_a.other_store) == set()


# -- autocomplete -------------------------------------------------------------------------------------------------

def offered(client, model_name, field_name, term=""):
    answer = client.get(AUTOCOMPLETE, {"app_label": "accounts", "model_name": model_name, "field_name": field_name,
                                       "term": term})
    assert answer.status_code == 200, answer.status_code
    return {int(item["id"]) for item in answer.json()["results"]}


def test_the_operator_autocomplete_offers_exactly_the_people_the_form_accepts(agency_a, client_as):
    """An assignment's operator (on its own form, in the store's inline, on the bulk page): the agency's people
    who may take stores, not its viewers, though the people list shows viewers too."""
    with agency_a.scope():
        assignable = set(selectors.assignable_people(agency=agency_a.agency).values_list("pk", flat=True))
    assert agency_a.viewer.pk not in assignable
    assert offered(client_as(agency_a.manager), "storeassignment", "user") == assignable

    refused = client_as(agency_a.manager).post(reverse("admin:accounts_storeassignment_add"), {
        "store": agency_a.other_store.pk, "user": agency_a.viewer.pk})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["user"] == [
        "Select a valid choice. That choice is not one of the available choices."]


def test_the_store_and_client_autocompletes_offer_an_operator_their_own(agency_a, client_as):
    operator = client_as(agency_a.operator)
    assert offered(operator, "storeassignment", "store") == {agency_a.assigned_store.pk}
    assert offered(operator, "store", "client") == {agency_a.client.pk}
    assert offered(client_as(agency_a.manager), "storeassignment", "store") == {
        agency_a.assigned_store.pk, agency_a.other_store.pk}
    assert offered(client_as(agency_a.manager), "storeassignment", "store", term="Unassigned") == {
        agency_a.other_store.pk}


@pytest.mark.parametrize(("model_name", "field_name"), [("store", "agency"), ("membership", "user"),
                                                        ("apikey", "created_by")])
def test_the_autocomplete_of_a_field_no_form_completes_is_refused(agency_a, client_as, model_name, field_name):
    answer = client_as(agency_a.owner).get(AUTOCOMPLETE, {"app_label": "accounts", "model_name": model_name,
                                                          "field_name": field_name, "term": ""})
    assert answer.status_code == 403


def test_a_forged_client_of_another_agency_on_the_store_form_is_not_a_valid_choice(agency_a, agency_b, client_as):
    store = agency_a.other_store
    answer = client_as(agency_a.manager).post(reverse("admin:accounts_store_change", args=[store.pk]), {
        "name": store.name, "client": agency_b.client.pk, "status": store.status, "marketplace": store.marketplace,
        "seller_id": store.seller_id, "registered_on": "2023-01-15", "selling_plan": store.selling_plan,
        "notes": "", "assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0"})
    assert answer.status_code == 200
    assert answer.context["adminform"].form.errors["client"] == [
        "Select a valid choice. That choice is not one of the available choices."]
    with scopes_disabled():
        assert Store.objects.get(pk=store.pk).client_id == agency_a.client.pk
