"""The library's list by store (``?stores__id__exact=``) keeps a document only for a store the person sees: a document
an operator reads because it serves their store is not found by another store it also serves, which would tell them
that store exists and what it is given (``accounts.platform.admin_filters.VisibleRowFilter``)."""

from documents import types
from tests.documents.factories import make_document

LIST = "/admin/documents/appealdocument/"


def listed(client, **query):
    """The titles of the documents the list shows."""
    return sorted(document.title for document in client.get(LIST, query).context["cl"].result_list)


def test_a_shared_document_is_found_by_the_operators_store_and_not_by_the_other_store_it_serves(agency_a, client_as):
    make_document(agency_a, stores=[agency_a.assigned_store, agency_a.other_store], title="Shared bill",
                  type_code=types.ADDRESS_PROOF)
    make_document(agency_a, store=agency_a.other_store, title="Licence of the unassigned store")
    operator, manager = client_as(agency_a.operator), client_as(agency_a.manager)

    assert listed(operator) == ["Shared bill"]
    assert listed(operator, stores__id__exact=agency_a.assigned_store.pk) == ["Shared bill"]
    assert listed(operator, stores__id__exact=agency_a.other_store.pk) == []
    assert listed(manager, stores__id__exact=agency_a.other_store.pk) == ["Licence of the unassigned store",
                                                                          "Shared bill"]
