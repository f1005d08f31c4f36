"""A batch of snapshot rows on its way in: validated as a set, staged in a temporary table, then previewed or
merged into the snapshots in one statement (``health.ingestion.raw_sql``).

Used inside ``transaction.atomic()``, so that a refused batch leaves no trace::

    with transaction.atomic(), SnapshotStage(agency=agency, source=Source.API) as stage:
        errors = stage.add(rows)
        errors += stage.duplicate_errors()
        if errors:
            raise BatchRejected(errors)
        result = stage.merge()

``add`` may be called many times (a CSV file, chunk by chunk): each call resolves the store references of its
rows in one query and stages the good rows; a row with any error is not staged.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import marketplaces
from accounts.models import Store
from accounts.selectors import visible_stores

from ..models import Source
from . import raw_sql
from .results import RowError, UpsertResult
from .validation import DATE, RowChecker, date_error, unknown_seller, unknown_store


class SnapshotStage:
    """Validate and stage rows of ``agency`` from ``source``; ``text=True`` takes values as a CSV's text.

    ``caller`` (an ``accounts.tenancy.Caller``), when given, narrows the stores a row may name to those the caller
    sees (an operator: their own); another store is answered as one that does not exist.
    """

    def __init__(self, *, agency, source, text=False, caller=None):
        self.agency = agency
        self.source = source
        self.text = text
        self.caller = caller
        self.checker = RowChecker(text=text, takes_report_targets=source == Source.REPORT)
        self.name = raw_sql.new_stage_name()
        self.staged = 0
        self._today = {}
        self._open = False

    # -- the temporary table -----------------------------------------------------------------------------------
    def __enter__(self):
        if not connection.in_atomic_block:
            raise RuntimeError("SnapshotStage is used inside transaction.atomic()")
        raw_sql.create_stage(self.name)
        self._open = True
        return self

    def __exit__(self, kind, error, traceback):
        # After a database error the transaction is rolled back as a whole, and the stage with it.
        if self._open and not connection.needs_rollback and connection.is_usable():
            try:
                raw_sql.drop_stage(self.name)
            except Exception:  # noqa: BLE001 - the rollback that follows removes the table anyway
                if kind is None:
                    raise
        self._open = False
        return False

    # -- rows --------------------------------------------------------------------------------------------------
    def add(self, rows, *, first_index=0, indexes=None):
        """Validate ``rows`` and stage the good ones; the errors of the others, each with the row's position
        (``indexes[i]`` when given, else ``first_index + i``)."""
        errors = []
        pending = []
        check = self.checker.check
        positions = indexes if indexes is not None else range(first_index, first_index + len(rows))
        for index, row in zip(positions, rows, strict=True):
            row_errors, reference, day, values, named, targets = check(index, row)
            if row_errors:
                errors.extend(row_errors)
                if reference is None or day is None:
                    # Nothing more to learn from its store; a good reference still gets checked below.
                    continue
            pending.append((index, reference, day, values, named, targets, bool(row_errors)))

        stores_by_id, stores_by_seller = self._resolve(reference for _index, reference, *_rest in pending)
        staged = []
        for index, reference, day, values, named, targets, refused in pending:
            if reference[0] == "id":
                store = stores_by_id.get(reference[1])
                if store is None:
                    errors.append(unknown_store(index, reference[1]))
                    continue
            else:
                store = stores_by_seller.get((reference[1], reference[2]))
                if store is None:
                    errors.append(unknown_seller(index, reference[1], reference[2]))
                    continue
            store_id, marketplace = store
            late = date_error(index, day, today=self._today_in(marketplace), marketplace=marketplace)
            if late is not None:
                errors.append(late)
            elif not refused:
                staged.append((index, store_id, day, named, *values, targets))
        if staged:
            raw_sql.stage_rows(self.name, staged)
            self.staged += len(staged)
        return errors

    def _resolve(self, references):
        """``({store id: (id, marketplace)}, {(seller id, marketplace): (id, marketplace)})`` of the stores the
        references name, in one query, among the agency's stores (the caller's, when given)."""
        ids, sellers, codes = set(), set(), set()
        for reference in references:
            if reference[0] == "id":
                ids.add(reference[1])
            else:
                sellers.add(reference[1])
                codes.add(reference[2])
        if not ids and not sellers:
            return {}, {}
        stores = (Store.objects.filter(agency=self.agency) if self.caller is None
                  else visible_stores(agency=self.agency, caller=self.caller))
        by_id, by_seller = {}, {}
        for pk, seller_id, marketplace in raw_sql.stores_named(stores, ids=ids, seller_ids=sellers,
                                                               marketplaces=codes):
            by_id[pk] = by_seller[(seller_id, marketplace)] = (pk, marketplace)
        return ({pk: store for pk, store in by_id.items() if pk in ids},
                {key: store for key, store in by_seller.items() if key[0] in sellers})

    def _today_in(self, code):
        today = self._today.get(code)
        if today is None:
            found = marketplaces.marketplace(code)
            zone = ZoneInfo(found.time_zone) if found else timezone.get_default_timezone()
            today = self._today[code] = datetime.now(zone).date()
        return today

    def duplicate_errors(self, *, limit=None):
        """The rows that repeat the store and date of an earlier staged row, each naming that earlier row."""
        word = _("line %(number)s") if self.text else _("row %(number)s")
        return [
            RowError(index, DATE, _("Store %(store)s has another row for %(date)s in this batch (%(other)s).")
                     % {"store": store_id, "date": str(day), "other": word % {"number": first}})
            for index, first, store_id, day in raw_sql.duplicates(self.name, limit=limit or 2**62)
        ]

    # -- the upsert --------------------------------------------------------------------------------------------
    def preview(self):
        """What ``merge`` would do, writing nothing to the snapshots."""
        created, updated, staged, store_ids = raw_sql.preview(self.name, agency_id=self.agency.pk)
        return UpsertResult(created=created, updated=updated, unchanged=staged - created - updated,
                            store_ids=store_ids)

    def merge(self):
        """Upsert the staged rows: created, updated and unchanged rows, and the stores whose rows changed."""
        created, updated, staged, store_ids = raw_sql.merge(self.name, agency_id=self.agency.pk, source=self.source,
                                                            now=timezone.now())
        return UpsertResult(created=created, updated=updated, unchanged=staged - created - updated,
                            store_ids=store_ids)
