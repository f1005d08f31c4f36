"""RAW SQL: the only module of the health app that writes snapshots with hand-written statements.

Every statement here filters by ``agency_id`` explicitly (the scope of django-scopes does not reach raw SQL).
The steps, for PostgreSQL and for SQLite (``make run``'s embedded default):

1. a temporary stage table, one row per staged snapshot (its position in the batch, the store, the date, a bit
   mask of the metrics the row names, the metrics, the report's targets), filled by ``COPY`` on PostgreSQL and
   by ``executemany`` on SQLite;
2. a set-based look for the same store and date staged twice;
3. the merge: each staged row against the stored row of that store and day (a named metric takes the staged
   value, an unnamed one keeps the stored value, report targets merge by metric key), then one
   ``INSERT … SELECT … ORDER BY store_id, date ON CONFLICT (agency_id, store_id, date) DO UPDATE … WHERE (stored)
   IS DISTINCT FROM (merged)``: a row that would not change is not rewritten (its ``source`` and
   ``received_at`` stay), and the stable order keeps two overlapping batches from deadlocking.
   On PostgreSQL ``RETURNING (xmax = 0)`` tells created from updated; on SQLite the same counts come from the
   preview (the merged rows compared first), since SQLite writes one transaction at a time anyway.

The merge reads the stored rows before it writes them, so two batches of one agency must not merge at the same
time: batch B would merge with what it read before batch A committed, and write A's metrics of a shared day back
to what they were (the ERP's push and Amazon's report for the same day, say). On PostgreSQL the merge therefore
first takes a transaction-level advisory lock of the agency (``MERGE_LOCK``): batches of one agency merge one
after the other, each reading what the previous one committed; other agencies are not held up.
"""

import itertools

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from .. import metrics
from ..models import HealthSnapshot

_stage_numbers = itertools.count(1)

#: The first key of the advisory lock that makes one agency's merges take turns (the second is the agency's id).
MERGE_LOCK = 81_001

TABLE = HealthSnapshot._meta.db_table
COLUMNS = [HealthSnapshot._meta.get_field(key).column for key in metrics.KEYS]
_JSON_COLUMNS = {HealthSnapshot._meta.get_field(key).column for key in metrics.KEYS
                 if metrics.BY_KEY[key].kind == metrics.Kind.WARNINGS}
_TARGETS = HealthSnapshot._meta.get_field("report_targets").column


def is_postgresql():
    return connection.vendor == "postgresql"


def new_stage_name():
    return f"health_snapshot_stage_{next(_stage_numbers)}"


def _quoted(name):
    return connection.ops.quote_name(name)


def create_stage(name):
    """The temporary stage table (dropped at commit on PostgreSQL, by ``drop_stage`` in any case)."""
    types = [HealthSnapshot._meta.get_field(key).db_type(connection) for key in metrics.KEYS]
    json_type = HealthSnapshot._meta.get_field("report_targets").db_type(connection)
    metric_columns = ", ".join(f"{_quoted(column)} {db_type}" for column, db_type in zip(COLUMNS, types, strict=True))
    on_commit = " ON COMMIT DROP" if is_postgresql() else ""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {name} (row_index bigint NOT NULL, store_id bigint NOT NULL, "
                       f"date date NOT NULL, named bigint NOT NULL, {metric_columns}, "
                       f"report_targets {json_type}){on_commit}")


def drop_stage(name):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _stage_columns():
    return ["row_index", "store_id", "date", "named", *(_quoted(column) for column in COLUMNS), "report_targets"]


def stage_rows(name, rows):
    """Add ``rows`` (tuples in the order of the stage's columns) to the stage."""
    columns = ", ".join(_stage_columns())
    with connection.cursor() as cursor:
        if is_postgresql():
            with cursor.cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
        else:
            adapt = connection.ops.adapt_datefield_value
            placeholders = ", ".join(["%s"] * len(_stage_columns()))
            cursor.executemany(f"INSERT INTO {name} ({columns}) VALUES ({placeholders})",
                               [(row[0], row[1], adapt(row[2]), *row[3:]) for row in rows])


def stores_named(stores, *, ids, seller_ids, marketplaces):
    """``stores`` (a queryset of the agency's stores) narrowed to those with one of ``ids`` or one of
    ``seller_ids`` on one of ``marketplaces``, as ``(id, seller_id, marketplace)``. On PostgreSQL the sets are
    passed as arrays (``= ANY(%s)``): a batch's 5,000 ids as 5,000 parameters cost more to send than to find."""
    table = _quoted(stores.model._meta.db_table)
    by_id = by_seller = None
    if is_postgresql():
        if ids:
            by_id = RawSQL(f"{table}.id = ANY(%s)", (list(ids),), output_field=BooleanField())
        if seller_ids:
            by_seller = RawSQL(f"({table}.seller_id = ANY(%s) AND {table}.marketplace = ANY(%s))",
                               (list(seller_ids), list(marketplaces)), output_field=BooleanField())
    else:
        by_id = Q(pk__in=ids) if ids else None
        by_seller = Q(seller_id__in=seller_ids, marketplace__in=marketplaces) if seller_ids else None
    # One condition when the batch names its stores one way (an index each); both, joined, when it mixes them.
    wanted = by_id if by_seller is None else by_seller if by_id is None else Q(by_id) | Q(by_seller)
    return stores.filter(wanted).values_list("pk", "seller_id", "marketplace")


def duplicates(name, *, limit):
    """``[(row_index, first_row_index, store_id, date)]`` of every staged row whose store and date an earlier
    row of the stage has already."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.row_index, f.first_index, s.store_id, s.date FROM {name} s "
            f"JOIN (SELECT store_id, date, MIN(row_index) AS first_index FROM {name} GROUP BY store_id, date "
            f"HAVING COUNT(*) > 1) f ON f.store_id = s.store_id AND f.date = s.date "
            f"WHERE s.row_index <> f.first_index ORDER BY s.row_index LIMIT %s",
            [limit],
        )
        return cursor.fetchall()


def _merged_targets():
    if is_postgresql():
        return "COALESCE(o.report_targets, '{}'::jsonb) || COALESCE(s.report_targets, '{}'::jsonb)"
    # SQLite: the stored targets whose key the staged ones do not name, then the staged ones.
    return ("CASE WHEN s.report_targets IS NULL THEN COALESCE(o.report_targets, '{}') ELSE ("
            "SELECT json_group_object(key, json(value)) FROM ("
            "SELECT key, value FROM json_each(COALESCE(o.report_targets, '{}')) "
            "WHERE key NOT IN (SELECT key FROM json_each(s.report_targets)) "
            "UNION ALL SELECT key, value FROM json_each(s.report_targets))) END")


def _merged_select(name):
    """Each staged row merged with the stored row of its store and day: ``is_new``, then ``old_<column>`` and
    ``new_<column>`` for every metric and the targets."""
    parts = ["s.store_id", "s.date", "o.id IS NULL AS is_new"]
    for position, column in enumerate(COLUMNS):
        quoted = _quoted(column)
        parts.append(f"o.{quoted} AS old_{column}")
        parts.append(f"CASE WHEN (s.named & {1 << position}) <> 0 THEN s.{quoted} ELSE o.{quoted} END "
                     f"AS new_{column}")
    parts.append(f"o.{_quoted(_TARGETS)} AS old_targets")
    parts.append(f"{_merged_targets()} AS new_targets")
    if is_postgresql():
        # One index probe per staged row, whatever the planner believes of the table's size: a join that sorts all
        # of a large agency's snapshots to merge a batch costs more than the batch. (LIMIT 1, true of a unique key
        # anyway, keeps the planner from flattening the lateral subquery into such a join.) Both indexes that lead
        # with the agency hold the whole key, so the probe is exact with either; before the table has statistics
        # the planner cannot tell them apart.
        return (f"SELECT {', '.join(parts)} FROM {name} s LEFT JOIN LATERAL (SELECT * FROM {TABLE} found "
                f"WHERE found.agency_id = %s AND found.store_id = s.store_id AND found.date = s.date LIMIT 1) o "
                f"ON true")
    return (f"SELECT {', '.join(parts)} FROM {name} s LEFT JOIN {TABLE} o "
            f"ON o.agency_id = %s AND o.store_id = s.store_id AND o.date = s.date")


def _differs(old, new):
    """SQL that is true when the ``old`` and ``new`` expressions (in the order of ``_compared()``) differ, NULL
    counting as a value; JSON is compared as JSON (on SQLite it is text, written by different hands)."""
    if is_postgresql():
        return f"ROW({', '.join(old)}) IS DISTINCT FROM ROW({', '.join(new)})"
    terms = [f"json({before}) IS NOT json({after})" if is_json else f"{before} IS NOT {after}"
             for before, after, is_json in zip(old, new, _compared(), strict=True)]
    return "(" + " OR ".join(terms) + ")"


def _compared():
    """Whether each compared column (the metrics, then the targets) holds JSON."""
    return [column in _JSON_COLUMNS for column in COLUMNS] + [True]


def _judged(name):
    old = [f"old_{column}" for column in COLUMNS] + ["old_targets"]
    new = [f"new_{column}" for column in COLUMNS] + ["new_targets"]
    return (f"WITH merged AS ({_merged_select(name)}), judged AS (SELECT store_id, is_new, "
            f"CASE WHEN is_new THEN 1 WHEN {_differs(old, new)} THEN 1 ELSE 0 END AS changed FROM merged) ")


def preview(name, *, agency_id):
    """``(created, updated, staged, store ids created or changed)`` that ``merge`` would give, writing nothing."""
    with connection.cursor() as cursor:
        cursor.execute(
            _judged(name) + "SELECT COALESCE(SUM(CASE WHEN is_new THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN changed = 1 AND NOT is_new THEN 1 ELSE 0 END), 0), COUNT(*) FROM judged",
            [agency_id],
        )
        created, updated, staged = cursor.fetchone()
        cursor.execute(_judged(name) + "SELECT DISTINCT store_id FROM judged WHERE changed = 1", [agency_id])
        store_ids = frozenset(row[0] for row in cursor.fetchall())
    return int(created), int(updated), int(staged), store_ids


def _upsert(name):
    quoted = [_quoted(column) for column in COLUMNS] + [_quoted(_TARGETS)]
    new = [f"m.new_{column}" for column in COLUMNS] + ["m.new_targets"]
    stored = [f"t.{column}" for column in quoted]
    incoming = [f"excluded.{column}" for column in quoted]
    where = "WHERE true " if not is_postgresql() else ""
    return (
        f"INSERT INTO {TABLE} AS t (agency_id, store_id, date, source, received_at, created_at, {', '.join(quoted)}) "
        f"SELECT %s, m.store_id, m.date, %s, %s, %s, {', '.join(new)} FROM ({_merged_select(name)}) m "
        f"{where}ORDER BY m.store_id, m.date "
        f"ON CONFLICT (agency_id, store_id, date) DO UPDATE SET source = excluded.source, "
        f"received_at = excluded.received_at, {', '.join(f'{c} = excluded.{c}' for c in quoted)} "
        f"WHERE {_differs(stored, incoming)}"
    )


def merge(name, *, agency_id, source, now):
    """Upsert the stage into the snapshots: ``(created, updated, staged, store ids created or changed)``."""
    received_at = connection.ops.adapt_datetimefield_value(now)
    parameters = [agency_id, source, received_at, received_at, agency_id]
    with connection.cursor() as cursor:
        if is_postgresql():
            # Held until the transaction ends; the statement below then reads what the agency's previous merge
            # committed (a statement of READ COMMITTED sees what was committed before it started).
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [MERGE_LOCK, agency_id])
            cursor.execute(
                f"WITH upserted AS ({_upsert(name)} RETURNING t.store_id, (t.xmax = 0) AS created) "
                f"SELECT COUNT(*) FILTER (WHERE created), COUNT(*), COALESCE(array_agg(DISTINCT store_id), '{{}}') "
                f"FROM upserted",
                parameters,
            )
            created, written, store_ids = cursor.fetchone()
            cursor.execute(f"SELECT COUNT(*) FROM {name}")
            staged = cursor.fetchone()[0]
            return created, written - created, staged, frozenset(store_ids)
        created, updated, staged, store_ids = preview(name, agency_id=agency_id)
        cursor.execute(_upsert(name), parameters)
        return created, updated, staged, store_ids
