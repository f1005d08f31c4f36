"""The month's figures in one set-based SQL statement (PostgreSQL only): what ``bench/reviews.py`` times
``month_summaries`` against. It is the yardstick, not the product: the summary stored with a review is
``month_summaries``', judged by ``health.thresholds`` itself. This module holds the raw statement, and the statement
filters every table by ``agency_id`` explicitly (house rule 12).

Per store of the agency with snapshots in the month, one row: for every metric of the vocabulary its month-end value
(the last reported), its worst value, its days red, days yellow and days reported, and the change against the
previous month's last reported value; then the alerts opened, resolved and open at month end by rule, and the cases
opened, resolved and waiting more than 24 hours. The thresholds are written into the statement from the agency's
``Thresholds`` with the report's own targets first, as ``health.thresholds`` says. Where SQL is simpler than the rule
it says so: a policy count is compared with the previous snapshot's count (``LAG``; PostgreSQL has no ``IGNORE
NULLS``), and a status or the warnings' worst is the worst colour's count only.
"""

from django.db import connection, transaction

from alerts.models import Alert
from cases.models import SupportCase
from health import metrics
from health.metrics import Condition, Kind
from health.models import HealthSnapshot
from health.thresholds import AHR_CRITICAL_STATUSES, AHR_GOOD_STATUSES

from . import month as calendar

_CONDITIONS = "('LESS_THAN', 'GREATER_THAN', 'EQUALS')"


def _quoted(values):
    return ", ".join(f"'{value}'" for value in values)


def _colours(key, rules):
    """``(red, yellow)`` SQL conditions on the day's row ``s`` for ``key``."""
    found = metrics.metric(key)
    column = f"s.{key}"
    if found.kind == Kind.SCORE:
        return (f"{column} < {int(rules.ahr_critical_below)}",
                f"{column} >= {int(rules.ahr_critical_below)} AND {column} < {int(rules.ahr_at_risk_below)}")
    if key == "ahr_status":
        return (f"{column} IN ({_quoted(AHR_CRITICAL_STATUSES)})",
                f"{column} NOT IN ({_quoted(AHR_CRITICAL_STATUSES + AHR_GOOD_STATUSES)})")
    if key == "account_status":
        return f"{column} <> '{metrics.ACCOUNT_STATUS_NORMAL}'", "FALSE"
    if found.kind == Kind.WARNINGS:
        return (f"jsonb_typeof({column}) = 'array' AND jsonb_path_exists({column}, '$[*] ? (@.status == \"BAD\")')",
                "FALSE")
    report = f"s.report_targets->'{key}'"
    from_report = f"({report}->>'target') IS NOT NULL AND ({report}->>'condition') IN {_CONDITIONS}"
    own = float(rules.targets.get(key, found.target))
    # Nearly every day has no report targets: the JSON is looked into only on the days that have some.
    target = (f"(CASE WHEN NOT s.has_targets THEN {own} WHEN {from_report} THEN ({report}->>'target')::float8 "
              f"ELSE {own} END)")
    if found.kind == Kind.COUNT:
        risen = f"(s.previous_{key} IS NULL OR {column} > s.previous_{key})"
        return f"{column} > {target} AND {risen}", f"{column} > {target} AND NOT {risen}"
    condition = (f"(CASE WHEN NOT s.has_targets THEN '{found.condition}' WHEN {from_report} "
                 f"THEN {report}->>'condition' ELSE '{found.condition}' END)")
    margin = float(rules.yellow_margin)
    red = (f"CASE {condition} WHEN 'LESS_THAN' THEN {column} >= {target} "
           f"WHEN 'GREATER_THAN' THEN {column} <= {target} ELSE {column} <> {target} END")
    close = (f"CASE {condition} WHEN 'LESS_THAN' THEN {column} >= {target} * (1 - {margin}) "
             f"WHEN 'GREATER_THAN' THEN {column} <= {target} + (1 - {target}) * {margin} ELSE FALSE END")
    return red, f"NOT ({red}) AND ({close})"


def _worst(key):
    found = metrics.metric(key)
    if found.kind == Kind.SCORE or (found.kind == Kind.RATE and found.condition == Condition.GREATER_THAN):
        return f"min(s.{key})"
    if found.kind in (Kind.RATE, Kind.COUNT):
        return f"max(s.{key})"
    return "NULL"


def _numeric(key):
    return metrics.metric(key).kind in (Kind.SCORE, Kind.RATE, Kind.COUNT)


def _last(key):
    """The last reported value of ``key`` among the group's rows: the value of the greatest date, without sorting
    (an ordered ``array_agg`` sorts every group once per metric)."""
    among = f"FILTER (WHERE s.{key} IS NOT NULL)"
    if _numeric(key):
        return f"(max(ARRAY[(s.date - DATE '2000-01-01')::float8, s.{key}::float8]) {among})[2]"
    return f"substr(max(s.date::text || '|' || s.{key}::text) {among}, 12)"


def summary_sql(rules):
    """The statement, with ``%(agency)s``, ``%(before)s`` (the previous month's first day), ``%(month)s``,
    ``%(next)s`` (the next month's first day), ``%(start)s`` and ``%(end)s`` (the month's moments) to bind."""
    snapshots = HealthSnapshot._meta.db_table
    figures, columns = [], []
    for key in metrics.KEYS:
        red, yellow = _colours(key, rules)
        figures += [
            f"{_last(key)} AS {key}_month_end",
            f"{_worst(key)} AS {key}_worst",
            f"count(*) FILTER (WHERE {red}) AS {key}_red",
            f"count(*) FILTER (WHERE {yellow}) AS {key}_yellow",
            f"count(s.{key}) AS {key}_reported",
        ]
        columns += [f"health.{key}_{figure}" for figure in ("month_end", "worst", "red", "yellow", "reported")]
        if _numeric(key):
            columns.append(f"health.{key}_month_end - before.{key}_month_end AS {key}_change")
    ends = ", ".join(f"{_last(key)} AS {key}_month_end" for key in metrics.KEYS if _numeric(key))
    lags = ", ".join(f"lag({key}) OVER (PARTITION BY store_id ORDER BY date) AS previous_{key}"
                     for key in metrics.COUNT_KEYS)
    return f"""
WITH two_months AS (
    SELECT *, report_targets <> '{{}}'::jsonb AS has_targets, {lags}
    FROM {snapshots} WHERE agency_id = %(agency)s AND date >= %(before)s AND date < %(next)s
), health AS (
    SELECT s.store_id, {", ".join(figures)} FROM two_months s WHERE s.date >= %(month)s GROUP BY s.store_id
), before AS (
    SELECT s.store_id, {ends} FROM {snapshots} s
    WHERE s.agency_id = %(agency)s AND s.date >= %(before)s AND s.date < %(month)s GROUP BY s.store_id
), alert_rules AS (
    SELECT store_id, rule,
           count(*) FILTER (WHERE first_seen_at >= %(start)s) AS opened,
           count(*) FILTER (WHERE resolved_at >= %(start)s AND resolved_at < %(end)s) AS resolved,
           count(*) FILTER (WHERE resolved_at IS NULL OR resolved_at >= %(end)s) AS open_at_month_end
    FROM {Alert._meta.db_table}
    WHERE agency_id = %(agency)s AND first_seen_at < %(end)s AND (resolved_at IS NULL OR resolved_at >= %(start)s)
    GROUP BY store_id, rule
), alerts AS (
    SELECT store_id, jsonb_object_agg(rule, opened) FILTER (WHERE opened > 0) AS opened,
           jsonb_object_agg(rule, resolved) FILTER (WHERE resolved > 0) AS resolved,
           jsonb_object_agg(rule, open_at_month_end) FILTER (WHERE open_at_month_end > 0) AS open_at_month_end
    FROM alert_rules GROUP BY store_id
), cases AS (
    SELECT store_id, count(*) FILTER (WHERE opened_at >= %(start)s AND opened_at < %(end)s) AS opened,
           count(*) FILTER (WHERE resolved_at >= %(start)s AND resolved_at < %(end)s) AS resolved,
           count(*) FILTER (WHERE waiting_since < %(end)s - interval '24 hours') AS waiting_over_24h
    FROM {SupportCase._meta.db_table}
    WHERE agency_id = %(agency)s AND ((opened_at >= %(start)s AND opened_at < %(end)s)
          OR (resolved_at >= %(start)s AND resolved_at < %(end)s) OR waiting_since < %(end)s - interval '24 hours')
    GROUP BY store_id
)
SELECT health.store_id, {", ".join(columns)}, alerts.opened, alerts.resolved, alerts.open_at_month_end,
       cases.opened, cases.resolved, cases.waiting_over_24h
FROM health LEFT JOIN before USING (store_id) LEFT JOIN alerts USING (store_id) LEFT JOIN cases USING (store_id)
"""


def summary_sql_aggregate(*, agency, month, rules):
    """The rows of ``summary_sql(rules)`` for ``agency``'s stores in ``month`` (its first day; moments in the
    agency's time zone): a list of tuples, one per store with snapshots in the month."""
    month = calendar.month_start(month)
    start, end = calendar.month_bounds(month, agency.time_zone)
    with transaction.atomic(), connection.cursor() as cursor:
        # PostgreSQL's JIT compiles this many expressions for seconds longer than the query runs.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(summary_sql(rules), {
            "agency": agency.pk, "before": calendar.previous_month(month), "month": month,
            "next": calendar.next_month(month), "start": start, "end": end})
        return cursor.fetchall()
