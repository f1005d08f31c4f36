"""The overview page's section "Documents going stale" (``accounts.extensions.OverviewSection``, order 40): the
documents the person sees (an operator: those of their stores) that are expired, stale or expiring soon, worst and
soonest first, each with why and until when it is good, linking to its page; how many there are of each, each a link
to the documents' list filtered by that freshness; a capped list.

It reads ``selectors.documents_needing_attention`` with the agency's catalogue: three queries whatever the number of
documents (the types, the policy, the dated documents), and one more for how many stores lack a paper of their appeal
kit (linking to the appeal kits that are not ready).
"""

from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import caller_of

from . import selectors
from .admin.filters import FRESHNESS_PARAMETER, NEEDING_ATTENTION
from .admin.kits import INCOMPLETE, KIT_PARAMETER
from .freshness import TONES, State

#: How many documents the section lists; the rest are behind the counts' links.
LISTED = 10
TITLE = _("Documents going stale")
#: The states the section counts, worst first.
COUNTED = (State.EXPIRED, State.STALE, State.EXPIRING_SOON)


def documents_url(state=None):
    """The documents' list, filtered by freshness ``state``."""
    url = reverse("admin:documents_appealdocument_changelist")
    return f"{url}?{urlencode({FRESHNESS_PARAMETER: state})}" if state else url


def _row(catalogue, item):
    document, judged = item.document, item.freshness
    return {
        "document": document,
        "url": reverse("admin:documents_appealdocument_change", args=[document.pk]),
        "type_label": catalogue.label(document.type_code),
        "state": judged.state,
        "label": State(judged.state).label,
        "tone": TONES[judged.state],
        "reason": judged.reason,
    }


def render_documents_going_stale(*, request, agency):
    """The section's safe HTML for the request's caller, or "" when none of their documents needs attention and
    every store they see has a paper of each type of its kit."""
    caller = caller_of(request)
    catalogue = selectors.type_catalogue(agency=agency)
    found = selectors.documents_needing_attention(agency=agency, caller=caller, catalogue=catalogue)
    missing = selectors.stores_missing_kit_papers(agency=agency, caller=caller, catalogue=catalogue)
    if not found and not missing:
        return ""
    kits_url = reverse("admin:documents_appealdocument_kits")
    counted = {state: sum(1 for item in found if item.freshness.state == state) for state in COUNTED}
    return render_to_string("documents/overview_going_stale.html", {
        "rows": [_row(catalogue, item) for item in found[:LISTED]],
        "counts": [{"state": state, "label": state.label, "count": counted[state], "tone": TONES[state],
                    "url": documents_url(state)} for state in COUNTED],
        "more": max(len(found) - LISTED, 0),
        "more_url": documents_url(NEEDING_ATTENTION),
        "kits_url": kits_url,
        "stores_missing": missing,
        "stores_missing_url": f"{kits_url}?{urlencode({KIT_PARAMETER: INCOMPLETE})}",
    }, request=request)
