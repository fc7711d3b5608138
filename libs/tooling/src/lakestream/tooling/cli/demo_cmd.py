"""``lakestream demo``: generate a realistic workload, run every layer once, reconcile, report."""

from __future__ import annotations

import shutil
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lakestream.common.config import load_registry
from lakestream.common.jobs.run import observe
from lakestream.common.runtime.service import discover_services
from lakestream.common.runtime.streaming import build_runtime, run_once
from lakestream.common.settings import load_settings
from lakestream.tooling.cli.options import EVENTS_MAX, SEED_MAX, ConfigDirOpt, TelemetryOpt
from lakestream.tooling.demo import (
    generate_workload,
    print_summary,
    read_table_counts,
    reconcile,
    write_report,
    write_summary,
)

DEMO_ENV = "demo"
console = Console()


class DemoSource(StrEnum):
    """Where the demo's events come from."""

    FILES = "files"
    EVENTHUBS_LOCAL = "eventhubs-local"


_EVENTHUBS_DEMO: dict[str, object] = {
    "source": "eventhubs",
    "eventhubs_connection_string_env": "LAKESTREAM_DEMO_EVENTHUBS_CONNECTION_STRING",
    "eventhubs_starting_position": "earliest",
}


def demo(
    events: Annotated[int, typer.Option("--events", min=1, max=EVENTS_MAX)] = 20_000,
    seed: Annotated[int, typer.Option("--seed", min=0, max=SEED_MAX)] = 7,
    root: Annotated[
        Path, typer.Option("--root", file_okay=False, help="Storage root of the demo.")
    ] = Path(".lakestream"),
    files: Annotated[int, typer.Option("--files", min=1, max=1000)] = 8,
    config_dir: ConfigDirOpt = None,
    telemetry: TelemetryOpt = None,
    source: Annotated[
        DemoSource,
        typer.Option(
            "--source",
            help="files: landing files; eventhubs-local: a local Event Hubs stand-in fed by "
            "the producer, read by the eventhubs source.",
        ),
    ] = DemoSource.FILES,
) -> int:
    """Generate a workload into a fresh ``<root>/demo`` environment and run the chain once."""
    if source is DemoSource.EVENTHUBS_LOCAL:
        from lakestream.tooling.demo.eventhubs_local import local_hub

        with local_hub():
            return _demo(events, seed, root, files, config_dir, telemetry, hub=True)
    return _demo(events, seed, root, files, config_dir, telemetry, hub=False)


def _demo(
    events: int,
    seed: int,
    root: Path,
    files: int,
    config_dir: Path | None,
    telemetry: str | None,
    *,
    hub: bool,
) -> int:
    settings = load_settings(
        root=str(root),
        env=DEMO_ENV,
        config_dir=config_dir,
        max_files_per_trigger=2,
        **(_EVENTHUBS_DEMO if hub else {}),
    )
    registry = load_registry(settings.config_dir)
    layout = settings.layout
    base = Path(layout.base)
    if base.exists():
        console.print(f"resetting demo environment {base}")
        shutil.rmtree(base)
    started = time.monotonic()
    if hub:
        from lakestream.tooling.demo.eventhubs_local import send_workload

        truth, sent = send_workload(events, seed)
        where = f"Event Hubs (local stand-in) in {sent.seconds:.1f}s, {sent.rate:,.0f} events/s"
    else:
        truth = generate_workload(Path(layout.landing), events, seed, files=files)
        where = str(layout.landing)
    console.print(
        f"generated {truth.total} bodies ({truth.valid} valid, {truth.duplicates} duplicates, "
        f"{sum(truth.by_reason.values())} bad) into {where}"
    )
    runtime = build_runtime(settings, registry)
    observed = observe(runtime, "demo", telemetry)
    try:
        run_once(runtime, list(discover_services().values()))
    finally:
        observed.shutdown()
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
