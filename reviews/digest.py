"""The monthly review's section of the daily digest email (``accounts.extensions.digest_sections``): the overdue
reviews (``selectors.overdue_reviews``: the cycle's due day is over and the reviewer still owes them) of the stores
the recipient sees. An operator is told of their stores' reviews; a manager (or an owner) of all of them, the
managers' queue (reviews nobody is assigned) named as such. Viewers work on no review: they get no section.

Each line names the store, its client, the month, the due date, the status and the reviewer, with an absolute link to
the review's admin page (``settings.SITE_URL``: a digest is written without a request). The section is in the
recipient's language (their own choice, else the agency's), its HTML escapes every value it shows, and it reads a
fixed number of queries whatever the number of reviews (the membership, a capped list, its count). It is ``None``
when the recipient is no active member of the agency, may not work on reviews, or has nothing overdue.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.tenancy import Caller

from . import selectors
from .admin.filters import OVERDUE, YES, review_list_url
from .powers import WORK_ON_REVIEWS

#: How many reviews the section lists; the rest are behind a link to the review list filtered so.
LISTED = 20


@dataclass(frozen=True)
class DigestSection:
    """A section of the digest email: its title, its HTML (safe: every value escaped) and its plain text."""

    title: str
    html: str
    text: str


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def _line(review):
    reviewer = str(review.reviewer) if review.reviewer is not None else _("Managers' queue")
    return {
        "title": f"{review.store.name} · {review.store.client.name}",
        "what": _("%(month)s, due %(due)s · %(status)s · %(reviewer)s") % {
            "month": review.cycle, "due": review.cycle.due_on.isoformat(), "status": review.get_status_display(),
            "reviewer": reviewer},
        "url": _absolute(reverse("admin:reviews_storereview_change", args=[review.pk])),
    }


def section(*, agency, recipient, since):
    """The recipient's ``DigestSection`` of overdue reviews, or ``None`` (see the module). ``since`` is not used: an
    overdue review is told every morning until it is submitted. Called inside the agency's scope."""
    membership = Membership.objects.filter(agency=agency, user=recipient, is_active=True).first()
    if membership is None:
        return None
    caller = Caller.person(agency=agency, user=recipient, role=membership.role)
    if not caller.can(WORK_ON_REVIEWS):
        return None
    with translation.override(recipient.language or agency.default_language):
        overdue = selectors.overdue_reviews(agency=agency, caller=caller, today=agency.today())
        listed = list(overdue[:LISTED])
        if not listed:
            return None
        total = overdue.count() if len(listed) == LISTED else len(listed)
        lines = [_line(review) for review in listed]
        title = _("Overdue monthly reviews")
        list_url = _absolute(review_list_url(**{OVERDUE: YES}))
        rows = format_html_join("", '<li><a href="{}">{}</a><br>{}</li>',
                                ((line["url"], line["title"], line["what"]) for line in lines))
        more = total - len(lines)
        more_text = _("… and %(count)s more overdue reviews") % {"count": more} if more else ""
        more_html = format_html('<p><a href="{}">{}</a></p>', list_url, more_text) if more else ""
        html = format_html("<h2>{}</h2><ul>{}</ul>{}", title, rows, more_html)
        text = [str(title)]
        for line in lines:
            text += [f"- {line['title']}", f"  {line['what']}", f"  {line['url']}"]
        if more:
            text.append(f"{more_text}: {list_url}")
        return DigestSection(title=str(title), html=str(html), text="\n".join(text))
