"""How a review's frozen month (``StoreReview.summary``, the shape of ``reviews.summary.month_summaries``) reads on
the review page: every metric with its month-end value, worst value, colour, change against the previous month's
end and days red and yellow; the AHR; the alerts, cases, chats and appeal documents of the month.

It only lays the stored values out for a person (rates as percentages, codes by their labels in the reader's
language); it computes nothing, so a signed review reads the same whenever it is opened. A summary written by an
older version (a key missing) shows a dash where the value would be.
"""

from django.utils.translation import gettext

from alerts.rules import AlertKind
from documents import types
from health import metrics
from health.thresholds import TONES, Colour

DASH = "—"


def _value(key, value):
    return DASH if value is None else (metrics.display_value(key, value) or DASH)


def _change(key, change):
    """The change against the previous month's end, signed; rates in percentage points."""
    if change is None:
        return DASH
    found = metrics.metric(key)
    if found is not None and found.kind == metrics.Kind.RATE:
        return gettext("%(change)s pts") % {"change": f"{change * 100:+.2f}"}
    return f"{change:+g}" if isinstance(change, (int, float)) else str(change)


def _metric_label(key):
    found = metrics.metric(key)
    return found.label if found is not None else key


def _colour(code):
    colour = code if code in Colour.values else Colour.NO_DATA
    return {"code": colour, "label": Colour(colour).label, "tone": TONES[Colour(colour)]}


def _rule_label(rule):
    if rule in AlertKind.values:
        return AlertKind(rule).label
    return _metric_label(rule)


def _document_label(code):
    found = types.built_in(code)
    return found.label if found is not None else code


def metric_rows(summary):
    """One row per metric of the summary, in the vocabulary's order (unknown keys after, as stored)."""
    stored = summary.get("metrics") or {}
    keys = [key for key in metrics.KEYS if key in stored] + [key for key in stored if key not in metrics.BY_KEY]
    rows = []
    for key in keys:
        row = stored.get(key) or {}
        rows.append({
            "key": key, "label": _metric_label(key), "month_end": _value(key, row.get("month_end")),
            "worst": _value(key, row.get("worst")), "colour": _colour(row.get("colour")),
            "change": _change(key, row.get("change")), "days_red": row.get("days_red", 0),
            "days_yellow": row.get("days_yellow", 0), "days_reported": row.get("days_reported", 0),
        })
    return rows


def alert_rows(summary):
    """Each alert rule of the month: opened, resolved, still open at month end."""
    alerts = summary.get("alerts") or {}
    rules = []
    for part in ("opened", "resolved", "open_at_month_end"):
        rules += [rule for rule in (alerts.get(part) or {}) if rule not in rules]
    return [{"rule": rule, "label": _rule_label(rule),
             "opened": (alerts.get("opened") or {}).get(rule, 0),
             "resolved": (alerts.get("resolved") or {}).get(rule, 0),
             "open_at_month_end": (alerts.get("open_at_month_end") or {}).get(rule, 0)} for rule in rules]


def document_lines(summary):
    """The appeal kit at month end: ``{"missing": [labels], "expiring": [titles], "stale": [titles]}``."""
    documents = summary.get("documents") or {}
    return {
        "missing": [_document_label(code) for code in documents.get("missing") or []],
        "expiring": [f"{row.get('title', '')} ({_document_label(row.get('type', ''))})"
                     for row in documents.get("expiring") or []],
        "stale": [f"{row.get('title', '')} ({_document_label(row.get('type', ''))})"
                  for row in documents.get("stale") or []],
    }


def frozen_month(summary):
    """Everything the review page shows of ``summary`` (a dict; empty when the month was never computed)."""
    summary = summary or {}
    ahr = summary.get("ahr") or {}
    return {
        "month": summary.get("month", ""),
        "computed_at": summary.get("computed_at", ""),
        "metrics": metric_rows(summary),
        "red_metrics": [_metric_label(key) for key in summary.get("red_metrics") or []],
        "ahr": {"month_end": DASH if ahr.get("month_end") is None else ahr["month_end"],
                "lowest": DASH if ahr.get("lowest") is None else ahr["lowest"]},
        "alerts": alert_rows(summary),
        "cases": {"opened": 0, "resolved": 0, "waiting_over_24h": 0, **(summary.get("cases") or {})},
        "chats": {"used": 0, "invalid": 0, "days_frozen": 0, **(summary.get("chats") or {})},
        "documents": document_lines(summary),
        "empty": not summary,
    }
