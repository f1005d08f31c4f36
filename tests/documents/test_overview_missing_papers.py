"""The overview's "Documents going stale" also says how many stores lack a paper of their appeal kit: a store with no
ID card at all needs attention as much as one whose ID card expired."""

import re

from accounts.tenancy import Caller
from documents import selectors, services, types
from tests.documents.factories import make_document

KIT = (types.LEGAL_REPRESENTATIVE_ID, types.BUSINESS_LICENCE, types.ADDRESS_PROOF, types.SUPPLIER_INVOICE)


def missing_count(page):
    found = re.search(r'id="overview-documents-missing"[^>]*data-count="(\d+)"', page)
    return int(found.group(1)) if found else 0


def test_stores_lacking_a_paper_of_their_kit_are_counted_for_each_reader_by_the_stores_they_see(agency_a, client_as):
    for code in KIT:
        make_document(agency_a, store=agency_a.assigned_store, type_code=code, title=f"{code} of the assigned store")
    make_document(agency_a, store=agency_a.other_store, type_code=types.BUSINESS_LICENCE, title="Licence only")

    assert missing_count(client_as(agency_a.manager).get("/admin/").content.decode()) == 1
    assert missing_count(client_as(agency_a.operator).get("/admin/").content.decode()) == 0


def test_a_paper_in_the_trash_does_not_fill_the_kit(agency_a):
    owner = Caller.person(agency=agency_a.agency, user=agency_a.owner, role="owner")
    papers = [make_document(agency_a, stores=[agency_a.assigned_store, agency_a.other_store], type_code=code,
                            title=f"{code} of both stores") for code in KIT]
    with agency_a.scope():
        assert selectors.stores_missing_kit_papers(agency=agency_a.agency, caller=owner) == 0
        services.document_delete(agency=agency_a.agency, caller=owner, document=papers[0])
        assert selectors.stores_missing_kit_papers(agency=agency_a.agency, caller=owner) == 2
