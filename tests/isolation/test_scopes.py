"""Every tenant-owned model fails closed: a query with no agency scope raises, a scope shows its agency only.

The models are found through ``django.apps`` (every model with an ``agency`` foreign key), so a model added
later is covered too. Simple-history's ``Historical*`` models are left out: they have no scoped manager and are
reached only through the admin, whose views filter them by agency (``test_admin`` proves it).
"""

import pytest
from django.apps import apps
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from accounts.models import Agency

from .registry import is_historical, row_of


def has_agency_column(model):
    return any(field.name == "agency" and field.many_to_one and field.related_model is Agency
               for field in model._meta.fields)


TENANT_MODELS = [model for model in apps.get_models() if has_agency_column(model) and not is_historical(model)]


def test_the_tenant_models_are_found():
    assert TENANT_MODELS, "no model with an agency column was found, so no scope was checked"


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda model: model._meta.label)
def test_a_query_without_an_agency_scope_raises(model, agency_a, agency_b):
    """Every manager of the model (the default one first) raises ScopeError outside a scope."""
    row_a, row_b = row_of(model, agency_a), row_of(model, agency_b)
    managers = [model._default_manager, *model._meta.managers]
    for manager in managers:
        where = f"{model._meta.label}.{manager.name}"
        with pytest.raises(ScopeError):
            list(manager.all())
        with pytest.raises(ScopeError):
            manager.filter(pk=row_a.pk).exists()
        with pytest.raises(ScopeError):
            manager.count()
        with pytest.raises(ScopeError):
            manager.get(pk=row_b.pk)
        assert manager.none().count() == 0, where  # the one query that needs no scope asks for nothing

    for manager in managers:
        with scope(agency=agency_a.agency):
            visible = set(manager.values_list("pk", flat=True))
        assert row_a.pk in visible, f"{model._meta.label}.{manager.name} hides A's row inside A's scope"
        assert row_b.pk not in visible, f"{model._meta.label}.{manager.name} shows B's row inside A's scope"
