"""Reason codes and their stages, the table layout, and every table's columns (DESIGN.md)."""

from __future__ import annotations

import pytest
from pyspark.sql.types import (
    BinaryType,
    BooleanType,
    DataType,
    DateType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructType,
    TimestampType,
)

from lakestream.common.config import ContractVersion, FieldType, Registry
from lakestream.common.layout import TableLayout
from lakestream.common.reasons import ReasonCode, Stage
from lakestream.common.tables import schemas

pytestmark = pytest.mark.unit

# ---- reason codes (DESIGN.md, "DLQ reason codes") ---------------------------------------------

DESIGN_REASONS = {
    "INVALID_JSON": "bronze",
    "INVALID_ENVELOPE": "bronze",
    "PAYLOAD_TOO_LARGE": "bronze",
    "UNKNOWN_TENANT": "bronze",
    "UNKNOWN_EVENT_TYPE": "bronze",
    "UNSUPPORTED_VERSION": "bronze",
    "TENANT_MISMATCH": "bronze",
    "CONTRACT_VIOLATION": "silver",
}


def test_reason_codes_are_exactly_the_designed_ones() -> None:
    assert {code.value for code in ReasonCode} == set(DESIGN_REASONS)


@pytest.mark.parametrize(("code", "stage"), sorted(DESIGN_REASONS.items()))
def test_reason_stage(code: str, stage: str) -> None:
    reason = ReasonCode(code)
    assert reason.stage is Stage(stage)
    assert reason == code
    assert f"{reason}" == code


def test_stage_values() -> None:
    assert {s.value for s in Stage} == {"bronze", "silver"}


# ---- layout (DESIGN.md, "Tables") -------------------------------------------------------------


@pytest.mark.parametrize("root", ["/lake", "/lake/", "/lake//"])
def test_layout_paths(root: str) -> None:
    layout = TableLayout(root, "prod")
    assert layout.base == "/lake/prod"
    assert layout.bronze_events == "/lake/prod/bronze/events"
    assert layout.silver("rfid_scan") == "/lake/prod/silver/rfid_scan"
    assert layout.gold_device_minute == "/lake/prod/gold/device_minute"
    assert layout.dlq_events == "/lake/prod/dlq/events"
    assert layout.audit_batches == "/lake/prod/audit/batches"
    assert layout.checkpoint("silver") == "/lake/prod/_checkpoints/silver/main"
    assert layout.checkpoint("gold", "device_minute") == (
        "/lake/prod/_checkpoints/gold/device_minute"
    )
    assert layout.landing == "/lake/prod/landing"
    assert layout.table("bronze/events") == layout.bronze_events


def test_layout_keeps_uri_roots() -> None:
    layout = TableLayout("abfss://lake@acct.dfs.core.windows.net", "dev")
    assert layout.dlq_events == "abfss://lake@acct.dfs.core.windows.net/dev/dlq/events"


def test_local_layout_is_absolute(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("lake")
    layout = TableLayout.local(root / "a" / ".." / "b")
    assert layout.env == "local"
    assert layout.root == str((root / "b").resolve())
    assert layout.bronze_events == f"{(root / 'b').resolve()}/local/bronze/events"


def test_layouts_of_different_envs_do_not_overlap() -> None:
    a, b = TableLayout("/lake", "dev"), TableLayout("/lake", "prod")
    paths_a = {a.bronze_events, a.dlq_events, a.audit_batches, a.checkpoint("bronze")}
    paths_b = {b.bronze_events, b.dlq_events, b.audit_batches, b.checkpoint("bronze")}
    assert not paths_a & paths_b


# ---- table columns (DESIGN.md, "Table columns") -----------------------------------------------


def names(schema: StructType) -> list[str]:
    return [f.name for f in schema.fields]


def types(schema: StructType) -> dict[str, DataType]:
    return {f.name: f.dataType for f in schema.fields}


SOURCE_FIELDS = [
    "kind",
    "file",
    "line",
    "partition",
    "sequence_number",
    "offset",
    "enqueued_time",
]


def test_source_struct() -> None:
    assert names(schemas.SOURCE_STRUCT) == SOURCE_FIELDS
    t = types(schemas.SOURCE_STRUCT)
    assert t["line"] == LongType()
    assert t["sequence_number"] == LongType()
    assert t["enqueued_time"] == TimestampType()


def test_bronze_columns() -> None:
    assert names(schemas.BRONZE_EVENTS) == [
        "tenant_id",
        "event_type",
        "event_version",
        "event_id",
        "event_time",
        "source_id",
        "payload_json",
        "raw_body",
        "source",
        "ingest_time",
        "ingest_date",
    ]
    t = types(schemas.BRONZE_EVENTS)
    assert t["event_version"] == IntegerType()
    assert t["event_time"] == TimestampType()
    assert t["payload_json"] == StringType()
    assert t["raw_body"] == BinaryType()
    assert t["source"] == schemas.SOURCE_STRUCT
    assert t["ingest_time"] == TimestampType()
    assert t["ingest_date"] == DateType()


def test_dlq_columns() -> None:
    assert names(schemas.DLQ_EVENTS) == [
        "dlq_id",
        "stage",
        "reason_code",
        "reason_detail",
        "tenant_id",
        "event_type",
        "event_version",
        "event_id",
        "raw_body",
        "source",
        "failed_at",
        "ingest_date",
        "replay_status",
        "replay_attempts",
        "last_replay_at",
        "last_replay_id",
    ]
    t = types(schemas.DLQ_EVENTS)
    assert t["raw_body"] == BinaryType()
    assert t["source"] == schemas.SOURCE_STRUCT
    assert t["failed_at"] == TimestampType()
    assert t["last_replay_at"] == TimestampType()
    assert all(f.nullable for f in schemas.DLQ_EVENTS.fields), "tenant_id etc. may be unknown"


def test_audit_columns() -> None:
    assert names(schemas.AUDIT_BATCHES) == [
        "service",
        "service_version",
        "layer",
        "run_id",
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
    t = types(schemas.AUDIT_BATCHES)
    for count in ("input_rows", "output_rows", "dlq_rows", "duplicate_rows", "batch_id"):
        assert t[count] == LongType()
    assert t["tenant_id"] == StringType()


def test_gold_columns() -> None:
    assert names(schemas.GOLD_DEVICE_MINUTE) == [
        "tenant_id",
        "device_id",
        "minute_start",
        "event_count",
        "temperature_c_min",
        "temperature_c_avg",
        "temperature_c_max",
        "humidity_pct_avg",
        "battery_pct_last",
        "first_event_time",
        "last_event_time",
        "updated_at",
        "event_date",
    ]
    t = types(schemas.GOLD_DEVICE_MINUTE)
    assert t["minute_start"] == TimestampType()
    assert t["event_count"] == LongType()
    assert t["event_date"] == DateType()


def test_silver_temp_humidity_columns(registry: Registry) -> None:
    schema = schemas.silver_schema(registry.latest("temp_humidity"))
    assert names(schema) == [
        "tenant_id",
        "event_id",
        "event_type",
        "event_version",
        "event_time",
        "device_id",
        "temperature_c",
        "humidity_pct",
        "battery_pct",
        "firmware_version",
        "source_id",
        "ingest_time",
        "ingest_date",
        "bronze_version",
    ]
    t = types(schema)
    assert t["event_version"] == IntegerType()
    assert t["event_time"] == TimestampType()
    assert t["device_id"] == StringType()
    for double in ("temperature_c", "humidity_pct", "battery_pct"):
        assert t[double] == DoubleType()
    assert t["firmware_version"] == StringType()
    assert t["bronze_version"] == LongType()


def test_silver_rfid_scan_columns(registry: Registry) -> None:
    schema = schemas.silver_schema(registry.latest("rfid_scan"))
    payload = names(schema)[5:-4]
    assert payload == ["device_id", "tag_id", "reader_zone", "signal_dbm"]
    assert types(schema)["signal_dbm"] == LongType()


def test_silver_schema_maps_every_field_type(tmp_path_factory: pytest.TempPathFactory) -> None:
    contract = ContractVersion.model_validate(
        {
            "event_type": "gadget",
            "version": 1,
            "fields": [
                {"name": "s", "type": "string"},
                {"name": "i", "type": "integer"},
                {"name": "d", "type": "double"},
                {"name": "b", "type": "boolean"},
                {"name": "t", "type": "timestamp"},
            ],
            "source_file": tmp_path_factory.mktemp("c") / "v1.yml",
        }
    )
    t = types(schemas.silver_schema(contract))
    assert [t[n] for n in "sidbt"] == [
        StringType(),
        LongType(),
        DoubleType(),
        BooleanType(),
        TimestampType(),
    ]
    assert set(schemas.SPARK_TYPES) == set(FieldType)


def test_table_specs(registry: Registry) -> None:
    layout = TableLayout("/lake", "prod")
    bronze = schemas.bronze_events(layout)
    assert (bronze.name, bronze.location) == ("bronze/events", layout.bronze_events)
    assert bronze.schema == schemas.BRONZE_EVENTS
    assert bronze.partition_by == ("tenant_id", "event_type", "ingest_date")

    silver = schemas.silver_events(layout, registry.latest("temp_humidity"))
    assert (silver.name, silver.location) == (
        "silver/temp_humidity",
        "/lake/prod/silver/temp_humidity",
    )
    assert silver.partition_by == ("tenant_id", "event_type", "ingest_date")
    assert silver.keys == ("tenant_id", "event_id")

    gold = schemas.gold_device_minute(layout)
    assert gold.location == layout.gold_device_minute
    assert gold.partition_by == ("tenant_id", "event_date")
    assert gold.keys == ("tenant_id", "device_id", "minute_start")

    dlq = schemas.dlq_events(layout)
    assert dlq.location == layout.dlq_events
    assert dlq.keys == ("dlq_id",)
    assert dlq.partition_by == ("ingest_date",)

    audit = schemas.audit_batches(layout)
    assert audit.location == layout.audit_batches
    assert audit.schema == schemas.AUDIT_BATCHES

    for spec in (bronze, silver, gold, dlq):
        assert set(spec.partition_by) <= set(names(spec.schema))
        assert set(spec.keys) <= set(names(spec.schema))

    assert schemas.CDF_ENABLED == {"delta.enableChangeDataFeed": "true"}
