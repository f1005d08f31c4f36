"""The documents' trail in the admin: every upload, download, deletion and removal, also of a document the trash
has purged; operators read the trail of their stores' documents only."""

from django.urls import reverse

from accounts.tenancy import Caller
from documents import services
from tests.documents.factories import make_document, moved_to_trash

TRAIL = reverse("admin:documents_documentevent_changelist")


def test_the_trail_names_a_purged_document_and_says_it_was_removed_for_good(agency_a, client_as,
                                                                            django_capture_on_commit_callbacks):
    owner = Caller.person(agency=agency_a.agency, user=agency_a.owner, role="owner")
    document = make_document(agency_a, title="Licence of 2019")
    with agency_a.scope():
        services.document_delete(agency=agency_a.agency, caller=owner, document=document)
        moved_to_trash(document, days_ago=40)
        with django_capture_on_commit_callbacks(execute=True):
            services.documents_purge_trash(agency=agency_a.agency)

    page = client_as(agency_a.manager).get(TRAIL).content.decode()

    assert page.count("Licence of 2019 (removed for good)") == 3  # uploaded, moved to the trash, removed
    assert "Removed for good" in page


def test_an_operator_reads_the_trail_of_their_stores_documents_only(agency_a, client_as):
    make_document(agency_a, store=agency_a.assigned_store, title="Paper of the assigned store")
    make_document(agency_a, store=agency_a.other_store, title="Paper of the colleague's store")

    page = client_as(agency_a.operator).get(TRAIL).content.decode()

    assert "Paper of the assigned store" in page
    assert "Paper of the colleague&#x27;s store" not in page and "Paper of the colleague's store" not in page
