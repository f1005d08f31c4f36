"""Duplicates the database refuses, reported as the field errors validation gives.

Validation (``full_clean()`` and the rules of ``accounts.rules``) refuses a second client of the same name, a
second store of a seller id on a marketplace, a second membership of a person or a second assignment of a person
to a store, before anything is written. Two identical writes at the same moment both pass it, and the database's
unique constraint refuses the later one. The services write such rows inside ``duplicates_refused_on_fields``:
a savepoint that turns the refusal into the field error the rule gives, so that the loser of the race gets a 400
naming the field (with its transaction still usable), never a 500.

``CONSTRAINT_ERRORS`` maps each unique constraint of the accounts models to the errors of the rows refused by it,
keyed by the field the services take (``operators`` for assignments). Another app's services pass a mapping of
their own constraints the same way (``constraint_errors=``).
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from . import rules
from .models import StoreAssignment


def _client_errors(clients):
    return rules.client_errors(name=clients[0].name, name_taken=True)


def _store_errors(stores):
    store = stores[0]
    return rules.store_errors(marketplace=store.marketplace, registered_on=None, today=None,
                              seller_id=store.seller_id, seller_id_taken=True)


def _membership_errors(memberships):
    return rules.member_errors(email=memberships[0].user.email, is_member=True)


def _assignment_errors(assignments):
    """Names the people among ``assignments`` (new rows of one store) whom someone else assigned meanwhile."""
    store = assignments[0].store
    taken = set(StoreAssignment.objects.filter(agency_id=store.agency_id, store=store,
                                               user_id__in=[row.user_id for row in assignments])
                .values_list("user_id", flat=True))
    people = [str(row.user) for row in assignments if row.user_id in taken] or [str(row.user) for row in assignments]
    return {"operators": rules.assignment_errors(store=str(store), people=people)}


CONSTRAINT_ERRORS = {
    "client_name_unique_per_agency": _client_errors,
    "store_seller_marketplace_unique_per_agency": _store_errors,
    "membership_unique_per_agency": _membership_errors,
    "store_assignment_unique": _assignment_errors,
}


def violated_constraint(error, model):
    """The name of the unique constraint of ``model`` that ``error`` (an ``IntegrityError``) reports, or
    ``None``. PostgreSQL names it; SQLite names its columns."""
    diagnostics = getattr(error.__cause__, "diag", None)
    if diagnostics is not None:
        return diagnostics.constraint_name
    prefix = "UNIQUE constraint failed: "
    message = str(error)
    if not message.startswith(prefix):
        return None
    columns = {column.strip() for column in message.removeprefix(prefix).split(",")}
    table = model._meta.db_table
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields and {
                f"{table}.{model._meta.get_field(name).column}" for name in constraint.fields} == columns:
            return constraint.name
    return None


def duplicate_errors(error, rows, constraint_errors=CONSTRAINT_ERRORS):
    """The field errors of ``rows`` (new or changed rows of one model) refused with ``error``; empty when
    ``error`` is not about a unique constraint of ``constraint_errors``."""
    rows = list(rows)
    if not rows:
        return {}
    describe = constraint_errors.get(violated_constraint(error, type(rows[0])))
    return describe(rows) if describe is not None else {}


@contextmanager
def duplicates_refused_on_fields(*rows, constraint_errors=CONSTRAINT_ERRORS):
    """Run the block, which writes ``rows``, inside a savepoint; a unique constraint of ``constraint_errors``
    (constraint name → function of the rows, returning their field errors) that the database refuses it with
    becomes a ``ValidationError`` of the rows' field errors::

        with duplicates_refused_on_fields(client):
            client.save()
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        errors = duplicate_errors(error, rows, constraint_errors)
        if not errors:
            raise
        raise ValidationError(errors) from error
