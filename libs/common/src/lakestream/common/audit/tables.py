"""Windowed reads of the lakestream tables with ``deltalake`` (no Spark needed)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable

from lakestream.common.errors import LakestreamError, NoTablesError
from lakestream.common.layout import TableLayout
from lakestream.common.runtime.audit import SUCCEEDED

AUDIT_COLUMNS = [
    "service",
    "layer",
    "batch_id",
    "tenant_id",
    "input_rows",
    "output_rows",
    "dlq_rows",
    "duplicate_rows",
    "status",
    "error",
    "started_at",
    "finished_at",
    "latency_ms",
    "event_lag_ms_p50",
    "event_lag_ms_max",
]


def require_paths(layout: TableLayout) -> None:
    """Operator reads use ``deltalake`` on table paths: refuse catalog-named layouts clearly."""
    if layout.by_name:
        raise LakestreamError(
            "this command reads tables by path with deltalake, without Spark; tables addressed "
            "by catalog name (LAKESTREAM_CATALOG) are reconciled on the workspace by the "
            "lakestream-reconcile job (`databricks bundle run reconcile -t <target>`)"
        )


def has_tables(layout: TableLayout) -> bool:
    """True when the layout's environment holds the audit table or bronze's table."""
    return any(
        DeltaTable.is_deltatable(path) for path in (layout.audit_batches, layout.bronze_events)
    )


def environments(root: str) -> list[str]:
    """Environments under a local storage root that hold lakestream tables."""
    base = Path(root)
    if "://" in root or not base.is_dir():
        return []
    return sorted(
        child.name
        for child in base.iterdir()
        if child.is_dir() and has_tables(TableLayout(str(base), child.name))
    )


def require_tables(layout: TableLayout) -> None:
    """Raise NoTablesError naming the path read and the environments that do hold tables."""
    if layout.by_name or has_tables(layout):
        return
    found = environments(layout.root)
    where = f"no lakestream tables under {layout.base} (environment {layout.env!r})"
    if found:
        raise NoTablesError(
            f"{where}; environments with tables under {layout.root}: {', '.join(found)} "
            "(pass --env NAME or set LAKESTREAM_ENV)"
        )
    raise NoTablesError(
        f"{where}, nor in any other environment under {layout.root}: run a layer first "
        "(lakestream run --once) or pass the --root the jobs write to"
    )


def _window(time_column: str, since: datetime | None) -> pc.Expression | None:
    """The scan filter ``time_column >= since`` (None: no window); a null time is outside."""
    if since is None:
        return None
    return pc.field(time_column) >= pa.scalar(since, pa.timestamp("us", "UTC"))


def _condition(
    time_column: str, since: datetime | None, where: pc.Expression | None
) -> pc.Expression | None:
    """``time_column >= since`` and ``where``, either optional."""
    window = _window(time_column, since)
    if window is None or where is None:
        return window if where is None else where
    return window & where


def rows(
    path: str,
    columns: list[str],
    time_column: str,
    since: datetime | None,
    where: pc.Expression | None = None,
) -> list[dict[str, Any]]:
    """Rows of ``columns`` of a Delta table with ``time_column >= since`` and ``where`` ([]
    without a table)."""
    if not DeltaTable.is_deltatable(path):
        return []
    wanted = list(dict.fromkeys([*columns, time_column]))
    dataset = DeltaTable(path).to_pyarrow_dataset()
    found: list[dict[str, Any]] = dataset.to_table(
        columns=wanted, filter=_condition(time_column, since, where)
    ).to_pylist()
    return found


def sums(
    path: str,
    keys: Sequence[str],
    time_column: str,
    since: datetime | None,
    measures: Sequence[str] = (),
    where: pc.Expression | None = None,
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """Per distinct ``keys`` of the rows with ``time_column >= since`` (and ``where``): the row
    count, then the sum of each of ``measures`` (a null adds 0).

    One grouped scan, batch by batch: memory holds the scanner's read-ahead batches and the
    groups, never the table, so it works at any table size.
    """
    found: dict[tuple[Any, ...], list[int]] = {}
    if not DeltaTable.is_deltatable(path):
        return {}
    columns = list(dict.fromkeys([*keys, *measures]))
    aggregate: list[tuple[str | list[str], str]] = [([], "count_all")]
    aggregate += [(m, "sum") for m in measures]
    labels = ["count_all", *(f"{m}_sum" for m in measures)]
    dataset = DeltaTable(path).to_pyarrow_dataset()
    for batch in dataset.to_batches(columns=columns, filter=_condition(time_column, since, where)):
        if not batch.num_rows:
            continue
        grouped = pa.Table.from_batches([batch]).group_by(list(keys)).aggregate(aggregate)
        for group in grouped.to_pylist():
            total = found.setdefault(tuple(group[k] for k in keys), [0] * len(labels))
            for i, label in enumerate(labels):
                total[i] += int(group[label] or 0)
    return {key: tuple(total) for key, total in found.items()}


def dlq_by_reason(layout: TableLayout, since: datetime | None) -> dict[tuple[str, str], int]:
    """DLQ rows that failed at or after ``since``, per (stage, reason code), sorted."""
    groups = sums(layout.dlq_events, ["stage", "reason_code"], "failed_at", since)
    return dict(sorted(((str(stage), str(reason)), n[0]) for (stage, reason), n in groups.items()))


class PathReads:
    """Reconciliation's reads of a local (or any deltalake-readable) root, without Spark."""

    def __init__(self, layout: TableLayout) -> None:
        require_paths(layout)
        self.layout = layout

    def sums(
        self,
        table: str,
        keys: Sequence[str],
        time_column: str,
        since: datetime | None,
        measures: Sequence[str] = (),
    ) -> dict[tuple[Any, ...], tuple[int, ...]]:
        """:func:`sums` of the table at ``table`` (a layout location)."""
        return sums(table, keys, time_column, since, measures)

    def audit_sums(
        self, keys: Sequence[str], since: datetime | None, measures: Sequence[str]
    ) -> dict[tuple[Any, ...], tuple[int, ...]]:
        """:func:`sums` of the SUCCEEDED audit rows whose batch started at or after ``since``."""
        succeeded = pc.field("status") == SUCCEEDED
        return sums(self.layout.audit_batches, keys, "started_at", since, measures, succeeded)

    def unbalanced(self, since: datetime | None) -> list[dict[str, Any]]:
        """SUCCEEDED audit rows whose input is not output + dlq + duplicates."""
        written = pc.field("output_rows") + pc.field("dlq_rows") + pc.field("duplicate_rows")
        law = (pc.field("status") == SUCCEEDED) & (pc.field("input_rows") != written)
        return rows(self.layout.audit_batches, AUDIT_COLUMNS, "started_at", since, law)

    def silver_tables(self) -> list[str]:
        """Locations of the silver tables on disk."""
        return [self.layout.silver(t) for t in silver_types(self.layout)]


def audit(
    layout: TableLayout, since: datetime | None, status: str | None = SUCCEEDED
) -> list[dict[str, Any]]:
    """Audit rows (of ``status``; None: every status) whose batch started at or after ``since``."""
    where = None if status is None else pc.field("status") == status
    return rows(layout.audit_batches, AUDIT_COLUMNS, "started_at", since, where)


def silver_types(layout: TableLayout) -> list[str]:
    """Event types that have a silver table on disk."""
    base = Path(layout.table("silver"))
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if DeltaTable.is_deltatable(str(p)))
