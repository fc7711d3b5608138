"""Spark schemas of every lakestream table (DESIGN.md, "Table columns")."""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql.types import (
    BinaryType,
    BooleanType,
    DataType,
    DateType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from lakestream.common.config import ContractVersion, FieldType, Registry
from lakestream.common.layout import TableLayout

CDF_ENABLED = {"delta.enableChangeDataFeed": "true"}
DATA_PARTITIONS = ("tenant_id", "event_type", "ingest_date")

SOURCE_STRUCT = StructType(
    [
        StructField("kind", StringType()),
        StructField("file", StringType()),
        StructField("line", LongType()),
        StructField("partition", StringType()),
        StructField("sequence_number", LongType()),
        StructField("offset", StringType()),
        StructField("enqueued_time", TimestampType()),
    ]
)


def _schema(*fields: tuple[str, DataType]) -> StructType:
    return StructType([StructField(name, dtype) for name, dtype in fields])


BRONZE_EVENTS = _schema(
    ("tenant_id", StringType()),
    ("event_type", StringType()),
    ("event_version", IntegerType()),
    ("event_id", StringType()),
    ("event_time", TimestampType()),
    ("source_id", StringType()),
    ("payload_json", StringType()),
    ("raw_body", BinaryType()),
    ("source", SOURCE_STRUCT),
    ("ingest_time", TimestampType()),
    ("ingest_date", DateType()),
)

DLQ_EVENTS = _schema(
    ("dlq_id", StringType()),
    ("stage", StringType()),
    ("reason_code", StringType()),
    ("reason_detail", StringType()),
    ("tenant_id", StringType()),
    ("event_type", StringType()),
    ("event_version", IntegerType()),
    ("event_id", StringType()),
    ("raw_body", BinaryType()),
    ("source", SOURCE_STRUCT),
    ("failed_at", TimestampType()),
    ("ingest_date", DateType()),
    ("replay_status", StringType()),
    ("replay_attempts", IntegerType()),
    ("last_replay_at", TimestampType()),
    ("last_replay_id", StringType()),
)

AUDIT_BATCHES = _schema(
    ("service", StringType()),
    ("service_version", StringType()),
    ("layer", StringType()),
    ("run_id", StringType()),
    ("batch_id", LongType()),
    ("tenant_id", StringType()),
    ("input_rows", LongType()),
    ("output_rows", LongType()),
    ("dlq_rows", LongType()),
    ("duplicate_rows", LongType()),
    ("status", StringType()),
    ("error", StringType()),
    ("started_at", TimestampType()),
    ("finished_at", TimestampType()),
    ("latency_ms", LongType()),
    ("event_lag_ms_p50", LongType()),
    ("event_lag_ms_max", LongType()),
)

GOLD_DEVICE_MINUTE = _schema(
    ("tenant_id", StringType()),
    ("device_id", StringType()),
    ("minute_start", TimestampType()),
    ("event_count", LongType()),
    ("temperature_c_min", DoubleType()),
    ("temperature_c_avg", DoubleType()),
    ("temperature_c_max", DoubleType()),
    ("humidity_pct_avg", DoubleType()),
    ("battery_pct_last", DoubleType()),
    ("first_event_time", TimestampType()),
    ("last_event_time", TimestampType()),
    ("updated_at", TimestampType()),
    ("event_date", DateType()),
)

SPARK_TYPES: dict[FieldType, DataType] = {
    FieldType.STRING: StringType(),
    FieldType.INTEGER: LongType(),
    FieldType.DOUBLE: DoubleType(),
    FieldType.BOOLEAN: BooleanType(),
    FieldType.TIMESTAMP: TimestampType(),
}


def silver_schema(latest: ContractVersion) -> StructType:
    """Silver columns: envelope, the latest contract's payload fields typed, lineage."""
    head = [
        ("tenant_id", StringType()),
        ("event_id", StringType()),
        ("event_type", StringType()),
        ("event_version", IntegerType()),
        ("event_time", TimestampType()),
    ]
    payload = [(f.name, SPARK_TYPES[f.type]) for f in latest.fields]
    tail = [
        ("source_id", StringType()),
        ("ingest_time", TimestampType()),
        ("ingest_date", DateType()),
        ("bronze_version", LongType()),
    ]
    return _schema(*head, *payload, *tail)


@dataclass(frozen=True)
class TableSpec:
    """A table: where it lives, its columns, partitioning and (for merges) its key."""

    name: str
    location: str
    schema: StructType
    partition_by: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    event_type: str | None = None
    """Set for tables that hold one event type (``silver/<event_type>``)."""
    derived_partitions: tuple[str, ...] = ()
    """Partition columns computed from the key (gold's ``event_date`` of ``minute_start``)."""

    @property
    def key_partitions(self) -> tuple[str, ...]:
        """Partition columns a row's key determines: a MERGE prunes to the batch's values."""
        return tuple(k for k in self.keys if k in self.partition_by) + self.derived_partitions

    @property
    def by_name(self) -> bool:
        """True when ``location`` is a catalog table name (a path always contains a ``/``)."""
        return "/" not in self.location


def bronze_events(layout: TableLayout) -> TableSpec:
    """``bronze/events``."""
    return TableSpec("bronze/events", layout.bronze_events, BRONZE_EVENTS, DATA_PARTITIONS)


def dlq_events(layout: TableLayout) -> TableSpec:
    """``dlq/events``: partitioned by ingest_date only (tenant ids here are untrusted input)."""
    return TableSpec("dlq/events", layout.dlq_events, DLQ_EVENTS, ("ingest_date",), ("dlq_id",))


def audit_batches(layout: TableLayout) -> TableSpec:
    """``audit/batches``."""
    return TableSpec("audit/batches", layout.audit_batches, AUDIT_BATCHES)


def silver_events(layout: TableLayout, latest: ContractVersion) -> TableSpec:
    """``silver/<event_type>`` for the latest contract version of that type."""
    return TableSpec(
        f"silver/{latest.event_type}",
        layout.silver(latest.event_type),
        silver_schema(latest),
        DATA_PARTITIONS,
        ("tenant_id", "event_id"),
        latest.event_type,
    )


def gold_device_minute(layout: TableLayout) -> TableSpec:
    """``gold/device_minute``: ``event_date`` is the date of the key's ``minute_start``."""
    return TableSpec(
        "gold/device_minute",
        layout.gold_device_minute,
        GOLD_DEVICE_MINUTE,
        ("tenant_id", "event_date"),
        ("tenant_id", "device_id", "minute_start"),
        derived_partitions=("event_date",),
    )


def tenant_tables(layout: TableLayout, registry: Registry) -> list[TableSpec]:
    """Every table that holds tenants' rows: bronze, each event type's silver, gold, the DLQ."""
    silver = [silver_events(layout, registry.latest(t)) for t in registry.event_types()]
    return [bronze_events(layout), *silver, gold_device_minute(layout), dlq_events(layout)]
