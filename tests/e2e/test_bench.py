"""``lakestream bench`` as a real process: the JSON shape issue 7 asks for, on real tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli

pytestmark = pytest.mark.e2e

STAGE_KEYS = {
    "wall_s",
    "events",
    "events_per_s",
    "mb_per_s",
    "peak_memory_mb",
    "files_written",
    "avg_file_mb",
    "batches",
    "cpu_s",
    "peak_memory_by_kind_mb",
}


def test_throughput_bench_measures_every_stage_on_reconciled_tables(
    cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "bench.json"
    done = cli(
        "lakestream", "bench", "--events", "3000", "--root", str(tmp_path), "--json", str(out)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(out.read_text())
    assert result["reconciled"] is True, result["mismatches"]
    for stage in ("baseline", "bronze", "silver", "gold"):
        assert set(result[stage]) == STAGE_KEYS
        assert result[stage]["events_per_s"] > 0
        assert result[stage]["files_written"] > 0
        assert set(result[stage]["cpu_s"]) == {"driver", "jvm", "python_workers"}
        assert result[stage]["cpu_s"]["jvm"] > 0
    assert result["baseline"]["events"] == result["bronze"]["events"] == 3000
    bronze_dlq = result["bronze"]["events"] - result["silver"]["events"]
    assert 0 < bronze_dlq < 3000 * 0.05
    assert result["ratios"]["bronze_vs_baseline"] > 0
    assert 0 < result["ratios"]["chain_vs_baseline"] < result["ratios"]["bronze_vs_baseline"]
    assert result["peak_memory_mb"] > 100
    assert set(result["targets"]) == {"bronze_vs_baseline", "chain_vs_baseline", "peak_memory_mb"}
    assert "bronze" in done.stdout and "target" in done.stdout


def test_latency_bench_sees_every_landed_file_in_gold(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "latency.json"
    done = cli(
        "lakestream",
        "bench",
        "--latency",
        "--rate",
        "200",
        "--duration",
        "12",
        "--trigger-interval",
        "1 second",
        "--root",
        str(tmp_path),
        "--json",
        str(out),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(out.read_text())
    assert set(result["runs"]) == {"per-layer", "chained"}
    for name, run in result["runs"].items():
        assert run["run_mode"] == name
        assert run["all_visible"] is True
        assert run["reconciled"] is True, run["mismatches"]
        assert run["events"] == 200 * 12
        assert run["measured_files"] > 0
        seconds = run["landing_to_gold_s"]
        assert 0 < seconds["p50"] <= seconds["p95"] <= seconds["p99"] <= seconds["max"]
        batches = run["batch_latency"]
        assert all(batches[layer]["batches"] > 0 for layer in ("bronze", "silver", "gold"))
    assert "chained" in done.stdout and "per-layer" in done.stdout
