"""How the embedded backend's keyed writes bound their work (decision 0099).

Insert-if-absent scans only the batch's candidate keys and serialises with other writers of the
table through its write lock; MERGEs prune to the partitions the batch's keys determine.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from deltalake import DeltaTable, write_deltalake
from pyspark.sql import SparkSession

from lakestream.common.config import Registry
from lakestream.common.layout import TableLayout
from lakestream.common.tables.backend import Txn, WriteResult
from lakestream.common.tables.deltars import DeltaRsBackend, _present_keys
from lakestream.common.tables.schemas import TableSpec, gold_device_minute, silver_events
from lakestream.common.tables.write_lock import exclusive, lock_file
from tests.spark.test_backend_contract import DAY, T0, frame, gold_row, silver_row

pytestmark = pytest.mark.spark


@pytest.fixture
def layout(tmp_path: Path) -> TableLayout:
    """A fresh storage root."""
    return TableLayout.local(tmp_path / "root", "writes")


@pytest.fixture
def silver(layout: TableLayout, registry: Registry) -> TableSpec:
    """``silver/temp_humidity`` of the fresh root (not created yet)."""
    return silver_events(layout, registry.latest("temp_humidity"))


def test_present_keys_are_the_batch_keys_the_table_holds_in_the_batch_tenants(
    spark: SparkSession, silver: TableSpec
) -> None:
    backend, spec = DeltaRsBackend(), silver
    backend.ensure(spec)
    held = [silver_row(f"e{i}", tenant=("acme", "globex")[i % 2]) for i in range(400)]
    backend.insert_new(spec, frame(spark, spec.schema, *held), Txn("t", 0))
    rows = frame(
        spark,
        spec.schema,
        silver_row("e2"),
        silver_row("e3"),
        silver_row("new-1"),
        silver_row("e5", tenant="initech"),
    )
    present = _present_keys(DeltaTable(spec.location), spec, backend._arrow(spec, rows))
    assert sorted(zip(*present.to_pydict().values(), strict=True)) == [("acme", "e2")]
    written = backend.insert_new(spec, rows, Txn("t", 1))
    assert written.version is not None
    inserted = backend.inserted_keys(spec, written.version, ("event_id",))
    assert sorted(str(key) for (key,) in inserted) == ["e3", "e5", "new-1"]


@pytest.mark.parametrize("rows", [None, 4], ids=["executor-files", "small-batch-arrow"])
def test_both_write_paths_commit_the_same_rows_once(
    spark: SparkSession, silver: TableSpec, rows: int | None
) -> None:
    backend, spec = DeltaRsBackend(), silver
    backend.ensure(spec)
    first = frame(spark, spec.schema, silver_row("e1"), silver_row("e2", tenant="globex"))
    backend.append(spec, first, Txn("t", 0), rows)
    again = frame(spark, spec.schema, silver_row("e2", tenant="globex"), silver_row("e3"))
    written = backend.insert_new(spec, again, Txn("t", 1), rows)
    replayed = backend.insert_new(spec, again, Txn("t", 1), rows)
    assert (replayed.version, replayed.replayed) == (written.version, True)
    keys = DeltaTable(spec.location).to_pyarrow_table(columns=["tenant_id", "event_id"])
    assert sorted(zip(*keys.to_pydict().values(), strict=True)) == [
        ("acme", "e1"),
        ("acme", "e3"),
        ("globex", "e2"),
    ]
    data_files = [p for p in Path(spec.location).rglob("*.parquet") if "_delta_log" not in p.parts]
    assert len(data_files) == len(DeltaTable(spec.location).file_uris())


def test_insert_new_waits_for_the_table_write_lock(spark: SparkSession, silver: TableSpec) -> None:
    backend, spec = DeltaRsBackend(), silver
    backend.ensure(spec)
    batch = frame(spark, spec.schema, silver_row("e1"))
    results: list[WriteResult] = []
    with exclusive(spec.location):
        writer = threading.Thread(
            target=lambda: results.append(backend.insert_new(spec, batch, Txn("t", 0)))
        )
        writer.start()
        writer.join(timeout=2)
        assert writer.is_alive(), "insert_new wrote while another writer held the lock"
        assert backend.latest_version(spec) == 0
    writer.join(timeout=60)
    assert results == [WriteResult(1)]
    assert lock_file(spec.location).exists()
    would_delete = DeltaTable(spec.location).vacuum(
        0, dry_run=True, enforce_retention_duration=False, full=True
    )
    assert would_delete == []


def test_insert_new_on_a_url_location_is_a_merge_that_skips_existing_keys(
    spark: SparkSession, silver: TableSpec
) -> None:
    backend = DeltaRsBackend()
    spec = replace(silver, location=f"file://{silver.location}")
    backend.ensure(spec)
    backend.insert_new(spec, frame(spark, spec.schema, silver_row("e1")), Txn("t", 0))
    second = frame(spark, spec.schema, silver_row("e1", temperature=99.0), silver_row("e2"))
    assert backend.insert_new(spec, second, Txn("t", 1)) == WriteResult(2)
    assert DeltaTable(spec.location).history(1)[0]["operation"] == "MERGE"
    rows = {r["event_id"]: r["temperature_c"] for r in backend.read(spark, spec).collect()}
    assert rows == {"e1": 21.5, "e2": 21.5}
    assert not lock_file(silver.location).exists()


def test_gold_upsert_scans_only_the_days_of_the_batch(
    spark: SparkSession, layout: TableLayout, caplog: pytest.LogCaptureFixture
) -> None:
    backend = DeltaRsBackend()
    spec = gold_device_minute(layout)
    backend.ensure(spec)
    days = [{**gold_row("d1", 1), "minute_start": T0 + timedelta(days=n)} for n in range(3)]
    for n, row in enumerate(days):
        row["event_date"] = DAY + timedelta(days=n)
    for n, row in enumerate(days):
        backend.upsert(spec, frame(spark, spec.schema, row), Txn("g", n))
    late = {**days[1], "event_count": 5}
    with caplog.at_level(logging.DEBUG, logger="lakestream.common.tables.deltars"):
        assert backend.upsert(spec, frame(spark, spec.schema, late), Txn("g", 3)) == WriteResult(4)
    assert "gold/device_minute: MERGE scanned 1 files, skipped 2" in caplog.text
    counts = {r["event_date"]: r["event_count"] for r in backend.read(spark, spec).collect()}
    assert counts == {DAY: 1, DAY + timedelta(days=1): 5, DAY + timedelta(days=2): 1}


def test_written_and_replayed_versions_are_the_batch_commits_while_others_commit(
    spark: SparkSession, silver: TableSpec
) -> None:
    """delta-rs numbers ``history()`` from a stale version when commits land meanwhile."""
    backend, spec = DeltaRsBackend(), silver
    backend.ensure(spec)
    other = backend._arrow(spec, frame(spark, spec.schema, silver_row("other", tenant="globex")))
    partitions, stop = list(spec.partition_by), threading.Event()

    def commit_others() -> None:
        while not stop.is_set():
            write_deltalake(spec.location, other, mode="append", partition_by=partitions)

    writer = threading.Thread(target=commit_others)
    writer.start()
    try:
        for batch in range(12):
            rows = frame(spark, spec.schema, silver_row(f"b{batch}-1"), silver_row(f"b{batch}-2"))
            write = backend.append if batch % 2 else backend.insert_new
            txn = Txn("t", batch)
            written = write(spec, rows, txn)
            replayed = backend.committed(spec, txn)
            assert replayed is not None
            assert written.version == replayed.version
            assert written.version is not None
            inserted = backend.inserted_keys(spec, written.version, ("event_id",))
            assert inserted == Counter({(f"b{batch}-1",): 1, (f"b{batch}-2",): 1})
    finally:
        stop.set()
        writer.join()
    assert backend.latest_version(spec) > 24, "the other writer committed in between"
