"""Data migrations do what they say on rows left from before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("accounts", "0004_free_text_max_length")
AFTER = ("accounts", "0005_end_assignments_of_viewers_and_former_members")


@pytest.fixture
def latest_schema_afterwards(transactional_db):
    """Migrations after the ones a test stops at are applied again when it ends, so that the tests after it find
    the whole schema."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_assignments_of_viewers_and_former_members_end_and_the_audit_trail_says_so(latest_schema_afterwards):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state(BEFORE).apps
    agency = old.get_model("accounts", "Agency").objects.create(slug="old", name="Old Agency")
    User = old.get_model("accounts", "User")
    Membership = old.get_model("accounts", "Membership")
    Assignment = old.get_model("accounts", "StoreAssignment")
    client = old.get_model("accounts", "Client").objects.create(agency=agency, name="Old Client")
    store = old.get_model("accounts", "Store").objects.create(agency=agency, client=client, name="Old Store",
                                                               marketplace="US", seller_id="A1OLDSTORE1")
    people = {role: User.objects.create(email=f"{role}@old.example") for role in ("operator", "viewer", "former")}
    Membership.objects.create(agency=agency, user=people["operator"], role="operator")
    Membership.objects.create(agency=agency, user=people["viewer"], role="viewer")
    for person in people.values():
        Assignment.objects.create(agency=agency, store=store, user=person)

    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])
    new = executor.loader.project_state(AFTER).apps
    remaining = new.get_model("accounts", "StoreAssignment").objects.values_list("user__email", flat=True)
    assert list(remaining) == ["operator@old.example"]
    ended = new.get_model("accounts", "HistoricalStoreAssignment").objects.filter(history_type="-")
    assert sorted(ended.values_list("user__email", flat=True)) == ["former@old.example", "viewer@old.example"]
