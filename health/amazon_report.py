"""Amazon's account-health report (Selling Partner API report type ``GET_V2_SELLER_PERFORMANCE_REPORT``, schema
``accountHealthReport-2020-11-18``) read into rows of the metric vocabulary. Pure functions: no database.

How a document becomes rows (``parse_report``):

1. The document must be an object with a ``performanceMetrics`` array of objects, each with a ``marketplaceId``;
   ``accountStatuses``, when present, an array of ``{"marketplaceId", "status"}``. A marketplace named twice in
   either array is an error, as is any value of the wrong type: the error names its JSON path and value
   (``performanceMetrics[0].lateShipmentRate.rate: "abc" is not a number``).
2. Each ``performanceMetrics[]`` entry gives one row for its marketplace. Every section Amazon has spelt two ways
   is read under both names (``metrics.Metric.report_names``; ``accountHealthRating``'s ``ahrStatus`` /
   ``accountHealthRatingStatus``); a section that is absent, or whose value is ``null``, leaves its metric out:
   no data, not zero. Rates come from ``rate`` (``orderDefectRate.mfn``/``.afn`` are two metrics), counts from
   ``defectsCount``, warnings from ``warningStates[]`` as ``[{"type", "status"}]``, the AHR from
   ``ahrScore`` (newer reports) and the status. Each section's ``targetValue``/``targetCondition``/``status`` is
   kept in the row's ``report_targets``.
3. ``account_status`` comes from ``accountStatuses[]`` of the same marketplace. A marketplace that has an account
   status but no ``performanceMetrics`` entry still gives a row, with the account status alone: a suspended
   marketplace is news even without metrics.
4. The row's date is the caller's report date when given, else the end of the entry's reporting ranges (the
   latest ``reportingDateTo`` of its sections, a UTC time, as a date); an entry without ranges (and a row of
   an account status alone) takes the latest of the whole document.

Ranges (a rate above 1, a negative count, a date in the future) are not checked here: the rows go through the one
validation of ``health.ingestion`` like rows of every other source. Each row knows the path every value came from
(``MarketplaceReport.path_of``), so that such an error can still name its place in the document.
"""

import datetime
import json
import math
from dataclasses import dataclass, field

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext

from accounts import marketplaces

from . import metrics
from .metrics import Condition, Kind, ReportStatus

#: The report type this module reads.
REPORT_TYPE = "GET_V2_SELLER_PERFORMANCE_REPORT"

#: ``accountHealthRating``'s status, in both spellings Amazon has used.
AHR_STATUS_NAMES = ("ahrStatus", "accountHealthRatingStatus")
#: ``orderDefectRate``'s parts and the metric each gives.
ORDER_DEFECT_RATES = (("mfn", "odr_mfn"), ("afn", "odr_afn"))
#: The longest value an error message quotes.
QUOTED_VALUE_MAX = 80


class ReportInvalid(ValueError):
    """The document is not a ``GET_V2_SELLER_PERFORMANCE_REPORT``: ``path`` says where (``""`` for the whole
    document), ``message`` what is wrong, in the active language."""

    def __init__(self, path, message):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class ReportDateMissing(ReportInvalid):
    """The document carries no reporting date for a row and the caller gave none."""


@dataclass(frozen=True)
class MarketplaceReport:
    """One marketplace's row of the report.

    ``values`` holds the metrics the report gave (keys of ``health.metrics``), ``report_targets`` the report's own
    target and verdict per metric (``{"target": 0.04, "condition": "LESS_THAN", "status": "GOOD"}``), ``paths``
    the JSON path each value (and the derived ``date``) came from; ``path`` is the entry's own path
    (``performanceMetrics[0]``, or ``accountStatuses[2]`` for an account status alone).
    """

    marketplace_id: str
    date: datetime.date
    path: str
    values: dict = field(default_factory=dict)
    report_targets: dict = field(default_factory=dict)
    paths: dict = field(default_factory=dict)

    def path_of(self, name):
        """The JSON path ``name`` (a metric key, or ``date``) came from; the entry's path when it has none of its
        own (a date the caller gave)."""
        return self.paths.get(name, self.path)

    def snapshot_row(self, **store_reference):
        """The row ``health.services.snapshots_upsert`` takes (with ``source=Source.REPORT``), naming its store by
        ``store_reference``: ``store=<id>``, or ``seller_id=..., marketplace=...``."""
        return {**store_reference, "date": self.date, **self.values, "report_targets": dict(self.report_targets)}


def parse_report(document, *, report_date=None):
    """The rows of ``document`` (a decoded JSON report), one per marketplace: ``[MarketplaceReport]``, those of
    ``performanceMetrics[]`` in its order, then those of account statuses alone. ``report_date`` (a date) is the
    date of every row; without it each row takes the end of its reporting ranges.

    Raises ``ReportInvalid`` naming the path and value of the first thing that is not as the schema says, and
    ``ReportDateMissing`` when a row's date cannot be told.
    """
    if not isinstance(document, dict):
        raise ReportInvalid("", gettext("%(value)s is not a JSON object (an Amazon %(report_type)s document).")
                            % {"value": quoted(document), "report_type": REPORT_TYPE})
    entries = _array(document, "performanceMetrics", "performanceMetrics", required=True)
    statuses = _account_statuses(document)

    rows, seen = [], {}
    for index, entry in enumerate(entries):
        path = f"performanceMetrics[{index}]"
        entry = _object(entry, path)
        marketplace_id = _marketplace_id(entry, path, seen)
        values, targets, paths, dates = _metrics_of(entry, path)
        if marketplace_id in statuses:
            status, status_path = statuses[marketplace_id]
            values["account_status"], paths["account_status"] = status, status_path
        rows.append((marketplace_id, path, values, targets, paths, dates))

    for marketplace_id, (status, status_path) in statuses.items():
        if marketplace_id not in seen:
            path = status_path.rpartition(".")[0]
            rows.append((marketplace_id, path, {"account_status": status}, {}, {"account_status": status_path}, []))

    if not rows:
        raise ReportInvalid("performanceMetrics", gettext("The report names no marketplace."))
    latest = max((date for *_rest, dates in rows for date in dates), default=None)
    return [_row(marketplace_id, path, values, targets, paths, dates, report_date, latest)
            for marketplace_id, path, values, targets, paths, dates in rows]


def report_rows(document, *, seller_id, report_date=None):
    """``parse_report``'s rows in the shape ``health.services.snapshots_upsert`` takes, each naming its store by
    ``seller_id`` and the Amazon marketplace id."""
    return [report.snapshot_row(seller_id=seller_id, marketplace=report.marketplace_id)
            for report in parse_report(document, report_date=report_date)]


def quoted(value):
    """``value`` as it reads in the document (JSON), cut short when long."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except RecursionError:  # nested about as deep as the JSON decoder allows: its start says enough
        text = "[…" if isinstance(value, list) else "{…"
    return text if len(text) <= QUOTED_VALUE_MAX else f"{text[:QUOTED_VALUE_MAX - 1]}…"


# -- the document's parts ------------------------------------------------------------------------------------

def _row(marketplace_id, path, values, targets, paths, dates, report_date, latest):
    if report_date is not None:
        date = report_date
    elif dates:
        date, paths["date"] = max(dates)
    elif latest is not None:
        date, paths["date"] = latest
    else:
        raise ReportDateMissing(path, gettext("The report gives no reporting date (reportingDateTo) for this "
                                              "marketplace; send report_date."))
    return MarketplaceReport(marketplace_id=marketplace_id, date=date, path=path, values=values,
                             report_targets=targets, paths=paths)


def _account_statuses(document):
    """``{marketplace id: (status, path)}`` of ``accountStatuses[]``."""
    statuses, seen = {}, {}
    for index, item in enumerate(_array(document, "accountStatuses", "accountStatuses")):
        path = f"accountStatuses[{index}]"
        item = _object(item, path)
        marketplace_id = _marketplace_id(item, path, seen)
        statuses[marketplace_id] = (_text(item.get("status"), f"{path}.status", required=True), f"{path}.status")
    return statuses


def _marketplace_id(item, path, seen):
    marketplace_id = _text(item.get("marketplaceId"), f"{path}.marketplaceId", required=True)
    if marketplace_id in seen:
        raise ReportInvalid(f"{path}.marketplaceId", gettext("%(value)s is named twice.")
                            % {"value": quoted(marketplace_id)})
    seen[marketplace_id] = path
    return marketplace_id


def _metrics_of(entry, path):
    """``(values, report targets, paths, [(date, path)])`` of one ``performanceMetrics[]`` entry."""
    values, targets, paths, dates = {}, {}, {}, []

    def keep(key, value, value_path, section=None, section_path=None):
        if value is None:
            return
        values[key], paths[key] = value, value_path
        if section is not None:
            target = _report_target(section, section_path)
            if target:
                targets[key] = target

    for metric in metrics.all_metrics():
        if not metric.report_names:
            continue
        section, section_path = _section(entry, path, metric.report_names)
        if section is None:
            continue
        if metric.kind == Kind.WARNINGS:
            keep(metric.key, _warning_states(section, section_path), section_path)
            continue
        section = _object(section, section_path)
        dates.extend(_reporting_end(section, section_path))
        if metric.kind == Kind.RATE:
            keep(metric.key, _number(section.get("rate"), f"{section_path}.rate"), f"{section_path}.rate",
                 section, section_path)
        elif metric.kind == Kind.COUNT:
            keep(metric.key, _whole_number(section.get("defectsCount"), f"{section_path}.defectsCount"),
                 f"{section_path}.defectsCount", section, section_path)

    order_defects, order_defects_path = _section(entry, path, ("orderDefectRate",))
    if order_defects is not None:
        order_defects = _object(order_defects, order_defects_path)
        for part, key in ORDER_DEFECT_RATES:
            section, section_path = _section(order_defects, order_defects_path, (part,))
            if section is None:
                continue
            section = _object(section, section_path)
            dates.extend(_reporting_end(section, section_path))
            keep(key, _number(section.get("rate"), f"{section_path}.rate"), f"{section_path}.rate", section,
                 section_path)

    rating, rating_path = _section(entry, path, ("accountHealthRating",))
    if rating is not None:
        rating = _object(rating, rating_path)
        dates.extend(_reporting_end(rating, rating_path))
        keep("ahr_score", _whole_number(rating.get("ahrScore"), f"{rating_path}.ahrScore"),
             f"{rating_path}.ahrScore")
        status, status_path = _section(rating, rating_path, AHR_STATUS_NAMES)
        keep("ahr_status", _text(status, status_path), status_path)
    return values, targets, paths, dates


def _section(item, path, names):
    """The first of ``names`` that ``item`` carries (``null`` counts as absent) with its path, else ``(None,
    None)``."""
    for name in names:
        value = item.get(name)
        if value is not None:
            return value, f"{path}.{name}"
    return None, None


def _report_target(section, path):
    """The section's own ``{"target", "condition", "status"}``, with those it gives."""
    target = {}
    value = _number(section.get("targetValue"), f"{path}.targetValue")
    if value is not None:
        target["target"] = value
    condition = _choice(section.get("targetCondition"), f"{path}.targetCondition", Condition.values)
    if condition is not None:
        target["condition"] = condition
    status = _choice(section.get("status"), f"{path}.status", ReportStatus.values)
    if status is not None:
        target["status"] = status
    return target


def _warning_states(states, path):
    """``warningStates[]`` as the vocabulary keeps it: ``[{"type": ..., "status": ...}]``."""
    if not isinstance(states, list):
        raise ReportInvalid(path, gettext("%(value)s is not a list.") % {"value": quoted(states)})
    found = []
    for index, state in enumerate(states):
        state_path = f"{path}[{index}]"
        state = _object(state, state_path)
        found.append({
            "type": _text(state.get("warningType"), f"{state_path}.warningType", required=True),
            "status": _choice(state.get("status"), f"{state_path}.status", ReportStatus.values, required=True),
        })
    return found


def _reporting_end(section, path):
    """``[(date, path)]`` of the section's ``reportingDateRange.reportingDateTo``, if it has one."""
    date_range = section.get("reportingDateRange")
    if date_range is None:
        return []
    range_path = f"{path}.reportingDateRange"
    date_range = _object(date_range, range_path)
    end_path = f"{range_path}.reportingDateTo"
    end = _text(date_range.get("reportingDateTo"), end_path)
    if end is None:
        return []
    return [(_date(end, end_path), end_path)]


# -- values ------------------------------------------------------------------------------------------------------

def _array(document, name, path, *, required=False):
    value = document.get(name)
    if value is None:
        if required:
            raise ReportInvalid(path, gettext("Missing: an Amazon %(report_type)s document has this array.")
                                % {"report_type": REPORT_TYPE})
        return []
    if not isinstance(value, list):
        raise ReportInvalid(path, gettext("%(value)s is not a list.") % {"value": quoted(value)})
    return value


def _object(value, path):
    if not isinstance(value, dict):
        raise ReportInvalid(path, gettext("%(value)s is not an object.") % {"value": quoted(value)})
    return value


def _text(value, path, *, required=False):
    if value is None:
        if required:
            raise ReportInvalid(path, gettext("Missing."))
        return None
    if not isinstance(value, str):
        raise ReportInvalid(path, gettext("%(value)s is not a text.") % {"value": quoted(value)})
    if not value.strip():
        raise ReportInvalid(path, gettext("Empty."))
    return value.strip()


def _choice(value, path, choices, *, required=False):
    value = _text(value, path, required=required)
    if value is not None and value not in choices:
        raise ReportInvalid(path, gettext("%(value)s is not one of %(choices)s.")
                            % {"value": quoted(value), "choices": ", ".join(choices)})
    return value


def _number(value, path):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ReportInvalid(path, gettext("%(value)s is not a number.") % {"value": quoted(value)})
    return value


def _whole_number(value, path):
    value = _number(value, path)
    if value is None:
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise ReportInvalid(path, gettext("%(value)s is not a whole number.") % {"value": quoted(value)})
        value = int(value)
    return value


def _date(text, path):
    """The date of a ``reportingDateTo`` (``2020-11-19T23:59Z``, UTC): the day it names."""
    try:
        moment = parse_datetime(text)
        day = moment.date() if moment is not None else parse_date(text)
    except ValueError:
        day = None
    if day is None:
        raise ReportInvalid(path, gettext("%(value)s is not a date and time (such as 2020-11-19T23:59Z).")
                            % {"value": quoted(text)})
    return day


# -- a report against the agency's stores (pure: the stores come as an argument) ------------------------------
def match_stores(reports, stores, *, seller_id):
    """``([(report, store)], [unmatched marketplace])``: each marketplace report with the store of ``stores``
    (``{marketplace code: store}``) on its marketplace, or the reason it has none."""
    matched, unmatched = [], []
    for report in reports:
        found = marketplaces.marketplace(report.marketplace_id)
        store = stores.get(found.code) if found is not None else None
        if store is not None:
            matched.append((report, store))
            continue
        if found is None:
            message = gettext("“%(marketplace_id)s” is not an Amazon marketplace this product knows.") % {
                "marketplace_id": report.marketplace_id}
        else:
            message = gettext("No store with seller id “%(seller_id)s” on %(marketplace)s.") % {
                "seller_id": seller_id, "marketplace": found.code}
        unmatched.append({"marketplace_id": report.marketplace_id,
                          "marketplace": found.code if found is not None else None, "message": message})
    return matched, unmatched


def no_store_message(seller_id, reports):
    """Why nothing of the report was written: the seller id has no store (that the caller works on) on any of its
    marketplaces, named by code where the product knows them."""
    named = []
    for report in reports:
        found = marketplaces.marketplace(report.marketplace_id)
        named.append(found.code if found is not None else report.marketplace_id)
    return gettext("No store with seller id “%(seller_id)s” is on a marketplace of this report (%(marketplaces)s).") % {
        "seller_id": seller_id, "marketplaces": ", ".join(named)}


def refusal(errors, reports, *, report_date_given):
    """The 400 body of rows the ingestion refused: each error where the caller can find it, the value's JSON path
    in the document (``report``), or ``report_date`` for the date the caller gave."""
    body = {}
    for error in errors:
        report = reports[error.index]
        if error.field == "date" and report_date_given:
            body.setdefault("report_date", []).append(str(error.message))
        else:
            body.setdefault("report", []).append(f"{report.path_of(error.field)}: {error.message}")
    return {field: list(dict.fromkeys(messages)) for field, messages in body.items()}
