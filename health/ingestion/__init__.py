"""Ingestion of daily metrics: one validation (``validation``), one set-based upsert (``raw_sql``), whichever way
the rows come in (the bulk API, Amazon's report, a CSV file). ``SnapshotStage`` is the entry point; the services
``health.services.snapshots_upsert`` and ``snapshots_import_csv`` use it."""

from .results import BatchRejected, RowError, UpsertResult
from .stage import SnapshotStage

__all__ = ["BatchRejected", "RowError", "SnapshotStage", "UpsertResult"]
