"""End the store assignments of people who may no longer be responsible for a store: viewers, and people who are
no longer members of the agency. Since the services end them on demotion and removal, such rows can only be
left from before; each ending is recorded in the audit trail like any other."""

from django.db import migrations
from django.db.models import Exists, OuterRef
from django.utils import timezone


def end_stale_assignments(apps, schema_editor):
    StoreAssignment = apps.get_model("accounts", "StoreAssignment")
    Membership = apps.get_model("accounts", "Membership")
    HistoricalStoreAssignment = apps.get_model("accounts", "HistoricalStoreAssignment")
    may_take_stores = Membership._base_manager.filter(
        agency_id=OuterRef("agency_id"), user_id=OuterRef("user_id"), role__in=["owner", "manager", "operator"])
    stale = StoreAssignment._base_manager.filter(~Exists(may_take_stores))
    for assignment in stale:
        HistoricalStoreAssignment.objects.create(
            id=assignment.id, agency_id=assignment.agency_id, store_id=assignment.store_id,
            user_id=assignment.user_id, created_at=assignment.created_at, history_type="-",
            history_date=timezone.now(), history_change_reason="the person may no longer take stores",
        )
        assignment.delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_free_text_max_length")]

    operations = [migrations.RunPython(end_stale_assignments, migrations.RunPython.noop)]
