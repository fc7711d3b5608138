"""Windowed reads of the lakestream tables with ``deltalake`` (no Spark needed)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

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
            "this command reads tables by path with deltalake; tables addressed by catalog name "
            "(LAKESTREAM_CATALOG) are not supported yet"
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


def rows(
    path: str, columns: list[str], time_column: str, since: datetime | None
) -> list[dict[str, Any]]:
    """Rows of ``columns`` of a Delta table with ``time_column >= since`` ([] without a table)."""
    if not DeltaTable.is_deltatable(path):
        return []
    wanted = list(dict.fromkeys([*columns, time_column]))
    found: list[dict[str, Any]] = DeltaTable(path).to_pyarrow_table(columns=wanted).to_pylist()
    if since is None:
        return found
    return [r for r in found if r[time_column] is not None and r[time_column] >= since]


def audit(
    layout: TableLayout, since: datetime | None, status: str | None = SUCCEEDED
) -> list[dict[str, Any]]:
    """Audit rows (of ``status``; None: every status) whose batch started at or after ``since``."""
    found = rows(layout.audit_batches, AUDIT_COLUMNS, "started_at", since)
    return [r for r in found if status is None or r["status"] == status]


def silver_types(layout: TableLayout) -> list[str]:
    """Event types that have a silver table on disk."""
    base = Path(layout.table("silver"))
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if DeltaTable.is_deltatable(str(p)))
