"""``lakestream maintain`` without Spark: retention guard, table selection, delta-rs runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from lakestream.common.config import Registry
from lakestream.common.errors import LakestreamError
from lakestream.common.layout import TableLayout
from lakestream.common.tables.arrow import arrow_schema
from lakestream.common.tables.deltars import DeltaRsBackend
from lakestream.common.tables.maintenance import check_retention, layout_tables
from lakestream.common.tables.schemas import AUDIT_BATCHES, audit_batches
from lakestream.tooling.cli.main import app
from lakestream.tooling.cli.process import run_app

pytestmark = pytest.mark.unit

EVERY_TABLE = [
    "bronze/events",
    "silver/rfid_scan",
    "silver/temp_humidity",
    "gold/device_minute",
    "dlq/events",
    "audit/batches",
]


def test_retention_below_seven_days_is_refused_unless_forced() -> None:
    check_retention(168, force=False)
    check_retention(0, force=True)
    with pytest.raises(LakestreamError, match="time travel and the change-feed readers"):
        check_retention(167, force=False)
    with pytest.raises(LakestreamError, match="0 or more"):
        check_retention(-1, force=True)


def test_layout_tables_are_every_table_in_chain_order(registry: Registry, tmp_path: Path) -> None:
    layout = TableLayout.local(tmp_path, "x")
    areas = ["bronze", "silver", "gold", "dlq", "audit"]
    assert [s.name for s in layout_tables(layout, registry, areas)] == EVERY_TABLE
    assert [s.name for s in layout_tables(layout, registry, ["audit", "bronze"])] == [
        "bronze/events",
        "audit/batches",
    ]
    silver = layout_tables(layout, registry, ["silver"])
    assert {s.event_type for s in silver} == {"rfid_scan", "temp_humidity"}
    with pytest.raises(ValueError, match="unknown table area"):
        layout_tables(layout, registry, ["platinum"])


def audit_appends(layout: TableLayout, batches: int) -> None:
    """``batches`` small appends to audit/batches, one file each."""
    spec = audit_batches(layout)
    DeltaRsBackend().ensure(spec)
    now = datetime(2026, 11, 25, 10, tzinfo=UTC)
    for n in range(batches):
        row = {f.name: None for f in AUDIT_BATCHES} | {"service": "s", "batch_id": n}
        row["started_at"] = now
        write_deltalake(
            spec.location, pa.Table.from_pylist([row], arrow_schema(AUDIT_BATCHES)), mode="append"
        )


def test_maintain_compacts_and_reports_each_table(
    tmp_path: Path, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "root"
    layout = TableLayout.local(root, "m")
    audit_appends(layout, 4)
    args = ["maintain", "--root", str(root), "--env", "m", "--config-dir", str(repo / "config")]
    assert run_app(app, args) == 0
    out = capsys.readouterr().out
    assert "audit/batches: 4 files" in out
    assert "-> 1 file (" in out
    assert "compacted 4 files" in out
    assert "vacuum deleted 0 files unreferenced for 168 h" in out
    assert "bronze/events: does not exist yet, skipped" in out
    assert len(DeltaTable(layout.audit_batches).to_pyarrow_table()) == 4

    dry = ["--layer", "audit", "--dry-run", "--force-retention", "--retention-hours", "0"]
    assert run_app(app, [*args, *dry]) == 0
    out = capsys.readouterr().out
    assert "(dry run)" in out
    assert "audit/batches: 1 file (" in out
    assert "vacuum would delete 4 files unreferenced for 0 h" in out
    assert "bronze" not in out


def test_a_failing_table_is_reported_and_the_others_still_run(
    tmp_path: Path, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "root"
    layout = TableLayout.local(root, "m")
    audit_appends(layout, 2)
    broken = Path(layout.dlq_events) / "_delta_log"
    broken.mkdir(parents=True)
    (broken / "00000000000000000000.json").write_text("not a delta log\n")
    args = ["maintain", "--root", str(root), "--env", "m", "--config-dir", str(repo / "config")]
    assert run_app(app, [*args, "--no-vacuum"]) == 1
    captured = capsys.readouterr()
    assert "dlq/events: " in captured.out and "FAILED: " in captured.out
    assert "audit/batches: 2 files" in captured.out and "compacted 2 files" in captured.out
    (error,) = captured.err.strip().splitlines()
    assert error.startswith("error: maintenance failed on 1 of 6 tables: dlq/events (")


def test_retention_guard_runs_before_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_app(app, ["maintain", "--root", str(tmp_path), "--retention-hours", "24"]) == 1
    err = capsys.readouterr().err
    assert "retention of 24 hours is below 168" in err
    assert "--force-retention" in err
    assert not (tmp_path / "local").exists()
