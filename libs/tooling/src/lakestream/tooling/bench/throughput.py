"""One throughput run: land N events, then time the baseline, bronze, silver and gold on them."""

from __future__ import annotations

import os
import platform
import shutil
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from lakestream.common.runtime.audit import SUCCEEDED
from lakestream.common.runtime.service import Runtime, Service, discover_services
from lakestream.common.runtime.streaming import build_runtime, run_once
from lakestream.common.settings import Settings
from lakestream.common.tables.backend import FileStats
from lakestream.tooling.bench.baseline import write_baseline
from lakestream.tooling.bench.probe import StageProbe, data_files, written_since
from lakestream.tooling.bench.workload import Landed, land
from lakestream.tooling.demo import read_table_counts, reconcile
from lakestream.tooling.demo.summary import batch_totals

BENCH_ENV = "bench"
LAYERS = ("bronze", "silver", "gold")
STAGES = ("baseline", *LAYERS)
"""Every measured stage (the chain is the sum of ``LAYERS``)."""
WARMUP_EVENTS = 20_000
_MB = 1024 * 1024


@dataclass(frozen=True)
class StageResult:
    """Numbers of one stage of a throughput run."""

    wall_s: float
    events: int
    events_per_s: float
    mb_per_s: float
    peak_memory_mb: float
    peak_memory_by_kind_mb: dict[str, float]
    files_written: int
    avg_file_mb: float
    batches: int
    cpu_s: dict[str, float]


def _stage(
    events: int, landed: Landed, probe: StageProbe, written: FileStats, batches: int
) -> StageResult:
    files, size, wall = written.files, written.bytes, probe.seconds
    return StageResult(
        wall_s=round(wall, 3),
        events=events,
        events_per_s=round(events / wall, 1),
        mb_per_s=round(landed.bytes / _MB / wall, 2),
        peak_memory_mb=round(probe.peak_mb, 1),
        peak_memory_by_kind_mb={k: round(v, 1) for k, v in probe.peak_by_kind.items()},
        files_written=files,
        avg_file_mb=round(size / files / _MB, 3) if files else 0.0,
        batches=batches,
        cpu_s=probe.cpu_s,
    )


def _audited(runtime: Runtime, service: str) -> tuple[int, int]:
    """(input rows, batches) of ``service``'s SUCCEEDED batch totals in the audit table."""
    rows = [
        r
        for r in batch_totals(runtime.layout)
        if r["service"] == service and r["status"] == SUCCEEDED
    ]
    return sum(int(r["input_rows"]) for r in rows), len(rows)


def _machine() -> dict[str, Any]:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(pages / 1024**3, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "pyspark": version("pyspark"),
        "deltalake": version("deltalake"),
    }


def _warm_up(settings: Settings, warmup: Path, services: list[Service]) -> None:
    """Run the chain over the warm-up landing, in a lake of its own, before anything is timed.

    The baseline gets a warm-up pass of its own; this gives the layers theirs (JIT-compiled
    expressions, loaded classes and Python workers), so no stage is timed cold.
    """
    lake = settings.model_copy(
        update={"root": str(warmup / "lake"), "source_path": str(warmup / "landing")}
    )
    run_once(build_runtime(lake), services)


def run_throughput(settings: Settings, events: int, seed: int) -> dict[str, Any]:
    """Generate ``events`` bodies under a fresh ``<root>/bench`` and measure every stage."""
    base = Path(settings.layout.base)
    if base.exists():
        shutil.rmtree(base)
    landing = Path(settings.landing_path)
    landed = land(landing, events, seed)
    runtime = build_runtime(settings)
    spark = runtime.spark
    scratch = base / "_baseline"
    warmup = base / "_warmup"
    land(warmup / "landing", WARMUP_EVENTS, seed)
    write_baseline(spark, str(warmup / "landing"), str(warmup / "parquet"))
    result: dict[str, Any] = {"events": events, "landing_mb": round(landed.bytes / _MB, 1)}
    with StageProbe() as probe:
        write_baseline(spark, str(landing), str(scratch))
    written = written_since({}, [scratch])
    parsed = int(spark.read.parquet(str(scratch)).count())
    result["baseline"] = asdict(_stage(parsed, landed, probe, written, 1))
    services = discover_services()
    _warm_up(settings, warmup, [services[layer] for layer in LAYERS])
    for layer in LAYERS:
        before = data_files([base])
        with StageProbe() as probe:
            run_once(runtime, [services[layer]])
        tables = [
            p for p in base.iterdir() if p.name not in {landing.name, scratch.name, warmup.name}
        ]
        rows, batches = _audited(runtime, layer)
        result[layer] = asdict(_stage(rows, landed, probe, written_since(before, tables), batches))
    chain_wall = sum(result[layer]["wall_s"] for layer in LAYERS)
    chain_eps = events / chain_wall
    baseline_eps = result["baseline"]["events_per_s"]
    result["chain"] = {"wall_s": round(chain_wall, 3), "events_per_s": round(chain_eps, 1)}
    result["ratios"] = {
        "bronze_vs_baseline": round(events / result["bronze"]["wall_s"] / baseline_eps, 3),
        "chain_vs_baseline": round(chain_eps / baseline_eps, 3),
    }
    result["peak_memory_mb"] = max(result[stage]["peak_memory_mb"] for stage in STAGES)
    counts = read_table_counts(runtime.layout, runtime.registry.event_types())
    mismatches = reconcile(landed.truth, counts)
    result["reconciled"] = not mismatches
    result["mismatches"] = mismatches
    result["machine"] = _machine()
    result["settings"] = {
        "backend": settings.backend,
        "spark_master": settings.spark_master,
        "shuffle_partitions": settings.shuffle_partitions,
        "max_files_per_trigger": settings.max_files_per_trigger,
        "landing_files": landed.files,
    }
    return result
