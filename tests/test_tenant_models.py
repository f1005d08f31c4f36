"""Every row an agency owns derives from ``accounts.models.TenantModel``: its own non-null, indexed ``agency``
column that leads every composite index and unique constraint, and the scoped manager. The models are found
through Django's app registry, so a model added later by any app is held to it too."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.test.utils import isolate_apps
from django.utils import translation
from django_scopes.exceptions import ScopeError

from accounts.models import Agency, Store, StoreAssignment, TenantModel
from tests.isolation.registry import PRODUCT_APPS, is_historical

#: Models of the product that no agency owns, each with the reason.
NOT_TENANT_OWNED = {
    "accounts.User": "people are global: one person may serve several agencies (memberships are tenant-owned)",
    "accounts.Agency": "the tenant itself",
    "accounts.PlatformAccess": "the platform's record of superusers looking across agencies; no agency owns it",
}


def product_models():
    return [model for app in PRODUCT_APPS for model in apps.get_app_config(app).get_models()]


def _fails_closed(model):
    """Whether a query of the default manager with no agency scope raises (no database is reached)."""
    try:
        model._default_manager.all()
    except ScopeError:
        return True
    return False


def _keys(model):
    """``(what, fields)`` of the model's indexes and field-based constraints."""
    keys = [(f"index {index.name}", list(index.fields)) for index in model._meta.indexes]
    keys += [(f"constraint {constraint.name}", list(constraint.fields)) for constraint in model._meta.constraints
             if getattr(constraint, "fields", None)]
    return keys


def ownership_problems(models_to_check, allowed=NOT_TENANT_OWNED):
    """What is wrong with each model that should belong to an agency; empty when all are right."""
    problems = []
    for model in models_to_check:
        label = model._meta.label
        if is_historical(model):
            if issubclass(model.instance_type, TenantModel) and "agency" not in {f.name for f in model._meta.fields}:
                problems.append(f"{label}: the audit trail of a tenant model lost its agency column")
            continue
        if label in allowed:
            continue
        if not issubclass(model, TenantModel):
            problems.append(f"{label}: neither a TenantModel nor in NOT_TENANT_OWNED (with a reason)")
            continue
        agency = model._meta.get_field("agency")
        # Indexed by its own index, or as the first column of a composite key (then a one-column index of its own
        # would only slow every write down).
        indexed = agency.db_index or any(len(fields) > 1 and fields[0] == "agency" for _what, fields in _keys(model))
        if agency.null or not indexed or agency.related_model is not Agency:
            problems.append(f"{label}: its agency column must be a non-null, indexed foreign key to Agency")
        if not _fails_closed(model):
            problems.append(f"{label}: its default manager answers without an agency scope")
        for what, fields in _keys(model):
            if len(fields) > 1 and fields[0] != "agency":
                problems.append(f"{label}: {what} {fields} does not lead with agency")
    return problems


def store_path_problems(models_to_check):
    """A model that points at a store, or at a row of a store, must say how it reaches its store
    (``store_path``), or operators would see its rows of every store; a declared path must lead to a store."""
    problems = []
    for model in models_to_check:
        if not issubclass(model, TenantModel) or model is Store:
            continue
        parents = [field.name for field in model._meta.concrete_fields if field.many_to_one
                   and getattr(field.related_model, "store_path", None) is not None]
        if parents and model.store_path is None:
            problems.append(f"{model._meta.label}: hangs off a store through {parents} but declares no store_path")
        if model.store_path is not None:
            try:
                model._default_manager.none().filter(**{f"{model.store_path}__in": Store.objects.none()})
            except Exception as error:  # noqa: BLE001 - any failure to build the lookup is the problem reported
                problems.append(f"{model._meta.label}: store_path {model.store_path!r} does not lead to a store "
                                f"({error})")
    return problems


def test_every_row_that_hangs_off_a_store_says_how_it_reaches_it():
    assert not store_path_problems(product_models())


@isolate_apps("accounts")
def test_a_row_of_a_store_without_its_path_is_caught():
    class StoreNote(TenantModel):
        store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "accounts"

    class MislaidNote(TenantModel):
        store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
        store_path = "agency"

        class Meta:
            app_label = "accounts"

    problems = store_path_problems([StoreNote, MislaidNote])
    assert problems[0] == "accounts.StoreNote: hangs off a store through ['store'] but declares no store_path"
    assert problems[1].startswith("accounts.MislaidNote: store_path 'agency' does not lead to a store")


def test_the_product_has_tenant_models_to_check():
    tenant_models = [model for model in product_models() if issubclass(model, TenantModel)]
    assert {"accounts.Store", "accounts.Client", "accounts.StoreAssignment"} <= {m._meta.label for m in tenant_models}


def test_every_model_of_the_product_belongs_to_an_agency_or_says_why_not():
    assert not ownership_problems(product_models())


def test_every_model_left_out_is_a_model_of_the_product_with_a_reason():
    labels = {model._meta.label for model in product_models()}
    assert set(NOT_TENANT_OWNED) <= labels
    assert all(len(reason) >= len("the tenant itself") for reason in NOT_TENANT_OWNED.values())


@isolate_apps("accounts")
def test_a_model_that_forgets_the_base_or_leads_an_index_with_another_column_is_caught():
    class Forgotten(models.Model):  # noqa: DJ008 - a model that exists only to be caught
        agency = models.ForeignKey(Agency, on_delete=models.CASCADE)

        class Meta:
            app_label = "accounts"

    class Misindexed(TenantModel):
        store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
        day = models.DateField()

        class Meta:
            app_label = "accounts"
            constraints = [models.UniqueConstraint(fields=["store", "day"], name="misindexed_store_day")]
            indexes = [models.Index(fields=["agency", "day"], name="misindexed_agency_day")]

    problems = ownership_problems([Forgotten, Misindexed])
    assert problems == [
        "accounts.Forgotten: neither a TenantModel nor in NOT_TENANT_OWNED (with a reason)",
        "accounts.Misindexed: constraint misindexed_store_day ['store', 'day'] does not lead with agency",
    ]


def test_a_child_row_keeps_its_own_agency_and_may_not_point_at_another_agencys_parent(agency_a, agency_b, unscoped):
    """A store assignment could reach its agency through its store, yet has its own column; a store of another
    agency is refused on the field, as if it did not exist."""
    assert StoreAssignment._meta.get_field("agency").concrete
    crossing = StoreAssignment(agency=agency_a.agency, store=agency_b.assigned_store, user=agency_a.operator)
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        crossing.full_clean()
    assert set(refused.value.message_dict) == {"store"}
    assert refused.value.message_dict["store"] == [f"No such store: {agency_b.assigned_store.pk}."]
