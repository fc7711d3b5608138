"""Table maintenance: compact small files and vacuum unreferenced ones, table by table.

Streaming writes leave many small files (one or more per batch and partition); compaction
rewrites them into few large ones in a commit that changes no data, so change-feed readers skip
it. Vacuum then deletes the files no version within the retention references. Decision 0060.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lakestream.common.config import Registry
from lakestream.common.errors import LakestreamError
from lakestream.common.layout import TableLayout
from lakestream.common.redact import redact
from lakestream.common.tables.backend import (
    CompactionResult,
    FileStats,
    TableBackend,
    VacuumResult,
)
from lakestream.common.tables.schemas import (
    TableSpec,
    audit_batches,
    bronze_events,
    dlq_events,
    gold_device_minute,
    silver_events,
)

MIN_RETENTION_HOURS = 168
"""Delta's default ``deletedFileRetentionDuration`` (7 days): vacuum keeps at least this."""
TARGET_FILE_BYTES = 128 * 1024 * 1024
"""Size compaction aims at for each rewritten file."""
AREAS = ("bronze", "silver", "gold", "dlq", "audit")
"""Table areas in chain order (the ``--layer`` choices besides ``all``)."""


def layout_tables(layout: TableLayout, registry: Registry, areas: Iterable[str]) -> list[TableSpec]:
    """Every table of the chosen areas: ``silver/<event_type>`` for each configured type."""
    chosen = set(areas)
    unknown = chosen - set(AREAS)
    if unknown:
        raise ValueError(f"unknown table area(s) {sorted(unknown)}; known: {', '.join(AREAS)}")
    tables = {
        "bronze": [bronze_events(layout)],
        "silver": [silver_events(layout, registry.latest(t)) for t in registry.event_types()],
        "gold": [gold_device_minute(layout)],
        "dlq": [dlq_events(layout)],
        "audit": [audit_batches(layout)],
    }
    return [spec for area in AREAS if area in chosen for spec in tables[area]]


def check_retention(hours: int, force: bool) -> None:
    """Refuse a retention below ``MIN_RETENTION_HOURS`` unless forced, saying why."""
    if hours < 0:
        raise LakestreamError(f"retention of {hours} hours: must be 0 or more")
    if hours < MIN_RETENTION_HOURS and not force:
        raise LakestreamError(
            f"retention of {hours} hours is below {MIN_RETENTION_HOURS} (7 days): vacuum would "
            "delete files that time travel and the change-feed readers still need (a silver or "
            "gold stream lagging further behind fails, and replays as of an older version break); "
            "use --force-retention only when no reader is that far behind"
        )


@dataclass(frozen=True)
class TableMaintenance:
    """What maintenance did to one table (``before`` None: the table does not exist yet)."""

    table: str
    before: FileStats | None = None
    after: FileStats | None = None
    compaction: CompactionResult | None = None
    vacuum: VacuumResult | None = None
    error: str | None = None


def maintain(
    backend: TableBackend,
    specs: Iterable[TableSpec],
    *,
    compact: bool = True,
    vacuum: bool = True,
    retention_hours: int = MIN_RETENTION_HOURS,
    dry_run: bool = False,
    force_retention: bool = False,
    target_size: int = TARGET_FILE_BYTES,
) -> Iterator[TableMaintenance]:
    """Compact, then vacuum, each table; a failure is reported and the next table goes on.

    A dry run compacts nothing and only lists what vacuum would delete. Files a compaction
    replaces are deleted by the first vacuum after the retention has passed, not by this one.
    """
    check_retention(retention_hours, force_retention)
    for spec in specs:
        before: FileStats | None = None
        compaction: CompactionResult | None = None
        vacuumed: VacuumResult | None = None
        try:
            before = backend.file_stats(spec)
            if before is None:
                yield TableMaintenance(spec.name)
                continue
            if compact and not dry_run:
                compaction = backend.compact(spec, target_size)
            if vacuum:
                vacuumed = backend.vacuum(spec, retention_hours, dry_run, force_retention)
            after = backend.file_stats(spec)
        except Exception as exc:
            lines = str(exc).strip().splitlines()
            detail = f"{type(exc).__name__}: {redact(lines[0])}" if lines else type(exc).__name__
            yield TableMaintenance(spec.name, before, None, compaction, vacuumed, detail)
            continue
        yield TableMaintenance(spec.name, before, after, compaction, vacuumed)
