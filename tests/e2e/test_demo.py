"""The demo end to end as a real process; its summary checked against the tables themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable

from tests.e2e.conftest import Cli

pytestmark = pytest.mark.e2e


def _table(path: Path) -> pa.Table:
    return pa.table(DeltaTable(str(path)).to_pyarrow_table())


def test_demo_reconciles_and_summary_matches_tables(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "lake"
    done = cli("lakestream", "demo", "--events", "1500", "--root", str(root), "--files", "3")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Reconciled" in done.stdout

    summary = json.loads((root / "demo-summary.json").read_text())
    generated, tables = summary["generated"], summary["tables"]
    assert summary["reconciled"] is True
    assert generated["total"] == 1500
    assert generated["total"] == (
        generated["valid"] + generated["duplicates"] + sum(generated["by_reason"].values())
    )

    base = root / "demo"
    bronze = _table(base / "bronze/events")
    dlq = _table(base / "dlq/events")
    silver = {t: _table(base / "silver" / t) for t in ("temp_humidity", "rfid_scan")}
    gold = _table(base / "gold/device_minute")
    assert tables["bronze_rows"] == bronze.num_rows
    assert tables["dlq_rows"] == dlq.num_rows
    assert tables["gold_rows"] == gold.num_rows
    assert tables["silver_rows"] == {t: s.num_rows for t, s in silver.items()}
    assert sum(s.num_rows for s in silver.values()) == generated["valid"]
    reasons = pc.value_counts(dlq.column("reason_code")).to_pylist()
    assert {r["values"]: r["counts"] for r in reasons} == generated["by_reason"]
    assert pc.sum(gold.column("event_count")).as_py() == silver["temp_humidity"].num_rows
    for table in silver.values():
        keys = {
            (t, e)
            for t, e in zip(
                table.column("tenant_id").to_pylist(),
                table.column("event_id").to_pylist(),
                strict=True,
            )
        }
        assert len(keys) == table.num_rows
    report = (root / "report.html").read_text()
    assert "plotly" in report.lower()
    status = cli("lakestream", "status", "--json", "--root", str(root))
    assert status.returncode == 0, status.stdout + status.stderr
    assert "reading environment 'demo'" in status.stderr
    verdicts = {x["layer"]: x["verdict"] for x in json.loads(status.stdout)["layers"]}
    assert verdicts == {"bronze": "ok", "silver": "ok", "gold": "ok"}


def test_demo_rejects_out_of_range_arguments(cli: Cli, tmp_path: Path) -> None:
    done = cli("lakestream", "demo", "--events", "0", "--root", str(tmp_path))
    assert done.returncode == 2
    assert "--events" in done.stderr
