"""The store page's "Seller Support" panel (``accounts.extensions.StorePanel``): may the store chat now (with every
reason why not, the chats left today, the end of a freeze and the next Beijing-morning window), its open cases (those
to follow up marked), its latest chats, and links to log a case or a chat for it.

The store page is scoped already (another agency's store, or an operator's colleague's, is a 404 before any panel
renders); the panel reads through the selectors (the one visibility rule and the one eligibility rule), a fixed
number of queries whatever the store's history holds.
"""

from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.tenancy import caller_of

from . import moves
from .selectors import cases as case_selectors
from .selectors import chats as chat_selectors

#: How many open cases and how many chats the panel lists, the latest first.
CASES_LISTED = 8
CHATS_LISTED = 5


def render_seller_support_panel(*, request, store):
    """The panel's safe HTML for ``store``."""
    caller = caller_of(request)
    agency = store.agency
    now = timezone.now()
    hours = case_selectors.follow_up_hours(agency=agency)
    cases = case_selectors.case_list(agency=agency, caller=caller).filter(store=store)
    open_cases = list(cases.filter(status__in=moves.OPEN).order_by("-created_at", "-pk")[:CASES_LISTED])
    chats = list(chat_selectors.chat_list(agency=agency, caller=caller).filter(store=store)
                 .order_by("-requested_at", "-pk")[:CHATS_LISTED])
    answer = chat_selectors.chat_eligibility(agency=agency, store=store, now=now)
    for_store = urlencode({"store": store.pk})
    start, end = answer.window  # aware, in the window's own time zone (Beijing)
    return render_to_string("cases/panel_seller_support.html", {
        "answer": answer,
        "window_start": start.strftime("%Y-%m-%d %H:%M"),
        "window_end": end.strftime("%H:%M"),
        "case_rows": [{"case": case, "url": reverse("admin:cases_supportcase_change", args=[case.pk]),
                       "flagged": case_selectors.is_flagged(case, now=now, follow_up_after_hours=hours)}
                      for case in open_cases],
        "chat_rows": [{"chat": chat, "url": reverse("admin:cases_chatsession_change", args=[chat.pk])}
                      for chat in chats],
        "cases_url": f"{reverse('admin:cases_supportcase_changelist')}?{urlencode({'store__id__exact': store.pk})}",
        "add_case_url": f"{reverse('admin:cases_supportcase_add')}?{for_store}",
        "add_chat_url": f"{reverse('admin:cases_chatsession_add')}?{for_store}",
    }, request=request)
