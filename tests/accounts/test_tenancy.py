import pytest
from django_scopes.exceptions import ScopeError

from accounts import selectors
from accounts.models import Client, Membership, Store, StoreAssignment
from accounts.tenancy import NOBODY, Caller


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
