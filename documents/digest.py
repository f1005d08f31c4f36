"""The appeal documents' section of the daily digest email (``accounts.extensions.digest_sections``).

``section(*, agency, recipient, since)`` lists, of the documents that serve a store the recipient sees:

1. those that **went bad since the last digest**: expired or stale, their last good day falling on or after
   ``since`` (its day in the agency's time zone) and before today, so that each is told once, the morning after;
2. those **expiring soon** (within the agency's warning window), every morning until they are replaced.

Freshness is judged by the rules (``selectors.documents_needing_attention``), never here. Each line links to the
document's admin page by an absolute URL (``settings.SITE_URL``: a digest is written without a request to take
the host from) and names only the stores the recipient sees. The section is in the recipient's language (their
own choice, else the agency's), its HTML escapes every value it shows, and it reads a fixed number of queries
whatever the number of documents. It is ``None`` when the recipient is no active member of the agency, or when
nothing needs them.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.selectors import visible_stores
from accounts.tenancy import Caller

from . import overview, selectors
from .admin.filters import NEEDING_ATTENTION
from .freshness import State
from .models import DocumentStore

#: How many documents each list shows; the rest are behind a link to the library's list filtered by freshness.
LISTED = 20
#: How many of a document's stores a line names (then how many more).
STORES_NAMED = 5
WENT_BAD = (State.EXPIRED, State.STALE)


@dataclass(frozen=True)
class DigestSection:
    """A section of the digest email: its title, its HTML (safe: every value escaped) and its plain text."""

    title: str
    html: str
    text: str


@dataclass(frozen=True)
class _Line:
    title: str
    kind: str
    client: str
    stores: str
    reason: str
    url: str


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def since_day(*, agency, since):
    """The day of ``since`` (an aware or naive datetime, or a date) in the agency's time zone."""
    if not isinstance(since, datetime.datetime):
        return since
    if timezone.is_naive(since):
        since = timezone.make_aware(since)
    return since.astimezone(zoneinfo.ZoneInfo(agency.time_zone)).date()


def _store_names(*, agency, caller, document_ids):
    """``{document id: "store, store"}``: the stores each document serves that ``caller`` sees (one query)."""
    names = {}
    links = (DocumentStore.objects.filter(agency=agency, document_id__in=document_ids,
                                          store__in=visible_stores(agency=agency, caller=caller).values("pk"))
             .order_by("store__name").values_list("document_id", "store__name"))
    for document_id, name in links:
        names.setdefault(document_id, []).append(name)
    return {document_id: ", ".join(stores[:STORES_NAMED]) + (f" (+{len(stores) - STORES_NAMED})"
                                                            if len(stores) > STORES_NAMED else "")
            for document_id, stores in names.items()}


def _lines(items, *, agency, caller, catalogue):
    listed = items[:LISTED]
    stores = _store_names(agency=agency, caller=caller, document_ids=[item.document.pk for item in listed])
    return [_Line(title=item.document.title, kind=str(catalogue.label(item.document.type_code)),
                  client=item.document.client.name, stores=stores.get(item.document.pk, ""),
                  reason=str(item.freshness.reason),
                  url=_absolute(reverse("admin:documents_appealdocument_change", args=[item.document.pk])))
            for item in listed]


def _html_list(heading, lines, more, library_url):
    rows = format_html_join(
        "", '<li><a href="{}">{}</a> · {} · {} · {}<br>{}</li>',
        ((line.url, line.title, line.kind, line.client, line.stores, line.reason) for line in lines))
    more_html = ""
    if more:
        more_html = format_html('<p><a href="{}">{}</a></p>', library_url,
                                _("… and %(count)s more in the library") % {"count": more})
    return format_html("<h3>{}</h3><ul>{}</ul>{}", heading, rows, more_html)


def _text_list(heading, lines, more, library_url):
    text = [heading]
    for line in lines:
        text.append(f"- {line.title} · {line.kind} · {line.client} · {line.stores}")
        text.append(f"  {line.reason}")
        text.append(f"  {line.url}")
    if more:
        text.append(_("… and %(count)s more in the library") % {"count": more} + f": {library_url}")
    return "\n".join(text)


def section(*, agency, recipient, since):
    """The recipient's ``DigestSection`` of appeal documents since ``since`` (see the module), or ``None``. Called
    inside the agency's scope (the digest's task runs in it)."""
    membership = Membership.objects.filter(agency=agency, user=recipient, is_active=True).first()
    if membership is None:
        return None
    caller = Caller.person(agency=agency, user=recipient, role=membership.role)
    with translation.override(recipient.language or agency.default_language):
        catalogue = selectors.type_catalogue(agency=agency)
        first_day = since_day(agency=agency, since=since)
        found = selectors.documents_needing_attention(agency=agency, caller=caller, catalogue=catalogue)
        went_bad = [item for item in found if item.freshness.state in WENT_BAD
                    and item.freshness.good_until is not None
                    and first_day <= item.freshness.good_until < catalogue.today]
        expiring = [item for item in found if item.freshness.state == State.EXPIRING_SOON]
        if not went_bad and not expiring:
            return None
        title = _("Appeal documents")
        parts = []
        if went_bad:
            parts.append((_("Expired or went stale since %(date)s") % {"date": first_day.isoformat()},
                          _lines(went_bad, agency=agency, caller=caller, catalogue=catalogue),
                          max(0, len(went_bad) - LISTED), _absolute(overview.documents_url(NEEDING_ATTENTION))))
        if expiring:
            parts.append((_("Expiring soon"), _lines(expiring, agency=agency, caller=caller, catalogue=catalogue),
                          max(0, len(expiring) - LISTED), _absolute(overview.documents_url(State.EXPIRING_SOON))))
        html = format_html("<h2>{}</h2>{}", title, format_html_join(
            "", "{}", ((_html_list(*part),) for part in parts)))
        text = "\n\n".join([title] + [_text_list(*part) for part in parts])
        return DigestSection(title=str(title), html=str(html), text=text)
