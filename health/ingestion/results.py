"""What an ingestion answers: the errors of a refused batch, row by row, and the counts of an accepted one."""

from dataclasses import dataclass
from typing import NamedTuple


class RowError(NamedTuple):
    """One problem of one row. ``index`` is the row's 0-based position in the batch (a CSV's line number, header
    = line 1, in a CSV import); ``field`` the key of the row in error (a metric key, ``store``, ``seller_id``,
    ``marketplace``, ``date``, ``report_targets`` or the unknown key itself); ``message`` names the value."""

    index: int
    field: str
    message: str

    def as_json(self):
        return {"index": self.index, "field": self.field, "message": str(self.message)}


class BatchRejected(Exception):
    """A batch with at least one bad row: nothing of it was written. ``errors`` lists every bad row."""

    def __init__(self, errors):
        self.errors = sorted(errors, key=lambda error: error.index)
        super().__init__(f"{len(self.errors)} row error(s)")

    def as_json(self):
        return [error.as_json() for error in self.errors]


@dataclass(frozen=True)
class UpsertResult:
    """What an upsert did (or, previewed, would do): rows created, rows updated, rows that changed nothing, and
    the stores whose snapshots were created or changed (those to evaluate again)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    store_ids: frozenset = frozenset()

    def as_json(self):
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
