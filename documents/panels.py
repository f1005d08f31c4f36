"""The store page's "Appeal kit" panel (``accounts.extensions.StorePanel``): the store's kit by the agency's policy,
each required type ready, expiring, stale, expired or missing, with the document that decides it and why, a link to
upload one for the store's client, and to every document that serves the store.

The store page is scoped already (another agency's store, or an operator's colleague's, is a 404 before any panel
renders); the panel reads that store's kit only, with the agency named explicitly: the agency's types and policy,
then the documents, three queries whatever the library holds.
"""

from django.template.loader import render_to_string

from accounts.tenancy import caller_of

from . import selectors
from .admin.access import KEEP_DOCUMENTS
from .admin.kits import add_url, kit_cells, store_documents_url
from .freshness import KitState


def render_appeal_kit_panel(*, request, store):
    """The panel's safe HTML for ``store``."""
    agency = store.agency
    catalogue = selectors.type_catalogue(agency=agency)
    kit = selectors.appeal_kit(agency=agency, store=store, catalogue=catalogue)
    cells = kit_cells(kit, store=store, catalogue=catalogue)
    counts = {state: sum(1 for cell in cells if cell["state"] == state) for state in KitState.values}
    return render_to_string("documents/panel_appeal_kit.html", {
        "store": store,
        "kit": kit,
        "cells": cells,
        "missing": counts[KitState.MISSING],
        "stale": counts[KitState.STALE] + counts[KitState.EXPIRED],
        "expiring": counts[KitState.EXPIRING_SOON],
        "ready": counts[KitState.READY],
        "may_upload": caller_of(request).can(KEEP_DOCUMENTS),
        "add_url": add_url(client_id=store.client_id, store_id=store.pk),
        "documents_url": store_documents_url(store),
    }, request=request)
