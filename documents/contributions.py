"""What the appeal-document library contributes through the extension seam (``accounts.extensions``): the sidebar's
Documents group, the store page's appeal kit panel, the overview's "Documents going stale", the daily digest's
section of documents that expire or went stale, and the demo library."""

from django.utils.translation import gettext_lazy as _

from accounts import extensions
from accounts.platform.navigation import NavigationGroup, NavigationItem

from . import demo, digest, overview
from .admin.access import may_manage_library
from .panels import render_appeal_kit_panel

extensions.admin_navigation.contribute(NavigationGroup(title=_("Documents"), order=50, items=(
    NavigationItem(title=_("Appeal documents"), icon="folder_open", model="documents.AppealDocument"),
    NavigationItem(title=_("Appeal kits"), icon="fact_check", url_name="documents_appealdocument_kits"),
    NavigationItem(title=_("Trash"), icon="delete", url_name="documents_appealdocument_trash",
                   permission=may_manage_library),
    NavigationItem(title=_("Document trail"), icon="history", model="documents.DocumentEvent"),
    NavigationItem(title=_("Document types"), icon="category", model="documents.DocumentType"),
    NavigationItem(title=_("Document policy"), icon="tune", model="documents.DocumentPolicy"),
)))
extensions.store_panels.contribute(extensions.StorePanel(title=_("Appeal kit"), render=render_appeal_kit_panel))
extensions.overview_sections.contribute(extensions.OverviewSection(
    title=overview.TITLE, order=40, render=overview.render_documents_going_stale))
extensions.digest_sections.contribute(digest.section)
extensions.demo_data.contribute(demo.load)
