"""The contract between a service's transform and the harness, for one micro-batch.

A transform imports from here only (plus its own service's modules and pyspark): the batch's
context and result, the audit buckets, the DLQ shaping, the reason codes and the table specs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pyspark.sql import DataFrame

from lakestream.common.config import ProductConfig
from lakestream.common.reasons import ReasonCode, Stage
from lakestream.common.runtime.dlq import to_dlq
from lakestream.common.runtime.service import Runtime, Service
from lakestream.common.sql import MAX_TIMESTAMP_MICROS, in_list
from lakestream.common.tables.schemas import (
    BRONZE_EVENTS,
    GOLD_DEVICE_MINUTE,
    TableSpec,
    bronze_events,
    gold_device_minute,
    silver_events,
)

__all__ = [
    "BRONZE_EVENTS",
    "GOLD_DEVICE_MINUTE",
    "MAX_TIMESTAMP_MICROS",
    "UNATTRIBUTED",
    "UNKNOWN_EVENT_TYPE",
    "BatchContext",
    "BatchResult",
    "ProductConfig",
    "ReasonCode",
    "Stage",
    "TableSpec",
    "TableWrite",
    "WriteMode",
    "bronze_events",
    "gold_device_minute",
    "silver_events",
    "tenant_bucket",
    "to_dlq",
    "type_bucket",
]

WriteMode = Literal["append", "insert_new", "upsert"]
UNKNOWN_EVENT_TYPE = "_unknown"
"""Telemetry event-type bucket for input that names no configured event type."""
UNATTRIBUTED = "_unattributed"
"""Audit tenant bucket for input that names no onboarded tenant (ids never start with '_')."""


def tenant_bucket(column: str, tenants: list[str]) -> str:
    """SQL: the column's value when it is an onboarded tenant, else the unattributed bucket."""
    return f"CASE WHEN {column} IN {in_list(tenants)} THEN {column} ELSE '{UNATTRIBUTED}' END"


def type_bucket(column: str, event_types: list[str]) -> str:
    """SQL: the column's value when it is a configured event type, else ``_unknown``."""
    return (
        f"CASE WHEN {column} IN {in_list(event_types)} THEN {column} "
        f"ELSE '{UNKNOWN_EVENT_TYPE}' END"
    )


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
