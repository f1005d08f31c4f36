"""The documents' trail in the admin: every upload, new version, download, change, deletion and restoration of the
agency's documents, newest first, read only. Who asked for the ID card last week, and who deleted that invoice:
one page, filtered by action and searched by document, person or file name. Operators see the trail of the
documents of their stores (``DocumentEvent.store_path``)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from accounts.platform.admin_site import ReadOnlyAdminMixin, TenantAdmin, site

from ..models import DocumentEvent


@admin.register(DocumentEvent, site=site)
class DocumentEventAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("at", "document_link", "action", "version_number", "who", "detail")
    list_filter = ("action", ("at", admin.DateFieldListFilter))
    search_fields = ("document_title", "actor__email", "api_key__name", "detail")
    search_help_text = _("Searches document titles, people, API keys and file names.")
    list_select_related = ("document", "version", "actor", "api_key")
    ordering = ("-at", "-pk")
    fields = ("at", "document_link", "action", "version_number", "who", "detail")
    readonly_fields = fields
    actions = None

    @display(description=_("document"), ordering="document_title")
    def document_link(self, event):
        if event.document_id is None:
            return format_html("{} ({})", event.document_title, _("removed for good"))
        if event.document.in_trash:
            return format_html("{} ({})", event.document.title, _("in the trash"))
        url = reverse("admin:documents_appealdocument_change", args=[event.document_id])
        return format_html('<a href="{}">{}</a>', url, event.document.title)

    @display(description=_("version"))
    def version_number(self, event):
        return event.version.number if event.version_id else "—"

    @display(description=_("by"))
    def who(self, event):
        if event.actor_id:
            return event.actor.get_full_name() or event.actor.email
        if event.api_key_id:
            return _("API key “%(name)s”") % {"name": event.api_key.name}
        return _("the product")
