"""The Seller Support section of the daily digest email (``accounts.extensions.digest_sections``): the cases to
follow up of the stores the recipient sees, by the same rule as the overview and the API
(``selectors.cases.cases_needing_follow_up``: waiting for Amazon longer than the agency's hours, or high or urgent),
urgent first, each with what it asks for (a chat when its store may chat now, else a follow-up on the case) and an
absolute link to its admin page (``settings.SITE_URL``: a digest is written without a request).

The section is in the recipient's language (their own choice, else the agency's), its HTML escapes every value it
shows, and it reads a fixed number of queries whatever the number of cases. It is ``None`` when the recipient is no
active member of the agency, or when no case of theirs is flagged.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.tenancy import Caller

from .overview import flagged_cases_url
from .selectors import cases as case_selectors

#: How many cases the section lists; the rest are behind a link to the case list filtered so.
LISTED = 20


class DigestSection:
    """A section of the digest email: its title, its HTML (safe: every value escaped) and its plain text."""

    def __init__(self, *, title, html, text):
        self.title, self.html, self.text = title, html, text


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def _line(item):
    case = item.case
    return {
        "title": f"{case.store.name} · {case.subject}",
        "case_id": case.display_case_id or _("no case id yet"),
        "what": f"{item.kind_label} · {case.get_priority_display()} · {case.get_status_display()}",
        "url": _absolute(reverse("admin:cases_supportcase_change", args=[case.pk])),
    }


def section(*, agency, recipient, since):
    """The recipient's ``DigestSection`` of cases to follow up, or ``None`` (see the module). ``since`` is not used:
    a flagged case is told every morning until someone acts on it. Called inside the agency's scope."""
    membership = Membership.objects.filter(agency=agency, user=recipient, is_active=True).first()
    if membership is None:
        return None
    caller = Caller.person(agency=agency, user=recipient, role=membership.role)
    with translation.override(recipient.language or agency.default_language):
        now = timezone.now()
        flagged = case_selectors.cases_needing_follow_up(agency=agency, caller=caller, now=now, limit=LISTED + 1)
        if not flagged:
            return None
        lines = [_line(item) for item in flagged[:LISTED]]
        title = _("Seller Support cases to follow up")
        list_url = _absolute(flagged_cases_url())
        more = len(flagged) > LISTED
        rows = format_html_join("", '<li><a href="{}">{}</a> · {}<br>{}</li>',
                                ((line["url"], line["title"], line["case_id"], line["what"]) for line in lines))
        more_html = format_html('<p><a href="{}">{}</a></p>', list_url, _("All the cases to follow up")) if more else ""
        html = format_html("<h2>{}</h2><ul>{}</ul>{}", title, rows, more_html)
        text = [str(title)]
        for line in lines:
            text += [f"- {line['title']} · {line['case_id']}", f"  {line['what']}", f"  {line['url']}"]
        if more:
            text.append(f"{_('All the cases to follow up')}: {list_url}")
        return DigestSection(title=str(title), html=str(html), text="\n".join(text))
