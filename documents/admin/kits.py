"""The appeal kits page (``/admin/documents/appealdocument/kits/``): every store the caller sees (an operator: their
own) with the state of each type of the agency's kit, each a link to the document that decides it or, when it is
missing, to the upload page filled in for that store; "missing or stale" narrows it to the stores that are not ready.

The kits are ``selectors.appeal_kits`` of the stores: the same few queries (the stores, the agency's types and
policy, the documents) for ten stores or ten thousand. ``kit_cells`` is how a kit reads on this page and on the
store page's panel.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.selectors import visible_stores
from accounts.tenancy import caller_of

from .. import selectors
from ..freshness import TONES, KitState
from .filters import catalogue_of

KIT_PARAMETER = "kit"
INCOMPLETE = "incomplete"
SEARCH_PARAMETER = "q"
PAGE_PARAMETER = "p"
STORES_PER_PAGE = 50


def change_url(document):
    return reverse("admin:documents_appealdocument_change", args=[document.pk])


def add_url(*, client_id, store_id=None, type_code=None):
    """The upload page, filled in with the client, the store and the type (those given)."""
    query = {"client": client_id}
    if store_id is not None:
        query["stores"] = store_id
    if type_code:
        query["type_code"] = type_code
    return f"{reverse('admin:documents_appealdocument_add')}?{urlencode(query)}"


def store_documents_url(store):
    """The documents' list narrowed to those that serve ``store``."""
    return f"{reverse('admin:documents_appealdocument_changelist')}?{urlencode({'stores__id__exact': store.pk})}"


def kit_cells(kit, *, store, catalogue):
    """Each item of ``store``'s ``kit`` as a page shows it: its type's label, its state's label and tone, the
    document that decides it (with its link and why it is in that state), and the upload page for that type."""
    cells = []
    for item in kit.items:
        document = item.document
        cells.append({
            "type_code": item.type_code,
            "type_label": catalogue.label(item.type_code),
            "state": item.state,
            "label": KitState(item.state).label,
            "tone": TONES[item.state],
            "document": document,
            "url": change_url(document) if document is not None else "",
            "reason": item.freshness.reason if item.freshness is not None else "",
            "add_url": add_url(client_id=store.client_id, store_id=store.pk, type_code=item.type_code),
        })
    return cells


def _stores(request, caller):
    stores = visible_stores(agency=caller.agency, caller=caller).select_related("client")
    term = request.GET.get(SEARCH_PARAMETER, "").strip()
    if term:
        stores = stores.filter(Q(name__icontains=term) | Q(seller_id__icontains=term) | Q(client__name__icontains=term))
    return stores.order_by("client__name", "name", "pk"), term


def kits_page(model_admin, request):
    """The page (GET only: it writes nothing)."""
    caller = caller_of(request)
    catalogue = catalogue_of(request)
    rows, required, term = [], [], ""
    only_incomplete = request.GET.get(KIT_PARAMETER) == INCOMPLETE
    counts = {"stores": 0, "ready": 0, "incomplete": 0}
    if catalogue is not None:
        stores, term = _stores(request, caller)
        stores = list(stores)
        kits = selectors.appeal_kits(agency=caller.agency, store_ids=[store.pk for store in stores],
                                     catalogue=catalogue)
        required = [(code, catalogue.label(code)) for code in catalogue.policy.appeal_kit if code in catalogue.kinds]
        for store in stores:
            kit = kits[store.pk]
            incomplete = bool(kit.missing or kit.stale)
            counts["stores"] += 1
            counts["incomplete" if incomplete else "ready"] += 1
            if incomplete or not only_incomplete:
                rows.append((store, kit))
    page = Paginator(rows, STORES_PER_PAGE).get_page(request.GET.get(PAGE_PARAMETER))
    # Only the page's stores are laid out (the counts above are of all of them).
    page.object_list = [{"store": store, "kit": kit, "cells": kit_cells(kit, store=store, catalogue=catalogue),
                         "store_url": reverse("admin:accounts_store_change", args=[store.pk]),
                         "documents_url": store_documents_url(store)} for store, kit in page.object_list]
    base = {SEARCH_PARAMETER: term} if term else {}
    context = model_admin.context(
        request, title=_("Appeal kits"), page=page, required=required, counts=counts,
        only_incomplete=only_incomplete, term=term, search_parameter=SEARCH_PARAMETER,
        all_url=f"?{urlencode(base)}", incomplete_url=f"?{urlencode({**base, KIT_PARAMETER: INCOMPLETE})}",
        page_query=urlencode({**base, **({KIT_PARAMETER: INCOMPLETE} if only_incomplete else {})}),
        page_parameter=PAGE_PARAMETER, policy_url=reverse("admin:documents_documentpolicy_changelist"))
    return TemplateResponse(request, "documents/kits.html", context)
