"""RAW SQL: the only module of the health app that writes ``StoreHealth`` with a hand-written statement, on
PostgreSQL (elsewhere ``evaluation`` writes through the ORM).

One evaluated chunk (at most ``evaluation.CHUNK`` stores) is one ``INSERT … SELECT … FROM jsonb_to_recordset(%s)
ON CONFLICT (store_id) DO UPDATE``: the rows travel as one JSON document, parsed by PostgreSQL. Django's
``bulk_create`` would send them as arrays of strings, and quoting each store's evaluations (a few kilobytes of JSON)
inside a text array costs more than everything else the evaluation does.

The statement filters by ``agency_id`` explicitly (the scope of django-scopes does not reach raw SQL): a conflict
with another agency's row updates nothing.
"""

import msgspec
from django.db import connection

from .models import StoreHealth

TABLE = StoreHealth._meta.db_table
#: The written columns with their types in the JSON document (``agency_id``, ``created_at`` and ``evaluated_at`` come
#: as parameters: the same for the whole chunk).
_ROW_COLUMNS = {"store_id": "bigint", "date": "date", "colour": "text", "worst_metric": "text",
                "red_count": "smallint", "yellow_count": "smallint", "ahr_score": "smallint", "evaluations": "jsonb",
                "week_ago_date": "date", "week_ago_colour": "text", "week_ago_ahr_score": "smallint"}
_UPDATED = [*(name for name in _ROW_COLUMNS if name != "store_id"), "evaluated_at"]


def _q(name):
    return connection.ops.quote_name(name)


_STATEMENT = (
    f"INSERT INTO {_q(TABLE)} (agency_id, created_at, evaluated_at, {', '.join(map(_q, _ROW_COLUMNS))}) "
    f"SELECT %(agency)s, %(now)s, %(now)s, {', '.join(f'r.{_q(name)}' for name in _ROW_COLUMNS)} "
    f"FROM jsonb_to_recordset(%(rows)s::jsonb) AS r({', '.join(f'{_q(n)} {t}' for n, t in _ROW_COLUMNS.items())}) "
    # A stable order: two chunks that share a store never wait on each other in opposite orders.
    f"ORDER BY r.store_id "
    f"ON CONFLICT (store_id) DO UPDATE SET {', '.join(f'{_q(n)} = EXCLUDED.{_q(n)}' for n in _UPDATED)} "
    f"WHERE {_q(TABLE)}.agency_id = EXCLUDED.agency_id"
)


def _row(health):
    return {"store_id": health.store_id, "date": health.date, "colour": health.colour,
            "worst_metric": health.worst_metric, "red_count": health.red_count, "yellow_count": health.yellow_count,
            "ahr_score": health.ahr_score, "evaluations": health.evaluations, "week_ago_date": health.week_ago_date,
            "week_ago_colour": health.week_ago_colour, "week_ago_ahr_score": health.week_ago_ahr_score}


def store_health_write(*, agency_id, rows, now):
    """Insert or update the ``StoreHealth`` rows ``rows`` (unsaved instances of ``agency_id``'s stores) in one
    statement, evaluated at ``now``."""
    # ``enc_hook``: the colours and rules are choices (``str`` enums), written as their values.
    document = msgspec.json.encode([_row(health) for health in rows], enc_hook=str).decode()
    with connection.cursor() as cursor:
        cursor.execute(_STATEMENT, {"agency": agency_id, "now": now, "rows": document})
