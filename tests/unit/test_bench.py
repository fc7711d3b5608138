"""The benchmark's pure parts: sizes, growth, targets, latency matching, probes, generation."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from lakestream.tooling.bench.latency import Landing, latencies, percentile, warmup_seconds
from lakestream.tooling.bench.probe import (
    StageProbe,
    cpu_seconds,
    data_files,
    tree_pids,
    written_since,
)
from lakestream.tooling.bench.report import targets
from lakestream.tooling.bench.scales import growth, parse_scales, per_event_us
from lakestream.tooling.bench.workload import land

pytestmark = pytest.mark.unit
BUSY = (
    "import time\nend = time.process_time() + 0.6\n"
    "while time.process_time() < end: pass\ntime.sleep(1)"
)


def test_parse_scales_reads_suffixes() -> None:
    assert parse_scales("1M, 5M") == [1_000_000, 5_000_000]
    assert parse_scales("200k,1500000,0.5m") == [200_000, 1_500_000, 500_000]


@pytest.mark.parametrize("text", ["", "1G", "M", "1M,,5M", "-1M"])
def test_parse_scales_refuses_other_text(text: str) -> None:
    with pytest.raises(ValueError, match="is not a size"):
        parse_scales(text)


def _result(events: int, walls: dict[str, float]) -> dict[str, Any]:
    result: dict[str, Any] = {"events": events}
    for stage, wall in walls.items():
        result[stage] = {"wall_s": wall}
    return result


def test_growth_compares_cost_per_event() -> None:
    walls = {"baseline": 10.0, "bronze": 20.0, "silver": 30.0, "gold": 10.0, "chain": 60.0}
    small = _result(1_000_000, walls)
    large = _result(5_000_000, {stage: wall * 6 for stage, wall in walls.items()})
    assert per_event_us(small, "bronze") == pytest.approx(20.0)
    assert growth(small, large) == {stage: pytest.approx(0.2) for stage in walls}


def test_targets_are_judged_against_issue_limits() -> None:
    result = {
        "ratios": {"bronze_vs_baseline": 0.71, "chain_vs_baseline": 0.29},
        "peak_memory_mb": 3073.0,
        "per_event_cost_growth": {"chain": 0.1},
    }
    checks = targets(result)
    assert checks["bronze_vs_baseline"]["met"] is True
    assert checks["chain_vs_baseline"]["met"] is False
    assert checks["peak_memory_mb"]["met"] is False
    assert checks["per_event_cost_growth_chain"]["met"] is True


def test_latency_is_first_gold_reading_that_covers_the_file() -> None:
    landed = Landing(files=[(100.0, 99.9), (101.0, 100.9), (102.0, 101.9)], events=3)
    seen = [(103.5, 100.9), (106.0, 101.9)]
    assert latencies(landed, seen, start=100.0, warmup=0.5) == [2.5, 4.0]
    assert latencies(landed, [(103.5, 100.0)], start=100.0, warmup=0.0) == [3.5]


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.95) is None
    assert percentile([float(n) for n in range(1, 101)], 0.95) == 96.0
    assert percentile([3.0, 1.0, 2.0], 1.0) == 3.0
    assert warmup_seconds(120) == 15.0
    assert warmup_seconds(12) == 3.0


def test_memory_sampler_keeps_the_peak_of_a_process_tree() -> None:
    script = "import time; time.sleep(0.5); b = b'x' * (120 * 2**20); time.sleep(1)"
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        assert child.pid in tree_pids(os.getpid())
        with StageProbe(root=child.pid, every=0.05) as memory:
            child.wait(timeout=30)
        assert 120 <= memory.peak_mb < 400
        assert memory.seconds >= 1.0
        assert memory.peak_by_kind["driver"] == memory.peak_mb
        assert memory.peak_by_kind["jvm"] == memory.peak_by_kind["python_workers"] == 0
    finally:
        child.kill()
        child.wait()


def test_written_since_counts_only_new_parquet_files(tmp_path: Path) -> None:
    (tmp_path / "a.parquet").write_bytes(b"x" * 10)
    before = data_files([tmp_path])
    (tmp_path / "part").mkdir()
    (tmp_path / "part" / "b.parquet").write_bytes(b"y" * 30)
    (tmp_path / "c.json").write_bytes(b"{}")
    stats = written_since(before, [tmp_path, tmp_path / "missing"])
    assert (stats.files, stats.bytes) == (1, 30)


def test_land_writes_one_file_per_chunk_with_summed_truth(tmp_path: Path) -> None:
    landed = land(tmp_path, 2_500, seed=3, chunk=1_000)
    files = sorted(tmp_path.glob("events-*.jsonl"))
    assert [f.name for f in files] == [f"events-0000{n}.jsonl" for n in range(3)]
    lines = sum(f.read_bytes().count(b"\n") for f in files)
    assert landed.truth.total == lines == 2_500
    assert landed.files == 3
    assert landed.bytes == sum(f.stat().st_size for f in files)
    bad = sum(landed.truth.by_reason.values())
    assert landed.truth.valid + landed.truth.duplicates + bad == 2_500


def test_cpu_seconds_attribute_a_busy_child_to_the_workers() -> None:
    # A tree of its own (a driver with one busy worker): the test process may have a JVM.
    driver = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {BUSY!r}])"
    child = subprocess.Popen([sys.executable, "-c", driver])
    try:
        with StageProbe(root=child.pid) as probe:
            before = cpu_seconds(child.pid)["python_workers"]
            while cpu_seconds(child.pid)["python_workers"] - before < 0.5 and child.poll() is None:
                time.sleep(0.05)
        assert probe.cpu_s["python_workers"] >= 0.5
        assert probe.cpu_s["jvm"] == 0.0
    finally:
        child.kill()
        child.wait()
