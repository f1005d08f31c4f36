"""RAW SQL: the only module of the reviews app that writes ``StoreReview`` with a hand-written statement, on
PostgreSQL (elsewhere, and on SQLite, ``services.cycle_open`` writes through the ORM).

Opening a cycle writes every store's pending review, with its frozen month (a few kilobytes of JSON each), in one
``INSERT … SELECT … FROM jsonb_to_recordset(%s) ON CONFLICT (agency_id, cycle_id, store_id) DO NOTHING``: the rows
travel as one JSON document, parsed by PostgreSQL. Django's ``bulk_create`` would send each column as an array of
strings, and quoting 10,000 summaries inside a text array costs more than computing them. A review another worker
wrote first is left as it is (its unique constraint holds one per store and cycle).

The statement names the agency explicitly (the scope of django-scopes does not reach raw SQL).
"""

import msgspec
from django.db import connection

from .models import StoreReview

TABLE = StoreReview._meta.db_table


def _q(name):
    return connection.ops.quote_name(name)


_STATEMENT = (
    f"INSERT INTO {_q(TABLE)} (agency_id, cycle_id, created_at, updated_at, summary_at, status, answers, "
    f"issues_found, comment, store_id, reviewer_id, summary) "
    f"SELECT %(agency)s, %(cycle)s, %(now)s, %(now)s, %(now)s, %(status)s, '{{}}'::jsonb, false, '', "
    f"r.store_id, r.reviewer_id, r.summary "
    f"FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(store_id bigint, reviewer_id bigint, summary jsonb) "
    f"ORDER BY r.store_id "
    f"ON CONFLICT (agency_id, cycle_id, store_id) DO NOTHING"
)


def store_reviews_insert(*, agency_id, cycle_id, rows, now):
    """Insert the pending reviews ``rows`` (``(store_id, reviewer_id or None, summary dict)``) of the cycle
    ``cycle_id`` of ``agency_id`` in one statement, at ``now``; a store already reviewed in the cycle is skipped."""
    document = msgspec.json.encode([{"store_id": store_id, "reviewer_id": reviewer_id, "summary": summary}
                                    for store_id, reviewer_id, summary in rows]).decode()
    with connection.cursor() as cursor:
        cursor.execute(_STATEMENT, {"agency": agency_id, "cycle": cycle_id, "now": now,
                                    "status": StoreReview.Status.PENDING, "rows": document})
