"""The overview page's section "Cases to follow up" (``accounts.extensions.OverviewSection``, order 30): the cases of
the stores the person sees (an operator: theirs) that the follow-up rule flags (``moves.needs_follow_up``: waiting
for Amazon longer than the agency's hours, or high or urgent), urgent first, then the longest waiting, each with
what it asks for (a chat when its store may chat now, else a follow-up on the case) and a link to its page; how
many there are, linking to the case list filtered so. Left out when none is flagged.

It reads ``selectors.cases.cases_needing_follow_up``, capped, plus one count: a fixed number of queries whatever
the number of cases.
"""

from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import caller_of

from .admin.cases import FLAGGED, NeedsFollowUpFilter
from .selectors import cases as case_selectors

#: How many cases the section lists; the rest are behind the count's link.
LISTED = 8
TITLE = _("Cases to follow up")


def flagged_cases_url():
    """The case list, narrowed to the flagged cases."""
    return f"{reverse('admin:cases_supportcase_changelist')}?{urlencode({NeedsFollowUpFilter.parameter_name: FLAGGED})}"


def render_cases_to_follow_up(*, request, agency):
    """The section's safe HTML for the request's caller, or "" when none of their cases is flagged."""
    caller = caller_of(request)
    now = timezone.now()
    hours = case_selectors.follow_up_hours(agency=agency)
    total = case_selectors.needing_follow_up(case_selectors.case_list(agency=agency, caller=caller), now=now,
                                             follow_up_after_hours=hours).count()
    if not total:
        return ""
    listed = case_selectors.cases_needing_follow_up(agency=agency, caller=caller, now=now, limit=LISTED)
    return render_to_string("cases/overview_follow_up.html", {
        "total": total,
        "rows": [{"follow_up": item, "case": item.case,
                  "url": reverse("admin:cases_supportcase_change", args=[item.case.pk])} for item in listed],
        "more": max(total - len(listed), 0),
        "list_url": flagged_cases_url(),
    }, request=request)
