"""The contract between a service's transform and the harness, for one micro-batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pyspark.sql import DataFrame

from lakestream.common.runtime.service import Runtime, Service
from lakestream.common.tables.schemas import TableSpec

WriteMode = Literal["append", "insert_new", "upsert"]
UNKNOWN_EVENT_TYPE = "_unknown"
"""Telemetry event-type bucket for input that names no configured event type."""
UNATTRIBUTED = "_unattributed"
"""Audit tenant bucket for input that names no onboarded tenant (ids never start with '_')."""


@dataclass
class BatchContext:
    """What a transform may use: the runtime, the batch identity and its start time."""

    runtime: Runtime
    service: Service
    flow: str
    batch_id: int
    started_at: datetime
    _cached: list[DataFrame] = field(default_factory=list)

    def cache(self, df: DataFrame) -> DataFrame:
        """Persist ``df`` for the rest of the batch (released by the harness afterwards)."""
        df = df.persist()
        self._cached.append(df)
        return df

    def release(self) -> None:
        """Unpersist everything cached during the batch."""
        for df in self._cached:
            df.unpersist()
        self._cached.clear()


@dataclass(frozen=True)
class TableWrite:
    """One idempotent write of the batch. ``output`` marks the layer's primary output."""

    spec: TableSpec
    df: DataFrame
    mode: WriteMode
    output: bool = True


@dataclass(frozen=True)
class BatchResult:
    """A transform's answer for one batch.

    ``input``: one row per input row with ``tenant`` (audit attribution), ``event_type`` (its
    bucket) and ``lag_from`` (timestamp the event entered the platform, for event lag), plus
    optionally ``file``, whose values the flow's ``verify_input`` checks.
    ``offered``: valid rows offered to a dedup write, before dedup, with ``tenant`` and
    ``event_type``; rows offered but not written count as duplicates.
    ``dlq``: rejected rows in the DLQ schema.
    ``output_is_input``: the layer folds every input row into its output (aggregations).
    """

    input: DataFrame
    writes: list[TableWrite]
    dlq: DataFrame | None = None
    offered: DataFrame | None = None
    output_is_input: bool = False
