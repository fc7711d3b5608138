"""Selecting DLQ rows: the filters every ``lakestream dlq`` command shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable

from lakestream.common.audit.tables import require_paths
from lakestream.common.layout import TableLayout
from lakestream.common.runtime.service import Runtime
from lakestream.common.tables.arrow import arrow_schema, conform
from lakestream.common.tables.schemas import DLQ_EVENTS, dlq_events

PENDING = "pending"
REPLAYED = "replayed"
FAILED_AGAIN = "failed_again"
STATUSES = (PENDING, REPLAYED, FAILED_AGAIN)
REPLAYABLE = (PENDING, FAILED_AGAIN)


@dataclass(frozen=True)
class DlqFilter:
    """Conjunctive filter over ``dlq/events``; ``None`` means "any"."""

    tenant_id: str | None = None
    event_type: str | None = None
    event_version: int | None = None
    stage: str | None = None
    reason_code: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    statuses: tuple[str, ...] | None = None

    def mask(self, table: pa.Table) -> pa.ChunkedArray | pa.Array:
        """Boolean mask of the rows of a ``dlq/events`` Arrow table that match."""
        mask = pa.array([True] * table.num_rows, pa.bool_())
        equals = {
            "tenant_id": self.tenant_id,
            "event_type": self.event_type,
            "event_version": self.event_version,
            "stage": self.stage,
            "reason_code": self.reason_code,
        }
        for column, value in equals.items():
            if value is not None:
                mask = pc.and_kleene(mask, pc.fill_null(pc.equal(table[column], value), False))
        if self.since is not None:
            mask = pc.and_kleene(mask, pc.greater_equal(table["failed_at"], self.since))
        if self.until is not None:
            mask = pc.and_kleene(mask, pc.less(table["failed_at"], self.until))
        if self.statuses is not None:
            allowed = pa.array(list(self.statuses), pa.string())
            mask = pc.and_kleene(mask, pc.is_in(table["replay_status"], value_set=allowed))
        return pc.fill_null(mask, False)


def utc(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC; a naive time is taken as UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def dlq_filter(
    tenant: str | None = None,
    event_type: str | None = None,
    version: int | None = None,
    stage: str | None = None,
    reason: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    status: str | None = None,
) -> DlqFilter:
    """The filter the command-line options select (times in UTC, one status or any)."""
    return DlqFilter(
        tenant,
        event_type,
        version,
        stage,
        reason,
        utc(since),
        utc(until),
        (status,) if status else None,
    )


def read_dlq(layout: TableLayout, where: DlqFilter | None = None) -> pa.Table:
    """Rows of ``dlq/events`` matching ``where``, in failure order (empty when there is no DLQ)."""
    require_paths(layout)
    schema = arrow_schema(DLQ_EVENTS)
    if not DeltaTable.is_deltatable(layout.dlq_events):
        return schema.empty_table()
    table = conform(DeltaTable(layout.dlq_events).to_pyarrow_table(), schema)
    if where is not None:
        table = table.filter(where.mask(table))
    return table.sort_by([("failed_at", "ascending"), ("dlq_id", "ascending")])


def select_rows(runtime: Runtime, where: DlqFilter) -> pa.Table:
    """Rows of ``dlq/events`` matching ``where`` read through the runtime's table backend
    (paths or Unity Catalog names), in failure order."""
    spec = dlq_events(runtime.layout)
    runtime.backend.ensure(spec)
    rows = runtime.backend.read(runtime.spark, spec).toArrow()
    table = conform(rows, arrow_schema(DLQ_EVENTS))
    table = table.filter(where.mask(table))
    return table.sort_by([("failed_at", "ascending"), ("dlq_id", "ascending")])


def find_row(layout: TableLayout, dlq_id: str) -> dict[str, object] | None:
    """The DLQ row whose id is ``dlq_id`` or starts with it (unique prefix), else None."""
    table = read_dlq(layout)
    hits = table.filter(pc.starts_with(table["dlq_id"], dlq_id))
    if hits.num_rows != 1:
        return None
    row: dict[str, object] = hits.to_pylist()[0]
    return row
