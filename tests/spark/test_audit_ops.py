"""Audit report and cross-layer reconciliation; the operator commands as real processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable, write_deltalake
from typer.testing import CliRunner

from lakestream.common.audit import build_report, reconcile
from lakestream.common.audit.spark_reads import BackendReads
from lakestream.tooling.audit_html import write_html
from lakestream.tooling.cli.main import app
from tests.lake import Lake, event, utc

pytestmark = pytest.mark.spark

BIN = Path(sys.executable).parent


def _root(lake: Lake) -> list[str]:
    return ["--root", lake.settings.root, "--env", lake.settings.env]


def _cli(lake: Lake, repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A console script as a real process (exit codes are what operators' scripts see)."""
    root = _root(lake)
    return subprocess.run(
        [str(BIN / args[0]), *args[1:], *root],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_report_reconcile_and_the_commands_that_show_them(lake: Lake, repo: Path) -> None:
    runner = CliRunner()
    lake.land(
        event("a1"),
        event("a2", event_time="2026-11-25T10:01:10Z"),
        event("a2", event_time="2026-11-25T10:01:10Z"),
        event("g1", tenant="globex"),
        event("h1", tenant="hooli"),
        event("bad", payload={"device_id": "th-1"}),
        b"\xff\x00 not json",
    )
    runtime = lake.run()

    assert reconcile(lake.layout) == []
    on_spark = BackendReads(runtime)
    assert reconcile(lake.layout, reads=on_spark) == []
    assert reconcile(lake.layout, utc("2026-01-01T00:00:00Z"), on_spark) == []
    report = build_report(lake.layout)
    throughput = {(t.layer, t.tenant_id): t for t in report.throughput}
    assert throughput[("bronze", "acme")].output_rows == 4
    assert throughput[("bronze", "_unattributed")].dlq_rows == 2
    assert throughput[("silver", "acme")].output_rows == 2
    assert throughput[("silver", "acme")].duplicate_rows == 1
    assert throughput[("silver", "acme")].dlq_rows == 1
    assert throughput[("gold", "acme")].output_rows == 2
    assert report.bronze_input == 7
    assert report.dlq_by_reason == {
        ("bronze", "INVALID_JSON"): 1,
        ("bronze", "UNKNOWN_TENANT"): 1,
        ("silver", "CONTRACT_VIOLATION"): 1,
    }
    assert report.dlq_rate("bronze", "UNKNOWN_TENANT") == pytest.approx(1 / 7)
    assert {x.layer for x in report.latency} == {"bronze", "silver", "gold"}
    for latency in report.latency:
        assert latency.p50 is not None and latency.max is not None
        assert latency.p50 <= latency.max
    assert all(s is not None and s >= 0 for s in report.freshness_s.values())
    html = write_html(lake.layout, report, lake.tmp_path / "report.html").read_text()
    assert "Batch latency" in html and "Rows per layer and tenant" in html

    listed = _cli(lake, repo, "lakestream", "dlq", "list", "--reason", "invalid_json")
    assert listed.returncode == 0, listed.stderr
    assert "INVALID_JSON" in listed.stdout and "UNKNOWN_TENANT" not in listed.stdout
    [bad] = [r for r in lake.rows("dlq/events") if r["reason_code"] == "INVALID_JSON"]
    shown = _cli(lake, repo, "lakestream", "dlq", "show", bad["dlq_id"][:10])
    assert shown.returncode == 0, shown.stderr
    assert "00000000  ff 00 20 6e 6f 74" in shown.stdout
    missing = runner.invoke(app, ["dlq", "show", "nope", *_root(lake)])
    assert missing.exit_code == 1

    ok = _cli(lake, repo, "lakestream", "audit", "reconcile")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "reconciled" in ok.stdout
    job = _cli(lake, repo, "lakestream-reconcile", "--since", "30d")
    assert job.returncode == 0, job.stdout + job.stderr
    assert "reconciled since " in job.stdout

    DeltaTable(lake.layout.silver("temp_humidity")).delete("event_id = 'a1'")
    gaps = [g.describe() for g in reconcile(lake.layout)]
    assert any("silver rows vs audit: silver tenant acme" in g for g in gaps), gaps
    audit = DeltaTable(lake.layout.audit_batches).to_pyarrow_table()
    [total] = audit.filter(pc.field("service") == "gold").slice(0, 1).to_pylist()
    unbalanced = {**total, "batch_id": 999, "input_rows": total["input_rows"] + 1}
    write_deltalake(
        lake.layout.audit_batches, pa.Table.from_pylist([unbalanced], audit.schema), mode="append"
    )
    gaps = [g.describe() for g in reconcile(lake.layout)]
    assert any(g.startswith("audit law: gold batch 999 ") for g in gaps), gaps
    assert [g.describe() for g in reconcile(lake.layout, reads=on_spark)] == gaps
    assert any("gold events vs audit" not in g for g in gaps)
    broken = _cli(lake, repo, "lakestream", "audit", "reconcile")
    assert broken.returncode == 1
    assert "silver tenant acme: expected 2, found 1 (-1)" in broken.stdout
    failed = _cli(lake, repo, "lakestream-reconcile")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "gap audit law: gold batch 999 " in failed.stdout
    assert "gap silver rows vs audit: silver tenant acme: expected 2, found 1" in failed.stdout
    assert "Traceback" not in failed.stdout + failed.stderr
    assert "Traceback" not in broken.stdout + broken.stderr

    reported = runner.invoke(app, ["audit", "report", "--since", "1d", *_root(lake)])
    assert reported.exit_code == 0, reported.output
    assert "Freshness" in reported.output and "CONTRACT_VIOLATION" in reported.output
