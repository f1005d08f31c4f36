"""The month, frozen: each store's summary of one month, computed from the lower apps' data when a review opens (and
again on "refresh"), then stored with the review so that a signed review never changes under the reader's feet.

``month_summaries(*, agency, store_ids, month)`` -> ``{store_id: summary}``, one JSON-ready dict per store of
``store_ids`` (an id that is not one of ``agency``'s stores finds nothing: every read filters by the agency)::

    {"month": "YYYY-MM",
     "metrics": {key: {"month_end", "worst", "colour", "change", "days_red", "days_yellow", "days_reported"}},
     "ahr": {"month_end", "lowest"},
     "alerts": {"opened": {rule: n}, "resolved": {rule: n}, "open_at_month_end": {rule: n}},
     "cases": {"opened": n, "resolved": n, "waiting_over_24h": n},
     "chats": {"used": n, "invalid": n, "days_frozen": n},
     "documents": {"missing": [type codes], "expiring": [{"id", "title", "type"}], "stale": [{"id", "title", "type"}]},
     "red_metrics": [keys red at month end], "computed_at": ISO datetime}

The month is ``month``'s first day; its days and moments are the agency's (``month.month_bounds``). What each figure
means (decided here where the issue is silent):

* **metrics**: every metric of the vocabulary, by ``metric_month.metric_months`` (its rules: "no data" days, month
  end, worst, change); ``ahr`` is the Account Health Rating's month end and worst. Snapshots are dated by the
  marketplace's day, read as they are.
* **alerts**: by rule, those first seen in the month, those resolved in it, and those first seen before its end and
  not resolved by then (resolved later, or still open).
* **cases**: opened (sent to Amazon: ``opened_at``; drafts are not cases yet) in the month, resolved in it, and those
  waiting for Amazon at the month's end for more than 24 hours: still waiting now (``waiting_since`` is set only
  while a case waits, and kept while it moves between waiting statuses) since 24 hours before the month's end or
  earlier. A case answered after the month's end but before the summary is computed no longer says it waited, so
  the review opened on the 1st sees nearly all of them; a refresh later in the month may see fewer.
* **chats**: requested in the month (all, connected or not), their invalid inquiries, and the days frozen
  (``month.days_frozen``, from the chats since the chain of invalid inquiries was last back at zero).
* **documents**: the appeal kit (``documents.selectors.appeal_kits``) judged as of the month's last day: the
  required types with no document, and the deciding document of those expiring soon and of those stale or expired.
  The library is read as it is now (a paper added after the month counts; one in the trash does not).

Reads, a fixed number of queries whatever the number of stores (eleven): the health policy; the month's snapshots
(values as tuples, in store and date order, judged a metric at a time for all stores: ``metric_months``); each
store's last reported values of the previous month (``change``, and the previous count of a policy count's first
day); the alerts and the cases, each counted by store in one aggregate; the case policy, the chats and the freeze
lifts; the documents' catalogue (two) and the kit's documents. ``reviews.services.cycle_open`` passes every store of
the cycle at once: the ids travel in every query. The health, case and document selectors are used where they read
sets (``health_policy``, ``policy_of``, ``type_catalogue``, ``appeal_kits``); the month's snapshots, alerts, cases
and chats are read from the models here, because no selector of those apps reads a month of many stores. The rules
are the lower apps' own: ``health.thresholds`` judges each day, ``cases.freeze`` the freeze, ``documents.freshness``
the kit.
"""

import datetime
import json
from collections import defaultdict

from django.db.models import Count, F, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Store
from alerts.models import Alert
from cases import freeze
from cases.models import ChatFreezeLift, ChatSession, SupportCase
from cases.selectors import chats as chat_selectors
from cases.selectors.templates import policy_of
from documents.selectors import appeal_kits, type_catalogue
from health import metrics
from health.models import HealthSnapshot
from health.selectors import health_policy
from health.thresholds import Colour

from . import month as calendar
from .aggregate import summary_sql_aggregate
from .metric_month import NUMERIC_KINDS, judge_for, metric_months, no_data, store_layout

__all__ = ["month_summaries", "summary_sql_aggregate"]

#: A case waiting for Amazon longer than this at the month's end is counted (DOMAIN.md: chat after 24 hours).
WAITING_TOO_LONG = datetime.timedelta(hours=24)
#: The text columns read for the JSON ones: the warnings are judged by their text (hashable, parsed once per
#: distinct value), the report's targets parsed once per distinct text (nearly always "{}").
_WARNINGS_TEXT, _TARGETS_TEXT = "warning_states_text", "report_targets_text"
# The metrics in the vocabulary's order (the summary's), the warnings read as their text; no date: the query orders
# the rows, and the judging never needs to know which day a value is of.
_COLUMNS = ("store_id", *(_WARNINGS_TEXT if key == "warning_states" else key for key in metrics.KEYS), _TARGETS_TEXT)


def month_summaries(*, agency, store_ids, month):
    """``{store_id: summary}`` of ``store_ids`` for ``month`` (a date; its month is taken), as the module says."""
    month = calendar.month_start(month)
    store_ids = sorted(set(store_ids))
    start, end = calendar.month_bounds(month, agency.time_zone)
    computed_at = timezone.now().isoformat()
    if not store_ids:
        return {}
    health = _metrics_of_month(agency=agency, store_ids=store_ids, month=month)
    alerts = _alerts_of_month(agency=agency, store_ids=store_ids, start=start, end=end)
    cases = _cases_of_month(agency=agency, store_ids=store_ids, start=start, end=end)
    chats = _chats_of_month(agency=agency, store_ids=store_ids, month=month, start=start, end=end)
    kits = _kits_at_month_end(agency=agency, store_ids=store_ids, month=month)
    summaries = {}
    for store_id in store_ids:
        figures = health[store_id]
        summaries[store_id] = {
            "month": month.strftime("%Y-%m"),
            "metrics": figures,
            "ahr": {"month_end": figures["ahr_score"]["month_end"], "lowest": figures["ahr_score"]["worst"]},
            "alerts": alerts[store_id],
            "cases": cases[store_id],
            "chats": chats[store_id],
            "documents": kits[store_id],
            "red_metrics": [key for key in metrics.KEYS if figures[key]["colour"] == Colour.RED],
            "computed_at": computed_at,
        }
    return summaries


# -- health: the month's snapshots ------------------------------------------------------------------------------
def _metrics_of_month(*, agency, store_ids, month):
    """``{store_id: {key: figures}}`` (``metric_months``): three queries, the policy, the month's snapshots and the
    previous month's last values."""
    judge = judge_for(health_policy(agency=agency).thresholds())
    rows = list(HealthSnapshot.objects.filter(agency=agency, store_id__in=store_ids, date__gte=month,
                                              date__lt=calendar.next_month(month))
                .annotate(**{_WARNINGS_TEXT: Cast("warning_states", TextField()),
                             _TARGETS_TEXT: Cast("report_targets", TextField())})
                .order_by("store_id", "date").values_list(*_COLUMNS))
    before = _previous_month_ends(agency=agency, store_ids=store_ids, month=month)
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(_COLUMNS)
    stores = columns[0]
    targets = _report_targets_by_key(columns[-1])
    layout = store_layout(stores)
    found = {store_id: {} for store_id in store_ids}
    for index, key in enumerate(metrics.KEYS, start=1):
        months = metric_months(key, stores, columns[index], judge=judge, before=before.get(key, {}),
                               report_targets=targets.get(key), layout=layout)
        for store_id in store_ids:
            found[store_id][key] = months.get(store_id) or no_data()
    return found


def _previous_month_ends(*, agency, store_ids, month):
    """``{key: {store_id: value}}``: each numeric metric's last value reported in the month before ``month`` (what
    ``change`` compares with, and the previous count of a policy count's first day). One query: a store's
    latest snapshot of that month that has the value, per metric."""
    before_month = calendar.previous_month(month)
    keys = [key for key in metrics.KEYS if metrics.metric(key).kind in NUMERIC_KINDS]
    latest = {key: Subquery(HealthSnapshot.objects.filter(agency=agency, store_id=OuterRef("pk"),
                                                          date__gte=before_month, date__lt=month,
                                                          **{f"{key}__isnull": False})
                            .order_by("-date").values(key)[:1]) for key in keys}
    ends = {key: {} for key in keys}
    for store_id, *values in (Store.objects.filter(agency=agency, pk__in=store_ids).annotate(**latest)
                              .values_list("pk", *keys)):
        for key, value in zip(keys, values, strict=True):
            if value is not None:
                ends[key][store_id] = value
    return ends


def _report_targets_by_key(texts):
    """``{key: {snapshot index: (target, condition)}}`` from the snapshots' report targets as JSON text (nearly
    always "{}": each distinct text is parsed once)."""
    parsed, by_key = {"{}": {}, None: {}}, defaultdict(dict)
    for index, text in enumerate(texts):
        found = parsed.get(text)
        if found is None:
            found = parsed[text] = {key: (target.get("target"), target.get("condition"))
                                    for key, target in (json.loads(text) or {}).items() if isinstance(target, dict)}
        for key, target in found.items():
            by_key[key][index] = target
    return by_key


# -- alerts, cases, chats, documents ----------------------------------------------------------------------------
def _alerts_of_month(*, agency, store_ids, start, end):
    """``{store_id: {"opened", "resolved", "open_at_month_end"}}`` by rule: one query."""
    not_resolved_by_end = Q(resolved_at__isnull=True) | Q(resolved_at__gte=end)
    counted = (Alert.objects.filter(agency=agency, store_id__in=store_ids, first_seen_at__lt=end)
               .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=start))
               .values("store_id", "rule").order_by()
               .annotate(opened=Count("pk", filter=Q(first_seen_at__gte=start)),
                         resolved=Count("pk", filter=Q(resolved_at__gte=start, resolved_at__lt=end)),
                         open_at_month_end=Count("pk", filter=not_resolved_by_end)))
    found = {store_id: {"opened": {}, "resolved": {}, "open_at_month_end": {}} for store_id in store_ids}
    for row in counted:
        for figure in ("opened", "resolved", "open_at_month_end"):
            if row[figure]:
                found[row["store_id"]][figure][row["rule"]] = row[figure]
    return found


def _cases_of_month(*, agency, store_ids, start, end):
    """``{store_id: {"opened", "resolved", "waiting_over_24h"}}``: one query."""
    opened = Q(opened_at__gte=start, opened_at__lt=end)
    resolved = Q(resolved_at__gte=start, resolved_at__lt=end)
    waiting = Q(waiting_since__lt=end - WAITING_TOO_LONG)
    counted = (SupportCase.objects.filter(agency=agency, store_id__in=store_ids).filter(opened | resolved | waiting)
               .values("store_id").order_by()
               .annotate(opened=Count("pk", filter=opened), resolved=Count("pk", filter=resolved),
                         waiting_over_24h=Count("pk", filter=waiting)))
    found = {store_id: {"opened": 0, "resolved": 0, "waiting_over_24h": 0} for store_id in store_ids}
    for row in counted:
        found[row.pop("store_id")] = row
    return found


def _chats_of_month(*, agency, store_ids, month, start, end):
    """``{store_id: {"used", "invalid", "days_frozen"}}``: three queries (the policy, the chats, the lifts)."""
    rules = policy_of(agency=agency).rules()
    chats = (ChatSession.objects.filter(agency=agency, store_id__in=store_ids, requested_at__lt=end)
             .annotate(chain_start=chat_selectors.chain_start(agency=agency, now=start, rules=rules))
             .filter(requested_at__gte=F("chain_start"))
             .order_by("store_id", "requested_at", "pk").values_list("store_id", "requested_at", "outcome"))
    walked = defaultdict(list)
    for store_id, requested_at, outcome in chats:
        walked[store_id].append((requested_at, outcome))
    lifts = defaultdict(list)
    for store_id, lifted_at in (ChatFreezeLift.objects.filter(agency=agency, store_id__in=store_ids, lifted_at__lt=end)
                                .values_list("store_id", "lifted_at")):
        lifts[store_id].append(lifted_at)
    found = {}
    for store_id in store_ids:
        in_month = [outcome for at, outcome in walked.get(store_id, ()) if at >= start]
        found[store_id] = {
            "used": len(in_month),
            "invalid": sum(outcome == freeze.INVALID for outcome in in_month),
            "days_frozen": calendar.days_frozen(rules=rules, chats=walked.get(store_id, []),
                                                lifts=lifts.get(store_id, []), month=month,
                                                time_zone=agency.time_zone),
        }
    return found


def _kits_at_month_end(*, agency, store_ids, month):
    """``{store_id: {"missing", "expiring", "stale"}}`` of the appeal kit judged on the month's last day: three
    queries."""
    last_day = calendar.next_month(month) - datetime.timedelta(days=1)
    kits = appeal_kits(agency=agency, store_ids=store_ids, catalogue=type_catalogue(agency=agency, today=last_day))
    return {store_id: {"missing": kit.missing,
                       "expiring": [_document(item) for item in kit.items if item.type_code in kit.expiring],
                       "stale": [_document(item) for item in kit.items if item.type_code in kit.stale]}
            for store_id, kit in kits.items()}


def _document(item):
    return {"id": item.document.pk, "title": item.document.title, "type": item.type_code}
