import pytest
from django.contrib.auth.models import AnonymousUser
from django_scopes.exceptions import ScopeError

from accounts import selectors
from accounts.models import Client, Membership, Store, StoreAssignment
from accounts.roles import KEY_POWERS, Power
from accounts.tenancy import NOBODY, Caller, caller_for_request, caller_of


def test_a_query_without_an_agency_scope_raises(agency_a):
    with pytest.raises(ScopeError):
        list(Store.objects.all())
    with pytest.raises(ScopeError):
        Client.objects.filter(name="Client A").exists()


def test_inside_a_scope_only_that_agencys_rows_exist(agency_a, agency_b):
    with agency_a.scope():
        names = set(Store.objects.values_list("name", flat=True))
        assert names == {"Assigned store A", "Unassigned store A"}
        assert not Store.objects.filter(pk=agency_b.assigned_store.pk).exists()


def caller(persona, role):
    user = persona.staff[role]
    return Caller.person(agency=persona.agency, user=user, role=Membership.objects.get(user=user).role)


def test_an_operator_sees_only_assigned_stores_everyone_else_all(agency_a, agency_b):
    with agency_a.scope():
        def visible(who):
            return sorted(s.name for s in selectors.visible_stores(agency=agency_a.agency, caller=who))

        everything = ["Assigned store A", "Unassigned store A"]
        assert visible(caller(agency_a, "operator")) == ["Assigned store A"]
        assert visible(caller(agency_a, "idle_operator")) == []
        for role in ("owner", "manager", "viewer"):
            assert visible(caller(agency_a, role)) == everything, role
        assert visible(Caller.key(agency_a.ro_key)) == everything
        assert visible(Caller.system(agency_a.agency)) == everything
        assert visible(NOBODY) == []
        # A caller of another agency sees none of this agency's stores, whatever its role.
        assert visible(Caller.system(agency_b.agency)) == []


def test_rows_that_hang_off_a_store_follow_the_stores_the_caller_sees(agency_a):
    with agency_a.scope():
        operator, owner = caller(agency_a, "operator"), caller(agency_a, "owner")
        assignments = StoreAssignment.objects.filter(agency=agency_a.agency)
        assert [a.store for a in selectors.visible_rows(assignments, caller=operator)] == [agency_a.assigned_store]
        assert selectors.visible_rows(assignments, caller=owner).count() == assignments.count()
        # A client comes once however many of its stores the operator sees.
        StoreAssignment.objects.create(agency=agency_a.agency, store=agency_a.other_store, user=agency_a.operator)
        clients = selectors.visible_rows(Client.objects.filter(agency=agency_a.agency), caller=operator)
        assert list(clients) == [agency_a.client]
        # Rows that belong to no store are not narrowed.
        memberships = Membership.objects.filter(agency=agency_a.agency)
        assert selectors.visible_rows(memberships, caller=operator).count() == 5


def test_nobody_is_the_caller_outside_a_resolved_request_and_may_do_nothing(rf):
    assert caller_of(None) is NOBODY
    assert caller_of(rf.get("/")) is NOBODY
    assert NOBODY.agency is None and not NOBODY.is_member and not NOBODY.sees_all_stores
    assert not any(NOBODY.can(power) for power in Power)


def test_a_request_is_resolved_to_its_caller_a_key_or_a_person_in_their_agency(agency_a, rf):
    keyed = rf.get("/api/v1/stores/", HTTP_AUTHORIZATION=agency_a.ro_header)
    keyed.user = AnonymousUser()
    key = caller_for_request(keyed)
    assert (key.agency, key.api_key, key.user) == (agency_a.agency, agency_a.ro_key, None)
    assert key.powers == KEY_POWERS["read"]

    signed_in = rf.get("/admin/")
    signed_in.user = agency_a.operator
    person = caller_for_request(signed_in)
    assert (person.agency, person.user, person.role) == (agency_a.agency, agency_a.operator, "operator")
    assert person.can(Power.WORK_ON_STORES) and not person.can(Power.MANAGE) and not person.sees_all_stores

    wrong = rf.get("/api/v1/stores/", HTTP_AUTHORIZATION="Api-Key nope.nope")
    wrong.user = AnonymousUser()
    refused = caller_for_request(wrong)
    assert refused.api_key_refused and refused.agency is None and not refused.is_member

    anonymous = rf.get("/admin/")
    anonymous.user = AnonymousUser()
    assert caller_for_request(anonymous) is NOBODY


def test_the_product_itself_may_do_everything_in_its_agency_but_nothing_elsewhere(agency_a):
    system = Caller.system(agency_a.agency)
    assert system.can(Power.MANAGE) and system.can(Power.ADMINISTER) and system.sees_all_stores
    assert not Caller.system(None).can(Power.MANAGE)
