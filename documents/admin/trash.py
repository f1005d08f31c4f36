"""The trash (``/admin/documents/appealdocument/trash/``): the documents moved to it, when and by whom, until when
each can be restored, and a "Restore" button; owners and managers only (``access.MANAGE_LIBRARY``), a 403 to
everyone else, whose sidebar does not offer it.

A restore is a POST of the document's id to the same page, through ``services.document_restore``; its refusals (past
the agency's days) are shown as messages, and an id that is not a document of the trash the caller sees is a 404.
A page of the trash reads the same few queries however many documents it holds.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.platform.ids import object_id_or_none
from accounts.tenancy import caller_of

from .. import selectors, services
from .access import MANAGE_LIBRARY
from .filters import catalogue_of

DOCUMENT_FIELD = "document"
SEARCH_PARAMETER = "q"
PAGE_PARAMETER = "p"
DOCUMENTS_PER_PAGE = 50


def trash_url():
    return reverse("admin:documents_appealdocument_trash")


def trash_page(model_admin, request):
    """The trash (GET), or a restore (POST) that comes back to it."""
    caller = caller_of(request)
    if not caller.can(MANAGE_LIBRARY):
        raise PermissionDenied
    if request.method == "POST":
        return _restore(request, caller)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    agency = caller.agency
    catalogue = catalogue_of(request)
    documents = (selectors.document_list(agency=agency, caller=caller, trash=True)
                 .select_related("deleted_by").order_by("-deleted_at", "-pk"))
    term = request.GET.get(SEARCH_PARAMETER, "").strip()
    if term:
        documents = documents.filter(title__icontains=term)
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get(PAGE_PARAMETER))
    now = timezone.now()
    rows = []
    for document in page.object_list:
        until = services.restorable_until(agency=agency, document=document, policy=catalogue.policy)
        current = document.versions_newest_first[0] if document.versions_newest_first else None
        rows.append({"document": document, "type_label": catalogue.label(document.type_code), "until": until,
                     "restorable": until >= now, "current": current, "stores": list(document.stores.all())})
    query = urlencode({SEARCH_PARAMETER: term}) if term else ""
    context = model_admin.context(
        request, title=_("Trash"), rows=rows, page=page, term=term, trash_days=catalogue.policy.trash_days,
        search_parameter=SEARCH_PARAMETER, page_parameter=PAGE_PARAMETER, page_query=query,
        document_field=DOCUMENT_FIELD, action_url=f"{trash_url()}?{request.GET.urlencode()}".rstrip("?"))
    return TemplateResponse(request, "documents/trash.html", context)


def _restore(request, caller):
    document_id = object_id_or_none(request.POST.get(DOCUMENT_FIELD, ""))
    documents = selectors.visible_documents(agency=caller.agency, caller=caller, trash=True)
    document = documents.filter(pk=document_id).first() if document_id is not None else None
    if document is None:
        raise Http404
    try:
        services.document_restore(agency=caller.agency, caller=caller, document=document)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        link = reverse("admin:documents_appealdocument_change", args=[document.pk])
        messages.success(request, format_html(gettext("“{}” is restored: it is back in the library."),
                                              format_html('<a href="{}">{}</a>', link, document.title)))
    back = request.GET.urlencode()
    return HttpResponseRedirect(f"{trash_url()}?{back}" if back else trash_url())
