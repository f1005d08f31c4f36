"""The client report's content: what a client reads about one month of their stores.

* **Whose stores.** The client's stores that have a review in the agency's cycle of that month and that the caller
  sees (an operator: their own stores; the view answers 404 for a client none of whose stores they see).
* **What of each store.** Its frozen month (``StoreReview.summary``, laid out by ``reviews.admin.frozen_month``
  exactly as the review page shows it): every metric's month-end and worst value, colour and change, the AHR, the
  alerts, cases, chats and appeal documents of the month; the AHR and the rates as charts with the line each is
  held to (``reports.charts``); the reviewer, the status, the reviewer's comment, and the checklist's answers with
  their notes.
* **The charts** are drawn from the month's daily snapshots (the frozen summary keeps no daily values), through the
  store page's chart data (``health.charts.trend_charts``) and the agency's targets.
* **In which language.** The client's report language, else the agency's (``report_language``); the caller builds
  the report inside ``translation.override`` of it, as ``reports.html`` does.
* A fixed number of queries whatever the number of stores: the cycle, the reviews (with their stores, reviewers and
  who approved them), the month's snapshots of all of them, the agency's health policy.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from health import metrics
from health.charts import trend_charts
from health.models import HealthSnapshot
from health.selectors import health_policy
from health.thresholds import Colour

from .. import checklist, selectors
from ..admin.frozen_month import frozen_month
from . import charts
from .xlsx import store_colour

#: How the report names a checklist answer (``reviews.checklist.ANSWERS``); an unanswered item reads "not answered".
ANSWER_LABELS = {
    checklist.DONE: _("Done"),
    checklist.NOT_APPLICABLE: _("Not applicable"),
    checklist.ISSUE_FOUND: _("Issue found"),
}
NOT_ANSWERED = _("Not answered")


def report_language(client):
    """The language a client's report is written in: the client's own setting, else the agency's language."""
    return client.report_language or client.agency.default_language


def month_after(month):
    """The first day of the month after ``month`` (a first day)."""
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


@dataclass
class StoreSection:
    """One store's part of the report."""

    review: object
    month: dict
    colour: str
    charts: list = field(default_factory=list)
    answers: list = field(default_factory=list)

    @property
    def store(self):
        return self.review.store

    @property
    def colour_label(self):
        return Colour(self.colour).label

    @property
    def reviewer(self):
        reviewer = self.review.reviewer
        return (reviewer.full_name or reviewer.email) if reviewer is not None else ""


@dataclass
class ClientReport:
    """The report of ``client`` for ``month`` (its first day): ``cycle`` is ``None`` when the agency has not opened
    that month's review; ``stores`` is then empty."""

    agency: object
    client: object
    month: datetime.date
    cycle: object
    language: str
    stores: list
    generated_at: datetime.datetime

    @property
    def month_text(self):
        return self.month.strftime("%Y-%m")


def _month_charts(snapshots, *, rules):
    """The charts of one store's month (its snapshots, oldest first), each as drawn SVG with its legend."""
    drawn = []
    for chart in trend_charts(snapshots, thresholds=rules):
        if metrics.BY_KEY[chart["key"]].kind not in charts.CHARTED_KINDS:
            continue
        values = chart["series"][0]["values"]
        last = next((value for value in reversed(values) if value is not None), None)
        drawn.append({"key": chart["key"], "label": chart["label"], "unit": chart["unit"], "last": last,
                      "svg": charts.chart_svg(chart, title=chart["label"]), "legend": charts.legend(chart)})
    return drawn


def _answers(items, answers, language):
    """The checklist's items in order, each with its text in ``language``, the answer's label and its note."""
    rows = []
    for item in items:
        given = answers.get(item["code"])
        if isinstance(given, str):
            given = {"answer": given}
        given = given or {}
        answer = given.get("answer")
        rows.append({"code": item["code"], "text": checklist.item_text(item, language),
                     "answer": answer or "", "answer_label": ANSWER_LABELS.get(answer, NOT_ANSWERED),
                     "note": given.get("note") or ""})
    return rows


def client_report(*, agency, caller, client, month, language):
    """The ``ClientReport`` of ``client`` (of ``agency``, one ``caller`` sees) for ``month`` (a first day), its
    texts in ``language`` (call it inside ``translation.override(language)``)."""
    cycle = selectors.cycle_of(agency=agency, month=month)
    sections = []
    if cycle is not None:
        reviews = list(selectors.review_list(agency=agency, caller=caller)
                       .filter(cycle=cycle, store__client=client).order_by("store__name", "store__marketplace", "pk"))
        by_store = {review.store_id: [] for review in reviews}
        snapshots = (HealthSnapshot.objects.filter(agency=agency, store_id__in=list(by_store), date__gte=month,
                                                   date__lt=month_after(month))
                     .order_by("store_id", "date"))
        for snapshot in snapshots:
            by_store[snapshot.store_id].append(snapshot)
        rules = health_policy(agency=agency).thresholds() if reviews else None
        for review in reviews:
            summary = review.summary or {}
            sections.append(StoreSection(
                review=review, month=frozen_month(summary), colour=store_colour(summary),
                charts=_month_charts(by_store[review.store_id], rules=rules),
                answers=_answers(cycle.checklist.items, review.answers or {}, language)))
    return ClientReport(agency=agency, client=client, month=month, cycle=cycle, language=language, stores=sections,
                        generated_at=timezone.now())
