"""The benchmark's targets (issue 7) and how a result is printed."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from lakestream.tooling.bench.throughput import STAGES

BRONZE_VS_BASELINE = 0.7
CHAIN_VS_BASELINE = 0.3
PEAK_MEMORY_MB = 3 * 1024
PER_EVENT_GROWTH = 0.2
LATENCY_P95_S = {"per-layer": 10.0, "chained": 5.0}
"""Landing -> gold p95 target per run mode (issue 16)."""


def targets(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target with its limit, the measured value and whether it is met."""
    ratios = result["ratios"]
    checks = {
        "bronze_vs_baseline": (ratios["bronze_vs_baseline"], BRONZE_VS_BASELINE, ">="),
        "chain_vs_baseline": (ratios["chain_vs_baseline"], CHAIN_VS_BASELINE, ">="),
        "peak_memory_mb": (result["peak_memory_mb"], PEAK_MEMORY_MB, "<="),
    }
    if "per_event_cost_growth" in result:
        chain = result["per_event_cost_growth"]["chain"]
        checks["per_event_cost_growth_chain"] = (chain, PER_EVENT_GROWTH, "<=")
    return {
        name: {
            "value": value,
            "limit": limit,
            "met": value >= limit if op == ">=" else value <= limit,
        }
        for name, (value, limit, op) in checks.items()
    }


def print_throughput(console: Console, result: dict[str, Any]) -> None:
    """Stage table, ratios and targets of a throughput result."""
    table = Table(title=f"lakestream bench: {result['events']:,} events, {result['landing_mb']} MB")
    for column in ("stage", "wall s", "events", "events/s", "MB/s", "peak MB", "files", "avg MB"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    table.add_column("batches", justify="right")
    for stage in STAGES:
        s = result[stage]
        table.add_row(
            stage,
            f"{s['wall_s']:.1f}",
            f"{s['events']:,}",
            f"{s['events_per_s']:,.0f}",
            f"{s['mb_per_s']:.1f}",
            f"{s['peak_memory_mb']:,.0f}",
            f"{s['files_written']:,}",
            f"{s['avg_file_mb']:.2f}",
            f"{s['batches']}",
        )
    console.print(table)
    console.print(
        f"chain {result['chain']['wall_s']:.1f}s = {result['chain']['events_per_s']:,.0f} "
        f"events/s; reconciled: {result['reconciled']}"
    )
    for growth_at, costs in result.get("per_event_us", {}).items():
        console.print(f"per-event cost at {int(growth_at):,} events (µs): {costs}")
    if "per_event_cost_growth" in result:
        console.print(f"per-event cost growth: {result['per_event_cost_growth']}")
    for name, check in result["targets"].items():
        mark = "[green]met[/green]" if check["met"] else "[red]missed[/red]"
        console.print(f"target {name}: {check['value']} (limit {check['limit']}) {mark}")


def print_latency(console: Console, outcome: dict[str, Any]) -> None:
    """Landing -> gold latency and per-layer batch latency of a continuous run."""
    seconds = outcome["landing_to_gold_s"]
    p95, target = seconds["p95"], LATENCY_P95_S[outcome["run_mode"]]
    met = p95 is not None and p95 <= target
    mark = "[green]met[/green]" if met else "[red]missed[/red]"
    console.print(
        f"[bold]{outcome['run_mode']}[/bold]: {outcome['events']:,} events in "
        f"{outcome['files']} files at {outcome['rate']}/s for {outcome['duration_s']}s, trigger "
        f"{outcome['trigger_interval']}; {outcome['measured_files']} files measured after a "
        f"{outcome['warmup_s']}s warm-up; reconciled: {outcome['reconciled']}",
        highlight=False,
    )
    console.print(
        f"landing -> gold: p50 {seconds['p50']}s, p95 {p95}s, p99 {seconds['p99']}s, "
        f"max {seconds['max']}s (target p95 <= {target}s) {mark}"
    )
    for layer, batches in outcome["batch_latency"].items():
        console.print(
            f"  {layer}: {batches['batches']} batches, p50 {batches['p50_ms']} ms, "
            f"p95 {batches['p95_ms']} ms"
        )
