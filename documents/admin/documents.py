"""Appeal documents in the admin: the list, the upload page, a document's page, its downloads; the trash and the
appeal kits are pages of this admin too (``trash``, ``kits``).

* **Who.** Everyone of the agency reads and downloads the documents of the stores they see (an operator: the
  documents that serve one of their stores; ``TenantAdmin`` narrows through ``AppealDocument.store_path``). Owners,
  managers and operators upload, change and move to the trash (``access.KEEP_DOCUMENTS``); viewers read.
* **The list** shows each document's freshness as the rules judge it today (``documents.freshness``, with the
  agency's ``TypeCatalogue`` read once per page), its current version's size by a subquery: a page costs the same
  few queries for ten documents or ten thousand.
* **Writes** go through the services (``forms.DocumentForm``). Deleting, from a document's page or the list's
  action, moves to the trash (``services.document_delete``); nothing here deletes a row.
* **Downloads** (``<id>/download/?version=<number>``, the current version without it; the list links each
  document's current file) check that the caller sees the document, record the download, then hand the file out
  (``storage.download_response``); any other id is a 404, and so is a document in the trash, as its page is (the
  trash lists it and restores it; the API answers the same).
* **Duplicates.** The upload's message and a document's versions name the earlier document with the same bytes only
  to a caller who sees it (``selectors.duplicates_seen``); to anyone else they say only that the client has the file.
* **Upload pages** take a body as large as the largest file (``upload_limit``); a larger one comes back to the same
  page with a message naming the limit.
"""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from accounts.models import Store
from accounts.platform.admin_filters import VisibleRowFilter
from accounts.platform.admin_site import TenantAdmin, site
from accounts.platform.ids import object_id_or_none
from accounts.selectors import visible_stores
from accounts.tenancy import caller_of

from .. import selectors, services, storage
from ..freshness import TONES, State
from ..models import AppealDocument, DocumentEvent, DocumentVersion
from ..uploads import upload_body_limit
from . import kits, trash
from .access import KEEP_DOCUMENTS
from .filters import FreshnessFilter, TypeFilter, catalogue_of
from .forms import DocumentForm
from .upload_limit import refusing_large_bodies

FRESHNESS_TONES = {state.value: TONES[state] for state in State}
#: How many lines of a document's trail its page shows (the newest).
TRAIL_SHOWN = 100
#: How many of a document's stores the list names (the others are counted).
STORES_NAMED = 2


def download_url(document_id, number=None):
    url = reverse("admin:documents_appealdocument_download", args=[document_id])
    return f"{url}?version={number}" if number is not None else url


def event_detail(event):
    """A line of the trail's detail as a person reads it: a change names each detail by its label, in the reader's
    language (the service records ``name: old → new; …``, or the name alone)."""
    if event.action != DocumentEvent.Action.CHANGED:
        return event.detail
    parts = []
    for part in filter(None, (part.strip() for part in event.detail.split(";"))):
        name, colon, change = part.partition(":")
        try:
            label = str(AppealDocument._meta.get_field(name.strip()).verbose_name)
        except FieldDoesNotExist:
            parts.append(part)
        else:
            parts.append(f"{label}:{change}" if colon else label)
    return "; ".join(parts)


def judge(request, documents):
    """Give each of ``documents`` its ``judged`` freshness and ``type_label`` by its agency's catalogue (the
    caller's; per agency in the platform's view across agencies)."""
    catalogues = {}
    own = catalogue_of(request)
    for document in documents:
        catalogue = own
        if catalogue is None:
            catalogue = catalogues.get(document.agency_id)
            if catalogue is None:
                catalogue = catalogues[document.agency_id] = selectors.type_catalogue(agency=document.agency)
        document.judged = catalogue.freshness(document)
        document.type_label = catalogue.label(document.type_code)
    return documents


def move_to_trash(model_admin, request, queryset):
    """Django's ``delete_selected`` (its confirmation page, then ``delete_queryset``), with the trash's days on the
    confirmation page."""
    response = delete_selected(model_admin, request, queryset)
    if isinstance(response, TemplateResponse):
        response.context_data.update(model_admin.trash_days(request))
    return response


class JudgedChangeList:
    """A change list whose page of documents is judged (``judge``) once it is read."""

    def get_results(self, request):
        super().get_results(request)
        judge(request, self.result_list)


@admin.register(AppealDocument, site=site)
class AppealDocumentAdmin(TenantAdmin):
    form = DocumentForm
    write_power = KEEP_DOCUMENTS
    request_body_limit = staticmethod(upload_body_limit)
    # Fits 1280 px in both languages: the client goes under the document's title.
    list_display = ("document_label", "type_name", "store_names", "freshness_label", "good_until",
                    "current_file", "updated")
    list_display_links = ("document_label",)
    list_filter = (("client", VisibleRowFilter), TypeFilter, FreshnessFilter,
                   ("stores", VisibleRowFilter))
    list_filter_submit = True
    search_fields = ("title", "tags", "notes")
    search_help_text = _("Searches titles, tags and notes.")
    autocomplete_fields = ("client", "stores")
    list_per_page = 50
    list_before_template = "documents/document_list_tools.html"
    change_form_after_template = "documents/document_history.html"
    delete_confirmation_template = "documents/trash_confirmation.html"
    delete_selected_confirmation_template = "documents/trash_selected_confirmation.html"

    class Media:
        css = {"all": ("documents/documents.css",)}

    # -- the list ------------------------------------------------------------------------------------------------
    def get_queryset(self, request):
        """The caller's documents out of the trash, with what the list shows: the client, the stores the caller
        sees, and the current version's number and size."""
        current = DocumentVersion.objects.filter(agency=OuterRef("agency"), document=OuterRef("pk")).order_by(
            "-number")
        documents = super().get_queryset(request).filter(deleted_at__isnull=True).select_related("client")
        caller = caller_of(request)
        if caller.agency is not None:
            shown = visible_stores(agency=caller.agency, caller=caller).order_by("name")
            documents = documents.prefetch_related(Prefetch("stores", queryset=shown, to_attr="stores_shown"))
        else:
            documents = documents.select_related("agency").prefetch_related(
                Prefetch("stores", queryset=Store.objects.order_by("name"), to_attr="stores_shown"))
        return documents.annotate(current_number=Subquery(current.values("number")[:1]),
                                  current_size=Subquery(current.values("size")[:1]))

    def get_changelist(self, request, **kwargs):
        base = super().get_changelist(request, **kwargs)
        return type("DocumentChangeList", (JudgedChangeList, base), {})

    @display(description=_("document"), ordering="title", header=True)
    def document_label(self, obj):
        return obj.title, obj.client.name

    @admin.display(description=_("type"), ordering="type_code")
    def type_name(self, obj):
        return obj.type_label

    @admin.display(description=_("stores"))
    def store_names(self, obj):
        """The first stores the document serves (of those the caller sees), the others counted."""
        names = [store.name for store in obj.stores_shown]
        if len(names) <= STORES_NAMED:
            return ", ".join(names) or "—"
        more = gettext("+%(count)s more") % {"count": len(names) - STORES_NAMED}
        return format_html('<span title="{}">{} {}</span>', ", ".join(names), ", ".join(names[:STORES_NAMED]), more)

    @admin.display(description=_("stores"))
    def served_stores(self, obj):
        return ", ".join(str(store) for store in obj.stores_shown) or "—"

    @display(description=_("freshness"), label=FRESHNESS_TONES)
    def freshness_label(self, obj):
        return obj.judged.state, State(obj.judged.state).label

    @admin.display(description=_("good until"))
    def good_until(self, obj):
        until = obj.judged.good_until
        return date_format(until, "SHORT_DATE_FORMAT") if until else "—"

    @admin.display(description=_("current file"), ordering="current_size")
    def current_file(self, obj):
        """A link to download the current version, and its size."""
        if obj.current_number is None:
            return "—"
        return format_html('<a class="documents-link document-download" href="{}">{}</a>'
                           '<span class="documents-secondary" title="{}">{}</span>',
                           download_url(obj.pk), gettext("Download"),
                           gettext("version %(number)s") % {"number": obj.current_number},
                           filesizeformat(obj.current_size))

    @admin.display(description=_("updated"), ordering="updated_at")
    def updated(self, obj):
        return date_format(timezone.localtime(obj.updated_at), "SHORT_DATE_FORMAT")

    def get_actions(self, request):
        """Django's "delete selected", which moves to the trash here (``delete_queryset``), named for what it does."""
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _function, name, _description = actions["delete_selected"]
            actions["delete_selected"] = (move_to_trash, name, _("Move the selected documents to the trash"))
        return actions

    # -- the form ------------------------------------------------------------------------------------------------
    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return (
                (None, {"fields": ("client", "served_stores", "type_name", "title", "issued_on", "expires_on")}),
                (_("Freshness"), {"fields": ("freshness_shown", "freshness_reason")}),
                (_("Notes"), {"fields": ("notes", "tag_list")}),
            )
        fieldsets = [
            (None, {"fields": ("client", "stores", "type_code", "title", "issued_on", "expires_on")}),
            (_("Notes"), {"fields": ("notes", "tags")}),
            (_("File") if obj is None else _("New version"), {"fields": ("file",)}),
        ]
        if obj is not None:
            fieldsets.insert(1, (_("Freshness"), {"fields": ("freshness_shown", "freshness_reason")}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return ("freshness_shown", "freshness_reason") if obj is not None else ()

    @admin.display(description=_("freshness"))
    def freshness_shown(self, obj):
        state = obj.judged.state
        return render_to_string("unfold/helpers/label.html", {"type": TONES[state], "text": State(state).label})

    @admin.display(description=_("why"))
    def freshness_reason(self, obj):
        return obj.judged.reason

    @admin.display(description=_("tags"))
    def tag_list(self, obj):
        return ", ".join(obj.tags or []) or "—"

    def get_object(self, request, object_id, from_field=None):
        document = super().get_object(request, object_id, from_field)
        if document is not None:
            judge(request, [document])
        return document

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        catalogue = catalogue_of(request)
        return type(form.__name__, (form,), {"caller": caller_of(request),
                                             "kinds": catalogue.kinds if catalogue is not None else {}})

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """The stores a document serves: the caller's visible stores, found by typing (the services check that
        they are the client's)."""
        if db_field.name != "stores":
            return super().formfield_for_manytomany(db_field, request, **kwargs)
        return db_field.formfield(queryset=self.related_choices(request, Store).order_by("name"),
                                  widget=AutocompleteSelectMultiple(db_field, self.admin_site),
                                  help_text=_("The stores of the client this paper serves."))

    def get_changeform_initial_data(self, request):
        """The upload page filled in from its address (the store page's links); a client or store that cannot be an
        id is left out rather than looked up."""
        initial = super().get_changeform_initial_data(request)
        if "client" in initial and object_id_or_none(initial["client"]) is None:
            del initial["client"]
        if "stores" in initial:
            initial["stores"] = [value for value in initial["stores"] if object_id_or_none(value) is not None]
        return initial

    def save_model(self, request, obj, form, change):
        """Nothing left to save: validating the form wrote through the services (``forms.DocumentForm``); say what
        was stored."""
        version = form.stored_version
        if version is None:
            return
        if change:
            messages.success(request, gettext("Version %(number)s (“%(name)s”) is now the current file.")
                             % {"number": version.number, "name": version.original_name})
        if version.duplicate_of_id is None:
            return
        caller = caller_of(request)
        earlier = selectors.duplicates_seen(agency=caller.agency, caller=caller, versions=[version]).get(version.pk)
        if earlier is None:
            messages.warning(request, gettext("The same file is already stored for this client."))
        else:
            messages.warning(request, gettext("The same file is already kept: version %(number)s of “%(title)s”.")
                             % {"number": earlier.number, "title": earlier.document.title})

    def save_related(self, request, form, formsets, change):
        """The stores were written by the services with the document."""

    # -- a document's page ---------------------------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = dict(extra_context or {})
        document = self.get_object(request, unquote(object_id)) if object_id else None
        caller = caller_of(request)
        if document is not None and caller.agency is not None:
            versions = list(selectors.document_versions(agency=caller.agency, document=document)
                            .select_related("uploaded_by_key"))
            duplicates = selectors.duplicates_seen(agency=caller.agency, caller=caller, versions=versions)
            for version in versions:
                version.download_url = download_url(document.pk, version.number)
                version.duplicate_seen = duplicates.get(version.pk)  # None: not a duplicate, or of a paper not seen
            trail = list(DocumentEvent.objects.filter(agency=caller.agency, document=document)
                         .select_related("actor", "api_key", "version").order_by("-at", "-pk")[:TRAIL_SHOWN])
            for event in trail:
                event.detail_shown = event_detail(event)
            context.update(document_versions=versions, document_trail=trail)
        return super().change_view(request, object_id, form_url, context)

    # -- moving to the trash -------------------------------------------------------------------------------------
    def get_deleted_objects(self, objs, request):
        """The documents themselves: nothing else goes, their versions and trail stay with them in the trash."""
        documents = list(objs)
        return [str(document) for document in documents], {}, set(), []

    def delete_model(self, request, obj):
        caller = caller_of(request)
        services.document_delete(agency=caller.agency, caller=caller, document=obj)

    def delete_queryset(self, request, queryset):
        caller = caller_of(request)
        for document in queryset:
            services.document_delete(agency=caller.agency, caller=caller, document=document)

    def delete_view(self, request, object_id, extra_context=None):
        return super().delete_view(request, object_id, {**self.trash_days(request), **(extra_context or {})})

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**self.trash_days(request), **(extra_context or {})})

    @staticmethod
    def trash_days(request):
        catalogue = catalogue_of(request)
        return {"trash_days": catalogue.policy.trash_days if catalogue is not None else None}

    def response_delete(self, request, obj_display, obj_id):
        messages.success(request, gettext("“%(title)s” is in the trash: a manager can restore it from there.")
                         % {"title": obj_display})
        return HttpResponseRedirect(reverse("admin:documents_appealdocument_changelist"))

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # Django's "Successfully deleted N documents" after the list's action: they were moved, not deleted.
        if request.POST.get("action") == "delete_selected" and request.POST.get("post") and level == messages.SUCCESS:
            message = gettext("The selected documents are in the trash: a manager can restore them from there.")
        super().message_user(request, message, level, *args, **kwargs)

    # -- routes --------------------------------------------------------------------------------------------------
    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"

        own = [
            path("kits/", self.admin_route(self.kits_view), name=f"{prefix}_kits"),
            path("trash/", self.admin_route(self.trash_view), name=f"{prefix}_trash"),
            path("<path:object_id>/download/", self.admin_route(self.download_view), name=f"{prefix}_download"),
        ]
        upload_pages = {f"{prefix}_add", f"{prefix}_change"}
        return own + [refusing_large_bodies(self, route) if getattr(route, "name", None) in upload_pages else route
                      for route in super().get_urls()]

    def context(self, request, *, title, **extra):
        """The context of a page of this admin of our own: the theme's frame, headed by ``title`` alone (the theme
        heads a page that names a model's options with the model's name instead)."""
        request.current_app = self.admin_site.name
        return {**self.admin_site.each_context(request), "title": title, "content_title": title,
                "has_view_permission": True, **extra}

    def download_view(self, request, object_id):
        """The file of a version of a document the caller sees, recorded as downloaded; a 404 for any other id or
        version number, and for a document in the trash (as its page and the API's download are)."""
        caller = caller_of(request)
        document_id = object_id_or_none(unquote(object_id))
        if caller.agency is None or document_id is None:
            raise Http404
        documents = selectors.visible_documents(agency=caller.agency, caller=caller, trash=False)
        document = documents.filter(pk=document_id).first()
        if document is None:
            raise Http404
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        versions = DocumentVersion.objects.filter(agency=caller.agency, document=document)
        asked = request.GET.get("version")
        if asked:
            number = object_id_or_none(asked)
            version = versions.filter(number=number).first() if number is not None else None
        else:
            version = versions.order_by("-number").first()
        if version is None:
            raise Http404
        version.document = document
        services.document_download_record(agency=caller.agency, caller=caller, version=version)
        return storage.download_response(version)

    def kits_view(self, request):
        return kits.kits_page(self, request)

    def trash_view(self, request):
        return trash.trash_page(self, request)
