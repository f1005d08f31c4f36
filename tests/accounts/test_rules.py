"""The rules of stores, clients and memberships, and the table of powers: pure functions over values.

No test here touches the database (pytest-django refuses any query without the ``db`` fixture), so each rule
is checked at its boundaries by the values it is handed.
"""

import datetime

import pytest
from django.utils.translation import override

from accounts.models import ApiKeyAccess
from accounts.roles import KEY_POWERS, ROLE_POWERS, SYSTEM_POWERS, Power, Role, powers_of, roles_with
from accounts.rules import client_errors, operator_errors, owner_errors, store_errors

TODAY = datetime.date(2025, 3, 10)
WRITE_POWERS = {Power.WORK_ON_STORES, Power.MANAGE, Power.ADMINISTER}


def store(**values):
    """``store_errors`` of a store that breaks no rule, except for the ``values`` given."""
    arguments = {"marketplace": "US", "registered_on": TODAY, "today": TODAY, "seller_id": "A1SELLER0001",
                 "seller_id_taken": False}
    with override("en"):
        return store_errors(**{**arguments, **values})


# -- stores --------------------------------------------------------------------------------------------------

def test_a_store_registered_today_is_allowed_and_one_registered_tomorrow_is_refused_naming_the_date():
    assert store(registered_on=TODAY) == {}
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert store(registered_on=tomorrow) == {
        "registered_on": ["The registration date 2025-03-11 is in the future."],
    }


def test_a_store_without_a_registration_date_is_allowed():
    assert store(registered_on=None) == {}


@pytest.mark.parametrize("marketplace", ["US", "DE", "JP", "gb", "ATVPDKIKX0DER", "A1PA6795UKMFR9"])
def test_a_known_marketplace_code_or_amazon_marketplace_id_is_allowed(marketplace):
    assert store(marketplace=marketplace) == {}


@pytest.mark.parametrize("marketplace", ["XX", "USA", "A1PA6795UKMFR"])
def test_an_unknown_marketplace_is_refused_naming_the_value(marketplace):
    assert store(marketplace=marketplace) == {
        "marketplace": [f"“{marketplace}” is not an Amazon marketplace this product knows."],
    }


def test_a_seller_id_taken_on_the_marketplace_is_refused_naming_the_seller_id_and_the_marketplace():
    errors = store(seller_id="A1SELLER0001", marketplace="DE", seller_id_taken=True)
    assert errors == {
        "seller_id": ["Seller id A1SELLER0001 already has a store on marketplace DE in this agency."],
    }


def test_a_seller_id_that_is_not_taken_is_allowed():
    assert store(seller_id="A1SELLER0001", seller_id_taken=False) == {}


def test_a_taken_seller_id_is_not_reported_when_the_marketplace_itself_is_unknown():
    errors = store(marketplace="XX", seller_id_taken=True)
    assert list(errors) == ["marketplace"]


def test_every_broken_store_rule_is_reported_at_once():
    errors = store(marketplace="XX", registered_on=TODAY + datetime.timedelta(days=30))
    assert set(errors) == {"marketplace", "registered_on"}


# -- clients -------------------------------------------------------------------------------------------------

def test_a_client_name_taken_in_the_agency_is_refused_naming_the_name():
    with override("en"):
        errors = client_errors(name="Anker", name_taken=True)
    assert errors == {"name": ["A client named “Anker” already exists in this agency."]}


def test_a_client_name_not_taken_is_allowed():
    assert client_errors(name="Anker", name_taken=False) == {}


def test_an_empty_client_name_is_left_to_the_required_field_and_never_reported_as_taken():
    assert client_errors(name="", name_taken=True) == {}


# -- operators -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.OPERATOR])
def test_owners_managers_and_operators_may_be_responsible_for_a_store(role):
    assert operator_errors(people=[("Li Wei", role)]) == []


def test_nobody_at_all_is_allowed():
    assert operator_errors(people=[]) == []


def test_a_stranger_to_the_agency_cannot_be_responsible_for_a_store():
    with override("en"):
        messages = operator_errors(people=[("Li Wei", Role.OPERATOR), ("Stranger", None)])
    assert messages == ["Not a member of this agency: Stranger."]


def test_a_viewer_cannot_be_responsible_for_a_store():
    with override("en"):
        messages = operator_errors(people=[("Li Wei", Role.OPERATOR), ("Reader", Role.VIEWER)])
    assert messages == ["Viewers cannot be responsible for a store: Reader."]


def test_strangers_and_viewers_are_refused_together_each_message_naming_its_people():
    people = [("Stranger One", None), ("Reader One", "viewer"), ("Li Wei", "operator"), ("Stranger Two", None),
              ("Reader Two", "viewer")]
    with override("en"):
        messages = operator_errors(people=people)
    assert messages == [
        "Not a member of this agency: Stranger One, Stranger Two.",
        "Viewers cannot be responsible for a store: Reader One, Reader Two.",
    ]


# -- owners --------------------------------------------------------------------------------------------------

def test_the_only_owner_cannot_become_another_role_and_the_message_names_the_role():
    with override("en"):
        errors = owner_errors(role_before=Role.OWNER, role_after=Role.VIEWER, other_owners=0)
    assert errors == {"role": ["This is the agency's only owner and cannot become Viewer: make someone else "
                               "owner first."]}


@pytest.mark.parametrize("role_after", [Role.MANAGER, Role.OPERATOR, Role.VIEWER])
def test_the_only_owner_is_refused_every_other_role(role_after):
    assert list(owner_errors(role_before=Role.OWNER, role_after=role_after, other_owners=0)) == ["role"]


def test_the_only_owner_cannot_be_removed():
    with override("en"):
        errors = owner_errors(role_before=Role.OWNER, role_after=None, other_owners=0)
    assert errors == {"role": ["This is the agency's only owner: make someone else owner first."]}


@pytest.mark.parametrize("role_after", [Role.MANAGER, Role.VIEWER, None])
def test_an_owner_with_one_other_owner_may_become_another_role_or_leave(role_after):
    assert owner_errors(role_before=Role.OWNER, role_after=role_after, other_owners=1) == {}


def test_the_only_owner_staying_owner_is_allowed():
    assert owner_errors(role_before=Role.OWNER, role_after=Role.OWNER, other_owners=0) == {}


@pytest.mark.parametrize("role_before", [Role.MANAGER, Role.OPERATOR, Role.VIEWER, None])
@pytest.mark.parametrize("role_after", [Role.OWNER, Role.MANAGER, Role.VIEWER, None])
def test_a_member_who_is_not_owner_may_change_role_or_leave_whatever_the_owners(role_before, role_after):
    assert owner_errors(role_before=role_before, role_after=role_after, other_owners=0) == {}


def test_the_roles_are_compared_as_their_stored_strings():
    assert list(owner_errors(role_before="owner", role_after="viewer", other_owners=0)) == ["role"]


def test_an_invalid_role_for_the_only_owner_is_refused_naming_it_without_crashing():
    with override("en"):
        errors = owner_errors(role_before=Role.OWNER, role_after="emperor", other_owners=0)
    assert errors == {"role": ["This is the agency's only owner and cannot become emperor: make someone else "
                               "owner first."]}


# -- the table of powers -------------------------------------------------------------------------------------

def test_every_role_has_an_entry_in_the_table_of_powers():
    assert set(ROLE_POWERS) == set(Role)


def test_every_key_access_level_has_an_entry_in_the_table_of_powers():
    assert set(KEY_POWERS) == set(ApiKeyAccess.values)


def test_viewers_see_all_stores_and_have_no_power_to_write():
    assert Power.SEE_ALL_STORES in powers_of(Role.VIEWER)
    assert not powers_of(Role.VIEWER) & WRITE_POWERS
    assert Power.TAKE_STORES not in powers_of(Role.VIEWER)


def test_operators_work_on_their_stores_but_do_not_see_all_stores():
    assert Power.WORK_ON_STORES in powers_of(Role.OPERATOR)
    assert Power.SEE_ALL_STORES not in powers_of(Role.OPERATOR)
    assert Power.MANAGE not in powers_of(Role.OPERATOR)


def test_only_owners_administer_the_agency():
    assert roles_with(Power.ADMINISTER) == [Role.OWNER]


def test_owners_have_every_power():
    assert powers_of(Role.OWNER) == set(Power)


def test_owners_managers_and_operators_may_be_assigned_stores_in_that_order():
    assert roles_with(Power.TAKE_STORES) == [Role.OWNER, Role.MANAGER, Role.OPERATOR]


def test_an_unknown_role_has_no_power():
    assert powers_of("emperor") == frozenset()
    assert powers_of(None) == frozenset()


def test_a_read_key_sees_all_stores_and_has_no_power_to_write():
    assert KEY_POWERS["read"] == {Power.SEE_ALL_STORES}
    assert not KEY_POWERS["read"] & WRITE_POWERS


def test_a_read_write_key_works_on_stores_and_manages_but_never_administers():
    powers = KEY_POWERS["read_write"]
    assert {Power.SEE_ALL_STORES, Power.WORK_ON_STORES, Power.MANAGE} <= powers
    assert Power.ADMINISTER not in powers
    assert Power.TAKE_STORES not in powers


def test_the_product_itself_may_do_everything_but_be_assigned_a_store():
    assert SYSTEM_POWERS == set(Power) - {Power.TAKE_STORES}
