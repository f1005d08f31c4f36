import pytest
from django_scopes.exceptions import ScopeError

from accounts import selectors
from accounts.models import Client, Store


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


def test_an_operator_sees_only_assigned_stores(agency_a):
    with agency_a.scope():
        visible = selectors.store_list(agency=agency_a.agency, operator=agency_a.operator)
        assert [s.name for s in visible] == ["Assigned store A"]
        assert list(selectors.store_list(agency=agency_a.agency, operator=agency_a.idle_operator)) == []
        assert selectors.store_list(agency=agency_a.agency).count() == 2
