"""Operators write what they own: over the API an operator changes the notes and status of the stores assigned to
them, and nothing else of a store (a 400 naming each field they may not change); a store not assigned to them is
a 404; managers, owners and read-write keys change everything; viewers and read-only keys nothing (403).

The rule is one pure function, ``accounts.rules.store_fields_writable``, which the admin asks too."""

import pytest
from django_scopes import scopes_disabled

from accounts import rules
from accounts.models import Store, StoreAssignment
from accounts.roles import KEY_POWERS, SYSTEM_POWERS, Role, powers_of

STORES = "/api/v1/stores/"
REFUSED = ["You may not change this field."]
STORE_FIELDS = frozenset({"name", "client", "marketplace", "seller_id", "registered_on", "selling_plan",
                          "brand_registered", "status", "operators", "notes"})


def reads_english(person):
    """``person``, reading English (their saved language beats Accept-Language), so that messages compare."""
    person.language = "en"
    person.save(update_fields=["language"])
    return person


def store_url(store):
    return f"{STORES}{store.pk}/"


def stored(store):
    with scopes_disabled():
        row = Store.objects.get(pk=store.pk)
        return {"name": row.name, "client": row.client_id, "marketplace": row.marketplace,
                "seller_id": row.seller_id, "registered_on": row.registered_on, "selling_plan": row.selling_plan,
                "brand_registered": row.brand_registered, "status": row.status, "notes": row.notes,
                "operators": set(StoreAssignment.objects.filter(store=row).values_list("user_id", flat=True))}


# -- the rule ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("powers", "writable"), [
    (powers_of(Role.OWNER), STORE_FIELDS),
    (powers_of(Role.MANAGER), STORE_FIELDS),
    (KEY_POWERS["read_write"], STORE_FIELDS),
    (SYSTEM_POWERS, STORE_FIELDS),
    (powers_of(Role.OPERATOR), {"notes", "status"}),
    (powers_of(Role.VIEWER), set()),
    (KEY_POWERS["read"], set()),
    (frozenset(), set()),
], ids=["owner", "manager", "read-write key", "the product", "operator", "viewer", "read-only key", "nobody"])
def test_who_may_change_which_fields_of_a_store(powers, writable):
    assert rules.store_fields_writable(powers=powers, fields=STORE_FIELDS) == writable


def test_the_rule_answers_only_about_the_fields_asked():
    assert rules.store_fields_writable(powers=powers_of(Role.OPERATOR), fields={"notes", "name"}) == {"notes"}
    assert rules.store_fields_writable(powers=powers_of(Role.MANAGER), fields={"notes", "name"}) == {"notes", "name"}


def test_the_errors_name_each_field_that_may_not_be_changed():
    operator = powers_of(Role.OPERATOR)
    assert rules.store_change_errors(powers=operator, changed=["notes", "status"]) == {}
    assert rules.store_change_errors(powers=operator, changed=["notes", "seller_id", "client"]) == {
        "seller_id": REFUSED, "client": REFUSED}
    assert rules.store_change_errors(powers=powers_of(Role.MANAGER), changed=list(STORE_FIELDS)) == {}


# -- an operator over the API --------------------------------------------------------------------------------

def test_an_operator_changes_the_notes_and_status_of_their_store(agency_a, api_as):
    store = agency_a.assigned_store
    before = stored(store)

    answer = api_as(reads_english(agency_a.operator)).patch(store_url(store), {"notes": "Appeal sent on Monday.",
                                                                "status": "at_risk"}, format="json")

    assert answer.status_code == 200, answer.json()
    assert (answer.json()["notes"], answer.json()["status"]) == ("Appeal sent on Monday.", "at_risk")
    assert stored(store) == {**before, "notes": "Appeal sent on Monday.", "status": "at_risk"}


@pytest.mark.parametrize(("field", "value"), [
    ("name", "Renamed"),
    ("seller_id", "A9CHANGED2024"),
    ("marketplace", "DE"),
    ("registered_on", "2020-01-01"),
    ("selling_plan", "individual"),
    ("brand_registered", True),
    ("operators", []),
])
def test_an_operator_may_not_change_anything_else_of_their_store(agency_a, api_as, field, value):
    store = agency_a.assigned_store
    before = stored(store)
    answer = api_as(reads_english(agency_a.operator)).patch(store_url(store), {field: value}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {field: REFUSED}
    assert stored(store) == before


def test_an_operator_may_not_move_their_store_to_another_client(agency_a, api_as):
    store, before = agency_a.assigned_store, stored(agency_a.assigned_store)
    with scopes_disabled():
        other_client = type(agency_a.client).objects.create(agency=agency_a.agency, name="Another client")
        Store.objects.create(agency=agency_a.agency, client=other_client, name="Its store", marketplace="US",
                             seller_id="A1ITSSTORE2024")
        StoreAssignment.objects.create(agency=agency_a.agency, store=Store.objects.get(name="Its store"),
                                       user=agency_a.operator)
    answer = api_as(reads_english(agency_a.operator)).patch(store_url(store), {"client": other_client.pk},
                                                            format="json")
    assert (answer.status_code, answer.json()) == (400, {"client": REFUSED})
    assert stored(store) == before


def test_every_field_an_operator_may_not_change_is_named_at_once_and_nothing_is_written(agency_a, api_as):
    store, before = agency_a.assigned_store, stored(agency_a.assigned_store)
    answer = api_as(reads_english(agency_a.operator)).patch(store_url(store), {
        "notes": "Allowed, but not alone.", "seller_id": "A9CHANGED2024", "marketplace": "XX", "name": ""},
        format="json")
    assert answer.status_code == 400
    assert answer.json() == {"seller_id": REFUSED, "marketplace": REFUSED, "name": REFUSED}
    assert stored(store) == before


def test_an_operator_puts_back_what_they_read_with_new_notes(agency_a, api_as):
    """A PUT of the store as the operator read it, the notes edited: the other fields are sent unchanged (the
    marketplace even by its Amazon id), which changes nothing they may not change."""
    api, store = api_as(reads_english(agency_a.operator)), agency_a.assigned_store
    before = stored(store)
    representation = api.get(store_url(store)).json()
    payload = {**representation, "notes": "Checked the listing.",
               "marketplace": representation["amazon_marketplace_id"]}

    answer = api.put(store_url(store), payload, format="json")

    assert answer.status_code == 200, answer.json()
    assert stored(store) == {**before, "notes": "Checked the listing."}


def test_an_operator_sending_a_field_unchanged_is_not_refused_for_it(agency_a, api_as):
    store = agency_a.assigned_store
    answer = api_as(reads_english(agency_a.operator)).patch(store_url(store), {
        "seller_id": store.seller_id, "client": agency_a.client.pk, "operators": [agency_a.operator.email],
        "status": "suspended"}, format="json")
    assert answer.status_code == 200, answer.json()
    assert stored(store)["status"] == "suspended"


@pytest.mark.parametrize("role", ["operator", "idle_operator"])
def test_a_store_not_assigned_to_the_operator_is_not_found(agency_a, api_as, role):
    store = agency_a.other_store if role == "operator" else agency_a.assigned_store
    before = stored(store)
    api = api_as(agency_a.staff[role])
    for method in ("patch", "put"):
        answer = getattr(api, method)(store_url(store), {"notes": "Not mine."}, format="json")
        # In the person's language (their agency's: Chinese), the same as for any id that does not exist.
        assert (answer.status_code, answer.json()) == (404, {"detail": "未找到。"}), method
    assert stored(store) == before


def test_an_operator_still_may_not_add_a_store(agency_a, api_as):
    answer = api_as(reads_english(agency_a.operator)).post(STORES, {"name": "New", "client": agency_a.client.pk,
                                                     "marketplace": "US", "seller_id": "A1NEWSTORE2024"},
                                            format="json")
    assert answer.status_code == 403
    with scopes_disabled():
        assert not Store.objects.filter(seller_id="A1NEWSTORE2024").exists()


# -- everyone else -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("caller", ["owner", "manager", "read-write key"])
def test_those_who_manage_the_portfolio_change_everything(agency_a, api_as, caller):
    credential = agency_a.rw_header if caller == "read-write key" else agency_a.staff[caller]
    store = agency_a.assigned_store
    answer = api_as(credential).patch(store_url(store), {"name": "Renamed", "seller_id": "A9CHANGED2024",
                                                         "marketplace": "DE", "operators": [], "notes": "Moved."},
                                      format="json")
    assert answer.status_code == 200, answer.json()
    after = stored(store)
    assert (after["name"], after["seller_id"], after["marketplace"], after["operators"], after["notes"]) == (
        "Renamed", "A9CHANGED2024", "DE", set(), "Moved.")


@pytest.mark.parametrize("caller", ["viewer", "read-only key"])
def test_viewers_and_read_only_keys_change_nothing_not_even_notes(agency_a, api_as, caller):
    credential = agency_a.ro_header if caller == "read-only key" else agency_a.viewer
    store, before = agency_a.assigned_store, stored(agency_a.assigned_store)
    for method in ("patch", "put"):
        answer = getattr(api_as(credential), method)(store_url(store), {"notes": "Mine now."}, format="json")
        assert answer.status_code == 403, method
    assert stored(store) == before
