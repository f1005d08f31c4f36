"""The daily purge of the trash: documents past their agency's days in the trash are removed for good with their
files, one task per active agency, and a second run does nothing."""


from django_scopes import scopes_disabled

from accounts.tenancy import Caller
from documents import services, tasks
from documents.models import AppealDocument, DocumentVersion
from tests.documents.factories import make_document, moved_to_trash
from tests.factories import AgencyFactory


def trashed(persona, *, days_ago, title):
    """A document of ``persona`` moved to the trash ``days_ago`` days ago."""
    document = make_document(persona, title=title)
    with persona.scope():
        services.document_delete(agency=persona.agency, caller=_owner(persona), document=document)
    return moved_to_trash(document, days_ago=days_ago)


def _owner(persona):
    return Caller.person(agency=persona.agency, user=persona.owner, role="owner")


def file_names(document):
    with scopes_disabled():
        return [version.file.name for version in DocumentVersion.objects.filter(document=document)]


def exists(name):
    return DocumentVersion._meta.get_field("file").storage.exists(name)


def titles(persona):
    with scopes_disabled():
        return set(AppealDocument.objects.filter(agency=persona.agency).values_list("title", flat=True))


def test_the_purge_removes_documents_past_the_trash_days_with_their_files_and_keeps_the_rest(
        agency_a, django_capture_on_commit_callbacks):
    old = trashed(agency_a, days_ago=31, title="Deleted 31 days ago")
    recent = trashed(agency_a, days_ago=29, title="Deleted 29 days ago")
    make_document(agency_a, title="Still in use")
    old_files, recent_files = file_names(old), file_names(recent)
    assert old_files and all(exists(name) for name in old_files)

    with django_capture_on_commit_callbacks(execute=True):
        removed = tasks.purge_trash.apply(kwargs={"agency_id": agency_a.agency.pk}).get()

    assert removed == {"documents": 1, "stray_files": 0}
    assert titles(agency_a) == {"Deleted 29 days ago", "Still in use"}
    assert not any(exists(name) for name in old_files)
    assert all(exists(name) for name in recent_files)


def test_a_second_purge_finds_nothing_left_and_changes_nothing(agency_a, django_capture_on_commit_callbacks):
    trashed(agency_a, days_ago=40, title="Long gone")
    trashed(agency_a, days_ago=2, title="Restorable")

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.purge_trash.apply(kwargs={"agency_id": agency_a.agency.pk}).get()
    with django_capture_on_commit_callbacks(execute=True):
        again = tasks.purge_trash.apply(kwargs={"agency_id": agency_a.agency.pk}).get()

    assert (first["documents"], again["documents"]) == (1, 0)
    assert titles(agency_a) == {"Restorable"}


def test_the_purge_of_one_agency_leaves_another_agencys_trash_alone(agency_a, agency_b,
                                                                      django_capture_on_commit_callbacks):
    trashed(agency_a, days_ago=45, title="A's old paper")
    theirs = trashed(agency_b, days_ago=45, title="B's old paper")

    with django_capture_on_commit_callbacks(execute=True):
        tasks.purge_trash.apply(kwargs={"agency_id": agency_a.agency.pk}).get()

    assert titles(agency_a) == set()
    assert titles(agency_b) == {"B's old paper"}
    assert all(exists(name) for name in file_names(theirs))


def test_the_agencys_own_trash_days_decide(agency_a, django_capture_on_commit_callbacks):
    with agency_a.scope():
        services.document_policy_update(agency=agency_a.agency, trash_days=7)
    trashed(agency_a, days_ago=8, title="Past a week")
    trashed(agency_a, days_ago=6, title="Within a week")

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.purge_trash.apply(kwargs={"agency_id": agency_a.agency.pk}).get()["documents"] == 1

    assert titles(agency_a) == {"Within a week"}


def test_the_daily_fan_out_purges_every_active_agency_and_skips_inactive_ones(
        agency_a, agency_b, django_capture_on_commit_callbacks):
    trashed(agency_a, days_ago=31, title="A's old paper")
    trashed(agency_b, days_ago=31, title="B's old paper")
    closed = AgencyFactory(slug="closed", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        queued = tasks.purge_trash_of_all_agencies()

    assert queued == 2  # agency A and agency B, not the closed one
    assert titles(agency_a) == set() and titles(agency_b) == set()
    assert tasks.purge_trash.apply(kwargs={"agency_id": closed.pk}).get() is None


def test_the_purge_is_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["documents.purge_trash"]
    assert entry["task"] == "documents.tasks.purge_trash_of_all_agencies" == tasks.purge_trash_of_all_agencies.name
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {10}
