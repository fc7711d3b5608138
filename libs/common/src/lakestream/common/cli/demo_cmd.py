"""``lakestream demo``: generate a realistic workload, run every layer once, reconcile, report."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lakestream.common.cli.options import ConfigDirOpt
from lakestream.common.demo import (
    generate_workload,
    print_summary,
    read_table_counts,
    reconcile,
    write_report,
    write_summary,
)
from lakestream.common.runtime.service import discover_services
from lakestream.common.runtime.streaming import build_runtime, run_once
from lakestream.common.settings import load_settings

DEMO_ENV = "demo"
console = Console()


def demo(
    events: Annotated[int, typer.Option("--events", min=1, max=5_000_000)] = 20_000,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 7,
    root: Annotated[Path, typer.Option("--root", help="Storage root of the demo.")] = Path(
        ".lakestream"
    ),
    files: Annotated[int, typer.Option("--files", min=1, max=1000)] = 8,
    config_dir: ConfigDirOpt = None,
) -> int:
    """Generate a workload into a fresh ``<root>/demo`` environment and run the chain once."""
    settings = load_settings(
        root=str(root), env=DEMO_ENV, config_dir=config_dir, max_files_per_trigger=2
    )
    layout = settings.layout
    base = Path(layout.base)
    if base.exists():
        console.print(f"resetting demo environment {base}")
        shutil.rmtree(base)
    started = time.monotonic()
    truth = generate_workload(Path(layout.landing), events, seed, files=files)
    console.print(
        f"generated {truth.total} bodies ({truth.valid} valid, {truth.duplicates} duplicates, "
        f"{sum(truth.by_reason.values())} bad) into {layout.landing}"
    )
    runtime = build_runtime(settings)
    run_once(runtime, list(discover_services().values()))
    counts = read_table_counts(layout, runtime.registry.event_types())
    mismatches = reconcile(truth, counts)
    summary_path = Path(settings.root) / "demo-summary.json"
    write_summary(summary_path, truth, counts, mismatches)
    report = write_report(
        layout, Path(settings.root) / "report.html", runtime.registry.event_types()
    )
    print_summary(console, truth, counts, mismatches)
    console.print(f"summary: {summary_path}  report: {report}  ({time.monotonic() - started:.0f}s)")
    return 0 if not mismatches else 1
