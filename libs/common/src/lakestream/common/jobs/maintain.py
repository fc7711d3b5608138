"""Maintenance (``lakestream maintain``, the ``lakestream-maintain`` job): compact and vacuum
every table of the layout (decision 0060)."""

from __future__ import annotations

from enum import StrEnum

from lakestream.common.config import load_registry
from lakestream.common.errors import LakestreamError
from lakestream.common.redact import redact
from lakestream.common.settings import Settings
from lakestream.common.tables.backend import FileStats, TableBackend
from lakestream.common.tables.backends import open_backend
from lakestream.common.tables.maintenance import (
    AREAS,
    MIN_RETENTION_HOURS,
    TableMaintenance,
    check_retention,
    layout_tables,
    maintain,
)

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


class MaintainLayer(StrEnum):
    """Table areas ``lakestream maintain`` accepts."""

    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    DLQ = "dlq"
    AUDIT = "audit"
    ALL = "all"


def _backend(settings: Settings) -> TableBackend:
    """delta-rs needs no Spark; the native backend runs on the (possibly Databricks') session."""
    from lakestream.common.spark.session import get_spark

    return open_backend(settings, lambda: get_spark(settings))


def _size(n: int) -> str:
    exponent = min(len(_UNITS) - 1, max(0, (n.bit_length() - 1) // 10))
    return f"{n} B" if exponent == 0 else f"{n / 1024**exponent:.1f} {_UNITS[exponent]}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _files(stats: FileStats) -> str:
    return f"{_count(stats.files, 'file')} ({_size(stats.bytes)})"


def describe(done: TableMaintenance, retention_hours: int) -> str:
    """One line per table: files and bytes before -> after, what compaction and vacuum did."""
    if done.before is None and done.error is None:
        return f"{done.table}: does not exist yet, skipped"
    parts = []
    if done.before is not None:
        files = _files(done.before)
        if done.after is not None:
            files += f" -> {_files(done.after)}" if done.after != done.before else ", unchanged"
        parts.append(files)
    if done.compaction is not None:
        c = done.compaction
        parts.append(
            f"compacted {_count(c.files_removed, 'file')} ({_size(c.bytes_removed)}) into "
            f"{c.files_added} ({_size(c.bytes_added)})"
            if c.files_removed
            else "nothing to compact"
        )
    if done.vacuum is not None:
        verb = "would delete" if done.vacuum.dry_run else "deleted"
        parts.append(
            f"vacuum {verb} {_count(done.vacuum.files_deleted, 'file')} unreferenced for "
            f"{retention_hours} h"
        )
    if done.error is not None:
        parts.append(f"FAILED: {done.error}")
    return f"{done.table}: " + "; ".join(parts)


def run_maintain(
    settings: Settings,
    layer: MaintainLayer = MaintainLayer.ALL,
    *,
    compact: bool = True,
    vacuum: bool = True,
    retention_hours: int = MIN_RETENTION_HOURS,
    force_retention: bool = False,
    dry_run: bool = False,
) -> int:
    """Compact and vacuum every table; exit 1 when any table failed (the others still run)."""
    check_retention(retention_hours, force_retention)
    registry = load_registry(settings.config_dir)
    areas = AREAS if layer is MaintainLayer.ALL else (layer.value,)
    specs = layout_tables(settings.layout, registry, areas)
    mode = " (dry run)" if dry_run else ""
    print(
        redact(
            f"lakestream maintain {_count(len(specs), 'table')}{mode} "
            f"root={settings.layout.base} backend={settings.backend}"
        ),
        flush=True,
    )
    failed: list[TableMaintenance] = []
    for done in maintain(
        _backend(settings),
        specs,
        compact=compact,
        vacuum=vacuum,
        retention_hours=retention_hours,
        dry_run=dry_run,
        force_retention=force_retention,
    ):
        print(redact(describe(done, retention_hours)), flush=True)
        if done.error is not None:
            failed.append(done)
    if failed:
        detail = "; ".join(f"{d.table} ({d.error})" for d in failed)
        raise LakestreamError(
            f"maintenance failed on {len(failed)} of {len(specs)} tables: {detail}"
        )
    return 0
