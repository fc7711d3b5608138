"""``lakestream bench``: stage throughput against a plain Spark job, or end-to-end latency."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from lakestream.common.settings import TriggerMode, load_settings
from lakestream.tooling.bench.latency import run_latency
from lakestream.tooling.bench.report import print_latency, print_throughput, targets
from lakestream.tooling.bench.scales import parse_scales, run_scales
from lakestream.tooling.bench.throughput import BENCH_ENV, run_throughput
from lakestream.tooling.cli.options import SEED_MAX, ConfigDirOpt, writable_file

LATENCY_ENV = "bench-latency"


class LatencyMode(StrEnum):
    """Run modes ``bench --latency`` measures."""

    BOTH = "both"
    PER_LAYER = "per-layer"
    CHAINED = "chained"

    def chained(self) -> list[bool]:
        """For each run to measure, in order: whether it runs chained."""
        return {"both": [False, True], "per-layer": [False], "chained": [True]}[self.value]


console = Console()


def _scales(value: str | None) -> str | None:
    if value is not None:
        try:
            parse_scales(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value


def _write(path: Path, result: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    console.print(f"written: {path}")


def bench(
    events: Annotated[
        int, typer.Option("--events", min=1000, max=50_000_000, help="Events to generate.")
    ] = 1_000_000,
    scale: Annotated[
        str | None,
        typer.Option(
            "--scale",
            callback=_scales,
            help="Sizes to run, each in a fresh process, e.g. 1M,5M (overrides --events).",
        ),
    ] = None,
    json_path: Annotated[
        Path,
        typer.Option("--json", callback=writable_file, help="Where to write the result as JSON."),
    ] = Path(".lakestream/bench.json"),
    root: Annotated[
        Path, typer.Option("--root", file_okay=False, help="Storage root of the benchmark.")
    ] = Path(".lakestream"),
    seed: Annotated[int, typer.Option("--seed", min=0, max=SEED_MAX)] = 7,
    files_per_trigger: Annotated[
        int,
        typer.Option(
            "--files-per-trigger", min=1, max=1000, help="Landing files (100k events) per batch."
        ),
    ] = 1,
    versions_per_trigger: Annotated[
        int,
        typer.Option(
            "--versions-per-trigger",
            min=1,
            max=1000,
            help="Upstream commits per silver/gold batch.",
        ),
    ] = 1,
    latency: Annotated[
        bool,
        typer.Option(
            "--latency", help="Continuous mode: land --rate events/s, time landing -> gold."
        ),
    ] = False,
    rate: Annotated[
        int, typer.Option("--rate", min=1, max=100_000, help="Events per second (--latency).")
    ] = 2000,
    duration: Annotated[
        int, typer.Option("--duration", min=10, max=3600, help="Seconds to land (--latency).")
    ] = 120,
    trigger_interval: Annotated[
        str, typer.Option("--trigger-interval", help="Trigger of every layer (--latency).")
    ] = "2 seconds",
    mode: Annotated[
        LatencyMode,
        typer.Option("--mode", help="Run modes to measure, one after the other (--latency)."),
    ] = LatencyMode.BOTH,
    config_dir: ConfigDirOpt = None,
) -> int:
    """Measure bronze, silver and gold against a minimal Spark job on the same generated data."""
    if latency:
        runs: dict[str, Any] = {}
        for chained in mode.chained():
            name = "chained" if chained else "per-layer"
            settings = load_settings(
                root=str(root),
                env=f"{LATENCY_ENV}-{name}",
                config_dir=config_dir,
                trigger=TriggerMode.PROCESSING_TIME,
                trigger_interval=trigger_interval,
                max_files_per_trigger=1000,
            )
            runs[name] = run_latency(settings, rate, duration, chained)
            print_latency(console, runs[name])
        ok = all(run["all_visible"] and run["reconciled"] for run in runs.values())
        _write(json_path, {"mode": "latency", "rate": rate, "duration_s": duration, "runs": runs})
        return 0 if ok else 1
    if scale is not None:
        args = ["--root", str(root), "--seed", str(seed)]
        args += ["--files-per-trigger", str(files_per_trigger)]
        args += ["--versions-per-trigger", str(versions_per_trigger)]
        if config_dir is not None:
            args += ["--config-dir", str(config_dir)]
        result = run_scales(parse_scales(scale), args)
    else:
        settings = load_settings(
            root=str(root),
            env=BENCH_ENV,
            config_dir=config_dir,
            max_files_per_trigger=files_per_trigger,
            max_versions_per_trigger=versions_per_trigger,
        )
        result = run_throughput(settings, events, seed)
    result["targets"] = targets(result)
    print_throughput(console, result)
    _write(json_path, result)
    return 0 if result["reconciled"] else 1
