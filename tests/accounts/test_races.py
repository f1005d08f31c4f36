"""Two identical writes at the same moment: one succeeds, the other is refused with the field error validation
gives (``accounts.duplicates``), never a 500.

Validation catches a duplicate before it is written; two writes at the same moment both pass it, and the database's
unique constraint refuses the later one. The first tests make that happen in one thread, deterministically: the
duplicate slips in between validation and the write. The last ones race two threads on PostgreSQL, held together
by a barrier between validation and the write, so that both have passed validation before either writes.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections
from django.utils import translation
from django_scopes import scope, scopes_disabled

from accounts import duplicates, rules, services
from accounts.models import Client, Membership, Store, StoreAssignment, User
from tests.factories import ClientFactory, MembershipFactory, StoreFactory, UserFactory

CLIENTS = "/api/v1/clients/"
STORES = "/api/v1/stores/"
SELLER_ID = "A1LAKESIDE2024"


def new_store(persona):
    return {"name": "Lakeside Outdoor US", "client": persona.client.pk, "marketplace": "US", "seller_id": SELLER_ID}


def after_validation(monkeypatch, model, then):
    """Call ``then(row)`` each time a ``model`` row has passed ``full_clean()``, just before it is written."""
    full_clean = model.full_clean

    def validated_then(row, *args, **kwargs):
        full_clean(row, *args, **kwargs)
        then(row)

    monkeypatch.setattr(model, "full_clean", validated_then)


def rows(model, **lookups):
    with scopes_disabled():
        return model.objects.filter(**lookups).count()


# -- the rules that name a duplicate (no database) ------------------------------------------------------------------

def test_a_member_is_named_once_a_member():
    with translation.override("en"):
        assert rules.member_errors(email="ana@example.com", is_member=False) == {}
        assert rules.member_errors(email="ana@example.com", is_member=True) == {
            "email": ["ana@example.com is already a member of this agency."]}


def test_people_already_responsible_for_a_store_are_named():
    with translation.override("en"):
        assert rules.assignment_errors(store="Lakeside (US)", people=[]) == []
        assert rules.assignment_errors(store="Lakeside (US)", people=["Ana", "Bo"]) == [
            "Already responsible for store Lakeside (US): Ana, Bo."]


# -- a duplicate written between validation and the write (one thread, any database) ---------------------------

def test_a_client_name_taken_after_validation_is_refused_on_the_name(agency_a, api_as, monkeypatch):
    after_validation(monkeypatch, Client,
                     lambda client: ClientFactory(agency=client.agency, name=client.name))
    response = api_as(agency_a.rw_header).post(CLIENTS, {"name": "Lakeside Outdoor"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["A client named “Lakeside Outdoor” already exists in this agency."]}


def test_renaming_a_client_onto_a_name_taken_after_validation_is_refused_on_the_name(agency_a, monkeypatch):
    after_validation(monkeypatch, Client,
                     lambda client: ClientFactory(agency=client.agency, name="Lakeside Outdoor"))
    with agency_a.scope(), translation.override("en"), pytest.raises(ValidationError) as refused:
        services.client_update(agency=agency_a.agency, client=agency_a.client, name="Lakeside Outdoor")
    assert refused.value.message_dict == {"name": ["A client named “Lakeside Outdoor” already exists in this agency."]}


def test_a_seller_id_taken_after_validation_is_refused_on_the_seller_id(agency_a, api_as, monkeypatch):
    after_validation(monkeypatch, Store, lambda store: StoreFactory(
        agency=store.agency, client=store.client, seller_id=store.seller_id, marketplace=store.marketplace))
    response = api_as(agency_a.rw_header).post(STORES, new_store(agency_a), format="json")
    assert response.status_code == 400
    assert response.json() == {"seller_id": [f"Seller id {SELLER_ID} already has a store on marketplace US in this "
                                             "agency."]}


def test_a_membership_made_after_validation_is_refused_on_the_email(agency_a, agency_b, monkeypatch):
    newcomer = agency_b.operator
    after_validation(monkeypatch, Membership,
                     lambda membership: MembershipFactory(agency=membership.agency, user=membership.user))
    with agency_a.scope(), translation.override("en"), pytest.raises(ValidationError) as refused:
        services.member_add(agency=agency_a.agency, email=newcomer.email, role="operator")
    assert refused.value.message_dict == {"email": [f"{newcomer.email} is already a member of this agency."]}


def test_an_assignment_refused_by_its_constraint_names_the_operator_on_operators(agency_a):
    store, operator = agency_a.assigned_store, agency_a.operator
    duplicate = StoreAssignment(agency=agency_a.agency, store=store, user=operator)
    newcomer = StoreAssignment(agency=agency_a.agency, store=store, user=agency_a.manager)
    with agency_a.scope(), translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            with duplicates.duplicates_refused_on_fields(newcomer, duplicate):
                StoreAssignment.objects.bulk_create([newcomer, duplicate])
        # The savepoint is gone with the refused rows; the transaction goes on.
        assert list(store.operators.all()) == [operator]
    assert refused.value.message_dict == {"operators": [f"Already responsible for store {store}: {operator}."]}


def test_a_write_refused_for_another_reason_is_not_disguised_as_a_duplicate(agency_a):
    with agency_a.scope(), pytest.raises(IntegrityError):
        with duplicates.duplicates_refused_on_fields(agency_a.client):
            Client.objects.filter(pk=agency_a.client.pk).update(agency_id=None)


# -- a real race between two threads -----------------------------------------------------------------

def race(*calls, hold):
    """Run ``calls`` at the same moment, each in a thread of its own with its own database connection, and
    return what each returned, or the exception it raised, in order.

    On PostgreSQL they are held together where ``hold`` puts the wait it is given (after validation, before the
    write), so that every one has passed validation before any writes. SQLite queues writers from the start of
    their transactions (``transaction_mode`` IMMEDIATE in the settings), so there they start together and meet
    the rules one after the other."""
    barrier = threading.Barrier(len(calls))
    queued = connection.vendor == "sqlite"
    if not queued:
        hold(lambda *args: barrier.wait(timeout=30))
    results = [None] * len(calls)

    def run(number, call):
        if queued:
            barrier.wait(timeout=30)
        try:
            results[number] = call()
        except Exception as error:
            results[number] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(number, call)) for number, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def after_validation_of(monkeypatch, model):
    return lambda wait: after_validation(monkeypatch, model, wait)


def outcome(responses):
    return sorted((response.status_code, response.json() if response.status_code == 400 else None)
                  for response in responses)


def test_two_identical_clients_at_the_same_moment_give_one_201_and_one_400_on_the_name(
        transactional_db, agency_a, api_as, monkeypatch):
    keys = [api_as(agency_a.rw_header), api_as(agency_a.rw_header)]
    responses = race(*[lambda api=api: api.post(CLIENTS, {"name": "Lakeside Outdoor"}, format="json") for api in keys],
                     hold=after_validation_of(monkeypatch, Client))
    assert outcome(responses) == [
        (201, None), (400, {"name": ["A client named “Lakeside Outdoor” already exists in this agency."]})]
    assert rows(Client, agency=agency_a.agency, name="Lakeside Outdoor") == 1


def test_two_identical_stores_at_the_same_moment_give_one_201_and_one_400_on_the_seller_id(
        transactional_db, agency_a, api_as, monkeypatch):
    keys = [api_as(agency_a.rw_header), api_as(agency_a.rw_header)]
    responses = race(*[lambda api=api: api.post(STORES, new_store(agency_a), format="json") for api in keys],
                     hold=after_validation_of(monkeypatch, Store))
    assert outcome(responses) == [
        (201, None),
        (400, {"seller_id": [f"Seller id {SELLER_ID} already has a store on marketplace US in this agency."]})]
    assert rows(Store, agency=agency_a.agency, seller_id=SELLER_ID) == 1


def test_adding_one_person_twice_at_the_same_moment_makes_one_membership_and_one_field_error(
        transactional_db, agency_a, agency_b, monkeypatch):
    newcomer = agency_b.operator

    def add():
        with scope(agency=agency_a.agency), translation.override("en"):
            membership, _password = services.member_add(agency=agency_a.agency, email=newcomer.email,
                                                        role="operator")
            return membership

    results = race(add, add, hold=after_validation_of(monkeypatch, Membership))
    # Never a database error: the later one either finds the membership (adding a member again with the same role
    # changes nothing) or, in a true race, is refused on the email.
    assert all(isinstance(result, Membership | ValidationError) for result in results), results
    assert sum(isinstance(result, Membership) for result in results) >= 1
    for refused in (result for result in results if isinstance(result, ValidationError)):
        assert refused.message_dict == {"email": [f"{newcomer.email} is already a member of this agency."]}
    if connection.vendor == "postgresql":
        assert sum(isinstance(result, ValidationError) for result in results) == 1
    assert rows(Membership, agency=agency_a.agency, user=newcomer) == 1


def test_assigning_one_operator_twice_at_the_same_moment_makes_one_assignment_and_one_field_error(
        transactional_db, agency_a, monkeypatch):
    store, operator = agency_a.other_store, agency_a.idle_operator
    bulk_create_with_history = services.bulk_create_with_history

    def before_the_write(wait):
        # Both have found the operator unassigned when they write the assignment.
        def written_together(*args, **kwargs):
            wait()
            return bulk_create_with_history(*args, **kwargs)

        monkeypatch.setattr(services, "bulk_create_with_history", written_together)

    def assign():
        with scope(agency=agency_a.agency), translation.override("en"):
            return services.store_assign_operators(agency=agency_a.agency, store=store, operators=[operator])

    results = race(assign, assign, hold=before_the_write)
    # Never a database error: assigning someone already responsible changes nothing, or, in a true race, the later
    # one is refused on the operators.
    assert all(result is None or isinstance(result, ValidationError) for result in results), results
    for refused in (result for result in results if isinstance(result, ValidationError)):
        assert refused.message_dict == {"operators": [f"Already responsible for store {store}: {operator}."]}
    if connection.vendor == "postgresql":
        assert sum(isinstance(result, ValidationError) for result in results) == 1
    assert rows(StoreAssignment, store=store, user=operator) == 1


def test_an_account_created_meanwhile_for_a_new_address_is_added_not_a_database_error(agency_a, monkeypatch):
    """``addmember`` found no account for the address and validated the new one, but another run created it
    before this one saved: the person is added with the account that now exists, which keeps its password, and
    nothing fails."""
    set_password = User.set_password
    created = []

    def set_password_while_another_run_creates_the_account(user, raw):
        set_password(user, raw)
        if user.pk is None and not created:  # the new account this run is about to save
            monkeypatch.setattr(User, "set_password", set_password)
            created.append(UserFactory(email="late.comer@example.com"))

    monkeypatch.setattr(User, "set_password", set_password_while_another_run_creates_the_account)
    with scope(agency=agency_a.agency):
        membership, password = services.member_add(agency=agency_a.agency, email="Late.Comer@example.com",
                                                   role="operator")
    assert (membership.user, password) == (created[0], None)
    with scopes_disabled():
        assert Membership.objects.get(agency=agency_a.agency, user=created[0]).role == "operator"
    created[0].refresh_from_db()
    assert created[0].check_password("correct-horse-battery")
