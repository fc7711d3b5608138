"""Reconciliation's reads through the configured table backend and catalog, on Spark: the
grouping runs on the executors and only the groups reach the driver (``lakestream-reconcile``
on a workspace, where the tables are Unity Catalog names read by delta-spark)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pyspark.sql import Column
from pyspark.sql import functions as F

from lakestream.common.audit.tables import AUDIT_COLUMNS
from lakestream.common.runtime.audit import SUCCEEDED
from lakestream.common.runtime.service import Runtime
from lakestream.common.tables.backend import Filter
from lakestream.common.tables.schemas import TableSpec, audit_batches, tenant_tables


class BackendReads:
    """:class:`~lakestream.common.audit.reconcile.Reads` through ``runtime.backend``."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.audit = audit_batches(runtime.layout)
        self.specs = {s.location: s for s in tenant_tables(runtime.layout, runtime.registry)}

    def _grouped(
        self,
        spec: TableSpec,
        keys: Sequence[str],
        filters: list[Filter],
        measures: Sequence[str],
    ) -> dict[tuple[Any, ...], tuple[int, ...]]:
        backend = self.runtime.backend
        if not backend.exists(spec):
            return {}
        sums = [F.coalesce(F.sum(m), F.lit(0)).alias(f"sum_{i}") for i, m in enumerate(measures)]
        groups = (
            backend.read(self.runtime.spark, spec, filters=filters)
            .groupBy(*keys)
            .agg(F.count(F.lit(1)).alias("rows"), *sums)
            .collect()
        )
        return {
            tuple(g[k] for k in keys): (
                int(g["rows"]),
                *(int(g[f"sum_{i}"]) for i in range(len(measures))),
            )
            for g in groups
        }

    def sums(
        self,
        table: str,
        keys: Sequence[str],
        time_column: str,
        since: datetime | None,
        measures: Sequence[str] = (),
    ) -> dict[tuple[Any, ...], tuple[int, ...]]:
        """Per distinct ``keys`` of ``table`` (a layout location) with ``time_column >= since``:
        the row count, then each measure's sum."""
        return self._grouped(self.specs[table], keys, _window(time_column, since), measures)

    def audit_sums(
        self, keys: Sequence[str], since: datetime | None, measures: Sequence[str]
    ) -> dict[tuple[Any, ...], tuple[int, ...]]:
        """The same of the SUCCEEDED audit rows whose batch started at or after ``since``."""
        return self._grouped(self.audit, keys, _succeeded(since), measures)

    def unbalanced(self, since: datetime | None) -> list[dict[str, Any]]:
        """SUCCEEDED audit rows whose input is not output + dlq + duplicates."""
        if not self.runtime.backend.exists(self.audit):
            return []
        written: Column = F.col("output_rows") + F.col("dlq_rows") + F.col("duplicate_rows")
        found = (
            self.runtime.backend.read(self.runtime.spark, self.audit, filters=_succeeded(since))
            .where(F.col("input_rows") != written)
            .select(*AUDIT_COLUMNS)
            .collect()
        )
        return [row.asDict() for row in found]

    def silver_tables(self) -> list[str]:
        """Locations of the silver tables of the registry's event types that exist."""
        backend = self.runtime.backend
        return [
            location
            for location, spec in self.specs.items()
            if spec.event_type is not None and backend.exists(spec)
        ]


def _window(time_column: str, since: datetime | None) -> list[Filter]:
    return [] if since is None else [(time_column, ">=", since)]


def _succeeded(since: datetime | None) -> list[Filter]:
    return [*_window("started_at", since), ("status", "=", SUCCEEDED)]
