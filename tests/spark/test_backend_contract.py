"""One contract, two table backends: delta-rs (embedded) and delta-spark (Spark's own Delta Lake).

The delta-spark run needs the Delta Lake jars in the test session's JVM. Where Maven Central is
reachable: ``LAKESTREAM_SPARK_PACKAGES=io.delta:delta-spark_4.1_2.13:4.1.0 make pytest
PYTEST_ARGS=tests/spark/test_backend_contract.py`` (docs/development.md). Elsewhere it skips.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable
from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql.types import StructType

from lakestream.common.config import Registry
from lakestream.common.layout import TableLayout
from lakestream.common.spark.session import DELTA_EXTENSION
from lakestream.common.tables.arrow import with_cdf_columns
from lakestream.common.tables.backend import (
    FileStats,
    TableBackend,
    Txn,
    VacuumResult,
    WriteResult,
)
from lakestream.common.tables.deltars import DeltaRsBackend
from lakestream.common.tables.schemas import (
    CDF_ENABLED,
    TableSpec,
    audit_batches,
    bronze_events,
    dlq_events,
    gold_device_minute,
    silver_events,
)

pytestmark = pytest.mark.spark

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
DAY = date(2026, 11, 25)
BackendFactory = Callable[[], TableBackend]


def delta_jars_problem(spark: SparkSession) -> str | None:
    """Why Spark's Delta Lake cannot run in this session's JVM, or None when it can."""
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    try:
        jvm.org.apache.spark.util.Utils.classForName(DELTA_EXTENSION, True, False)
    except Exception:
        return (
            f"{DELTA_EXTENSION} is not on the JVM classpath (Delta Lake's jars are published "
            "only on Maven Central): run with LAKESTREAM_SPARK_PACKAGES="
            "io.delta:delta-spark_4.1_2.13:4.1.0 where it is reachable (docs/development.md)"
        )
    if DELTA_EXTENSION not in (spark.conf.get("spark.sql.extensions", "") or ""):
        return f"the session was started without spark.sql.extensions={DELTA_EXTENSION}"
    return None


@pytest.fixture(
    params=["delta-rs", pytest.param("delta-spark", marks=pytest.mark.needs_delta_jars)]
)
def new_backend(request: pytest.FixtureRequest, spark: SparkSession) -> BackendFactory:
    """A factory of fresh backend instances (a new instance = a restarted process)."""
    if request.param == "delta-rs":
        return DeltaRsBackend
    problem = delta_jars_problem(spark)
    if problem is not None:
        print(f"skipping delta-spark: {problem}")
        pytest.skip(problem)
    from lakestream.common.tables.deltaspark import DeltaSparkBackend

    return lambda: DeltaSparkBackend(spark)


@pytest.fixture
def layout(tmp_path: Path) -> TableLayout:
    """A fresh storage root."""
    return TableLayout.local(tmp_path / "root", "contract")


def frame(spark: SparkSession, schema: StructType, *rows: dict[str, Any]) -> DataFrame:
    """Rows given as dicts (missing columns null) in ``schema``."""
    names = schema.fieldNames()
    return spark.createDataFrame([tuple(row.get(n) for n in names) for row in rows], schema)


def silver_row(event_id: str, tenant: str = "acme", temperature: float = 21.5) -> dict[str, Any]:
    """A silver temp_humidity row."""
    return {
        "tenant_id": tenant,
        "event_id": event_id,
        "event_type": "temp_humidity",
        "event_version": 2,
        "event_time": T0,
        "device_id": "th-1",
        "temperature_c": temperature,
        "humidity_pct": 40.0,
        "ingest_time": T0,
        "ingest_date": DAY,
        "bronze_version": 1,
    }


def gold_row(device: str, count: int, tenant: str = "acme") -> dict[str, Any]:
    """A gold device-minute row."""
    return {
        "tenant_id": tenant,
        "device_id": device,
        "minute_start": T0,
        "event_count": count,
        "temperature_c_avg": 20.0,
        "first_event_time": T0,
        "last_event_time": T0,
        "updated_at": T0,
        "event_date": DAY,
    }


def audit_row(tenant: str | None, rows: int) -> dict[str, Any]:
    """An audit row (tenant None = the batch total)."""
    return {"service": "contract", "layer": "test", "tenant_id": tenant, "input_rows": rows}


def every_table(layout: TableLayout, registry: Registry) -> list[TableSpec]:
    """Every table of DESIGN.md, silver for every event type of the shipped registry."""
    silver = [silver_events(layout, registry.latest(t)) for t in registry.event_types()]
    return [
        bronze_events(layout),
        dlq_events(layout),
        audit_batches(layout),
        gold_device_minute(layout),
        *silver,
    ]


def collect_changes(
    backend: TableBackend, spark: SparkSession, spec: TableSpec, checkpoint: Path
) -> list[Row]:
    """Every change row the table's change feed delivers now (availableNow), from its checkpoint.

    Each micro-batch goes through ``backend.changes``, as the runner does.
    """
    rows: list[Row] = []

    def batch(frame: DataFrame, _: int) -> None:
        changes = backend.changes(spark, spec, frame)
        assert changes.schema.fieldNames() == with_cdf_columns(spec.schema).fieldNames()
        rows.extend(changes.collect())

    stream = backend.change_feed(spark, spec)
    assert stream.isStreaming
    query = (
        stream.writeStream.foreachBatch(batch)
        .option("checkpointLocation", str(checkpoint))
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination()
    assert query.exception() is None
    return rows


def test_ensure_creates_every_table_with_cdf_partitions_and_schema(
    new_backend: BackendFactory, spark: SparkSession, layout: TableLayout, registry: Registry
) -> None:
    backend = new_backend()
    specs = every_table(layout, registry)
    assert {s.name for s in specs} >= {"silver/temp_humidity", "silver/rfid_scan"}
    for spec in specs:
        backend.ensure(spec)
        backend.ensure(spec)
        assert backend.latest_version(spec) == 0, spec.name
        table = DeltaTable(spec.location)
        assert table.metadata().configuration.items() >= CDF_ENABLED.items(), spec.name
        assert tuple(table.metadata().partition_columns) == spec.partition_by, spec.name
        read = backend.read(spark, spec)
        assert read.schema.fieldNames() == spec.schema.fieldNames(), spec.name
        assert [f.dataType for f in read.schema] == [f.dataType for f in spec.schema], spec.name


def test_ensure_adds_missing_columns_as_nullable(
    new_backend: BackendFactory, spark: SparkSession, layout: TableLayout, registry: Registry
) -> None:
    backend = new_backend()
    full = silver_events(layout, registry.latest("temp_humidity"))
    narrow = TableSpec(
        full.name,
        full.location,
        StructType([f for f in full.schema if f.name != "firmware_version"]),
        full.partition_by,
        full.keys,
    )
    backend.ensure(narrow)
    backend.insert_new(narrow, frame(spark, narrow.schema, silver_row("e1")), Txn("c.s", 0))
    backend.ensure(full)
    rows = backend.read(spark, full).collect()
    assert [(r["event_id"], r["firmware_version"]) for r in rows] == [("e1", None)]


def test_append_is_idempotent_per_txn(
    new_backend: BackendFactory, spark: SparkSession, layout: TableLayout
) -> None:
    backend = new_backend()
    spec = audit_batches(layout)
    backend.ensure(spec)
    batch = frame(spark, spec.schema, audit_row(None, 3), audit_row("acme", 2), audit_row("x", 1))
    first = backend.append(spec, batch, Txn("lakestream.contract.main", 0))
    assert first == WriteResult(1, replayed=False)
    again = backend.append(spec, batch, Txn("lakestream.contract.main", 0))
    assert again == WriteResult(1, replayed=True)
    assert backend.read(spark, spec).count() == 3
    assert backend.inserted_keys(spec, 1, ("tenant_id",)) == {(None,): 1, ("acme",): 1, ("x",): 1}
    other_app = backend.append(spec, batch, Txn("lakestream.other.main", 0))
    assert other_app == WriteResult(2, replayed=False)
    empty = backend.append(spec, frame(spark, spec.schema), Txn("lakestream.contract.main", 1))
    assert empty == WriteResult(None)
    assert backend.latest_version(spec) == 2
    assert backend.read(spark, spec).count() == 6


def test_delete_rows_removes_one_tenant_and_the_feed_shows_deletes(
    new_backend: BackendFactory,
    spark: SparkSession,
    layout: TableLayout,
    registry: Registry,
    tmp_path: Path,
) -> None:
    backend = new_backend()
    spec = silver_events(layout, registry.latest("temp_humidity"))
    assert backend.delete_rows(spec, "tenant_id", "selftest") == 0, "no table yet"
    backend.ensure(spec)
    rows = [silver_row("a1"), silver_row("s1", "selftest"), silver_row("s2", "selftest")]
    backend.append(spec, frame(spark, spec.schema, *rows), Txn("lakestream.contract.main", 0))
    assert backend.delete_rows(spec, "tenant_id", "selftest") == 2
    assert backend.delete_rows(spec, "tenant_id", "selftest") == 0
    assert backend.delete_rows(spec, "tenant_id", "it's") == 0, "a quote is a literal"
    assert [r["event_id"] for r in backend.read(spark, spec).collect()] == ["a1"]
    kinds = sorted(
        (r["event_id"], r["_change_type"]) for r in collect_changes(backend, spark, spec, tmp_path)
    )
    assert ("s1", "insert") in kinds and ("s1", "delete") in kinds
    assert ("a1", "delete") not in kinds


def test_insert_new_skips_existing_keys_and_replays(
    new_backend: BackendFactory, spark: SparkSession, layout: TableLayout, registry: Registry
) -> None:
    backend = new_backend()
    spec = silver_events(layout, registry.latest("temp_humidity"))
    backend.ensure(spec)
    first = frame(spark, spec.schema, silver_row("e1"), silver_row("e2", tenant="globex"))
    assert backend.insert_new(spec, first, Txn("lakestream.silver.t", 0)) == WriteResult(1)
    second = frame(
        spark,
        spec.schema,
        silver_row("e1", temperature=99.0),
        silver_row("e3"),
        silver_row("e1", tenant="initech"),
    )
    written = backend.insert_new(spec, second, Txn("lakestream.silver.t", 1))
    assert written == WriteResult(2)
    assert backend.inserted_keys(spec, 2, ("tenant_id", "event_id")) == {
        ("acme", "e3"): 1,
        ("initech", "e1"): 1,
    }
    assert backend.insert_new(spec, second, Txn("lakestream.silver.t", 1)) == WriteResult(
        2, replayed=True
    )
    rows = {
        (r["tenant_id"], r["event_id"]): r["temperature_c"]
        for r in backend.read(spark, spec).collect()
    }
    assert rows == {
        ("acme", "e1"): 21.5,
        ("globex", "e2"): 21.5,
        ("acme", "e3"): 21.5,
        ("initech", "e1"): 21.5,
    }
    filtered = backend.read(
        spark, spec, filters=[("tenant_id", "in", ["acme"]), ("event_time", ">=", T0)]
    )
    assert sorted(r["event_id"] for r in filtered.collect()) == ["e1", "e3"]
    either = backend.read(
        spark,
        spec,
        filters=[("tenant_id", "in", ["acme"])],
        any_of=[[("event_id", "=", "e3")], [("event_id", "=", "e2")]],
    )
    assert [r["event_id"] for r in either.collect()] == ["e3"]
    as_of_first = backend.read(spark, spec, version=1)
    assert sorted(r["event_id"] for r in as_of_first.collect()) == ["e1", "e2"]


def test_upsert_updates_matches_and_inserts_the_rest(
    new_backend: BackendFactory, spark: SparkSession, layout: TableLayout
) -> None:
    backend = new_backend()
    spec = gold_device_minute(layout)
    backend.ensure(spec)
    backend.upsert(spec, frame(spark, spec.schema, gold_row("d1", 1)), Txn("g", 0))
    later = frame(spark, spec.schema, gold_row("d1", 5), gold_row("d2", 2, tenant="globex"))
    assert backend.upsert(spec, later, Txn("g", 1)) == WriteResult(2)
    assert backend.upsert(spec, later, Txn("g", 1)) == WriteResult(2, replayed=True)
    assert backend.inserted_keys(spec, 2, ("tenant_id",)) == {("globex",): 1}
    rows = {
        (r["tenant_id"], r["device_id"]): r["event_count"]
        for r in backend.read(spark, spec).collect()
    }
    assert rows == {("acme", "d1"): 5, ("globex", "d2"): 2}


def test_update_matched_updates_only_matching_rows_with_expressions(
    new_backend: BackendFactory, spark: SparkSession, layout: TableLayout
) -> None:
    backend = new_backend()
    spec = gold_device_minute(layout)
    backend.ensure(spec)
    rows = frame(spark, spec.schema, gold_row("d1", 1), gold_row("d2", 2))
    backend.upsert(spec, rows, Txn("g", 0))
    changes = frame(spark, spec.schema, gold_row("d1", 10), gold_row("d9", 7))
    updates = {"event_count": "t.event_count + s.event_count"}
    backend.update_matched(spec, changes, updates)
    backend.update_matched(spec, changes.limit(0), updates)
    counts = {r["device_id"]: r["event_count"] for r in backend.read(spark, spec).collect()}
    assert counts == {"d1": 11, "d2": 2}


def test_change_feed_streams_each_commit_once_from_its_checkpoint(
    new_backend: BackendFactory, spark: SparkSession, layout: TableLayout, tmp_path: Path
) -> None:
    backend = new_backend()
    spec = gold_device_minute(layout)
    backend.ensure(spec)
    backend.upsert(spec, frame(spark, spec.schema, gold_row("d1", 1)), Txn("g", 0))
    backend.upsert(spec, frame(spark, spec.schema, gold_row("d1", 3)), Txn("g", 1))
    checkpoint = tmp_path / "cdf-checkpoint"
    rows = collect_changes(backend, spark, spec, checkpoint)
    seen = sorted((r["_commit_version"], r["_change_type"], r["event_count"]) for r in rows)
    assert seen == [(1, "insert", 1), (2, "update_postimage", 3), (2, "update_preimage", 1)]
    backend.upsert(spec, frame(spark, spec.schema, gold_row("d2", 7)), Txn("g", 2))
    resumed = collect_changes(backend, spark, spec, checkpoint)
    assert [(r["_commit_version"], r["_change_type"], r["device_id"]) for r in resumed] == [
        (3, "insert", "d2")
    ]


def test_a_new_backend_instance_sees_committed_transactions(
    new_backend: BackendFactory, spark: SparkSession, layout: TableLayout, registry: Registry
) -> None:
    spec = silver_events(layout, registry.latest("temp_humidity"))
    audit = audit_batches(layout)
    before = new_backend()
    before.ensure(spec)
    before.ensure(audit)
    batch = frame(spark, spec.schema, silver_row("e1"))
    assert before.insert_new(spec, batch, Txn("lakestream.silver.t", 7)) == WriteResult(1)
    audit_df = frame(spark, audit.schema, audit_row(None, 1))
    assert before.append(audit, audit_df, Txn("lakestream.silver.t", 7)) == WriteResult(1)
    after = new_backend()
    assert after.insert_new(spec, batch, Txn("lakestream.silver.t", 7)) == WriteResult(1, True)
    assert after.append(audit, audit_df, Txn("lakestream.silver.t", 7)) == WriteResult(1, True)
    assert after.read(spark, spec).count() == 1
    assert after.read(spark, audit).count() == 1
    assert after.latest_version(spec) == 1


def data_files(spec: TableSpec) -> int:
    """Parquet files on disk under a path-addressed table, referenced or not."""
    return sum(1 for p in Path(spec.location).rglob("*.parquet") if "_delta_log" not in p.parts)


def small_appends(backend: TableBackend, spark: SparkSession, spec: TableSpec, n: int) -> None:
    """``n`` appends of one audit row each: at least ``n`` small files."""
    for batch in range(n):
        backend.append(spec, frame(spark, spec.schema, audit_row(None, batch)), Txn("m", batch))


def test_compaction_rewrites_small_files_in_a_commit_the_change_feed_skips(
    new_backend: BackendFactory, spark: SparkSession, layout: TableLayout, tmp_path: Path
) -> None:
    backend = new_backend()
    spec = audit_batches(layout)
    assert backend.file_stats(spec) is None
    backend.ensure(spec)
    assert backend.file_stats(spec) == FileStats(0, 0)
    small_appends(backend, spark, spec, 3)
    before = backend.file_stats(spec)
    assert before is not None and before.files >= 3
    checkpoint = tmp_path / "cdf-checkpoint"
    assert len(collect_changes(backend, spark, spec, checkpoint)) == 3
    done = backend.compact(spec, 64 * 1024 * 1024)
    assert (done.files_removed, done.bytes_removed) == (before.files, before.bytes)
    assert done.files_added == 1
    assert backend.file_stats(spec) == FileStats(1, done.bytes_added)
    assert backend.latest_version(spec) == 4
    assert collect_changes(backend, spark, spec, checkpoint) == []
    assert sorted(r["input_rows"] for r in backend.read(spark, spec).collect()) == [0, 1, 2]
    again = backend.compact(spec, 64 * 1024 * 1024)
    assert (again.files_removed, again.files_added) == (0, 0)


def test_vacuum_deletes_replaced_files_only_past_the_retention(
    new_backend: BackendFactory, spark: SparkSession, layout: TableLayout
) -> None:
    backend = new_backend()
    spec = audit_batches(layout)
    backend.ensure(spec)
    small_appends(backend, spark, spec, 3)
    replaced = backend.compact(spec, 64 * 1024 * 1024).files_removed
    on_disk = data_files(spec)
    assert on_disk == replaced + 1
    assert backend.vacuum(spec, 168) == VacuumResult(0, dry_run=False)
    assert backend.vacuum(spec, 0, dry_run=True, force=True) == VacuumResult(replaced, True)
    assert data_files(spec) == on_disk
    with pytest.raises(Exception, match="retention"):
        backend.vacuum(spec, 0)
    assert backend.vacuum(spec, 0, force=True) == VacuumResult(replaced, dry_run=False)
    assert data_files(spec) == 1
    assert backend.read(spark, spec).count() == 3


def test_filter_terms_translate_to_spark_predicates(spark: SparkSession) -> None:
    from lakestream.common.tables.filters import predicate

    df = spark.createDataFrame([(1, "a"), (2, "b"), (3, "c")], "n int, s string")

    def kept(column: str, op: str, value: Any) -> list[int]:
        return sorted(r["n"] for r in df.where(predicate(column, op, value)).collect())

    assert kept("n", "=", 2) == [2]
    assert kept("n", "!=", 2) == [1, 3]
    assert kept("n", "<", 2) == [1]
    assert kept("n", "<=", 2) == [1, 2]
    assert kept("n", ">", 2) == [3]
    assert kept("n", ">=", 2) == [2, 3]
    assert kept("s", "in", ["a", "c"]) == [1, 3]
    assert kept("s", "not in", ["a", "c"]) == [2]
    with pytest.raises(ValueError, match="unsupported filter operator"):
        predicate("n", "like", "x")


def test_exists_is_true_once_ensured(new_backend: BackendFactory, layout: TableLayout) -> None:
    backend = new_backend()
    spec = gold_device_minute(layout)
    assert backend.exists(spec) is False
    backend.ensure(spec)
    assert backend.exists(spec) is True


def test_change_batch_reads_the_changes_of_a_range_of_commits(
    new_backend: BackendFactory, spark: SparkSession, layout: TableLayout
) -> None:
    backend = new_backend()
    if not backend.python_change_feed:
        pytest.skip("change_batch belongs to backends whose feed offsets are versions (0107)")
    spec = gold_device_minute(layout)
    backend.ensure(spec)
    for version, count in enumerate((1, 3, 5)):
        backend.upsert(spec, frame(spark, spec.schema, gold_row("d1", count)), Txn("g", version))
    rows = backend.change_batch(spark, spec, 1, 2).collect()
    seen = sorted((r["_commit_version"], r["_change_type"], r["event_count"]) for r in rows)
    assert seen == [(2, "update_postimage", 3), (2, "update_preimage", 1)]
    assert backend.change_batch(spark, spec, 3, 3).count() == 0
