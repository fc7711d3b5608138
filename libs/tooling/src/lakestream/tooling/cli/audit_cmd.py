"""``lakestream audit …``: is anything lost, slow or stuck? One command each."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lakestream.common.audit import build_report, reconcile
from lakestream.common.jobs.options import window_start
from lakestream.tooling.audit_html import write_html
from lakestream.tooling.cli.options import (
    ConfigDirOpt,
    EnvOpt,
    RootOpt,
    reading_settings,
    writable_file,
)

audit_app = typer.Typer(
    help="Read the audit trail: operator report and cross-layer reconciliation.",
    no_args_is_help=True,
)
console = Console(soft_wrap=True)


def parse_since(text: str | None, now: datetime | None = None) -> datetime | None:
    """``--since``: an ISO 8601 time (UTC when naive) or a span back from now (30m, 6h, 2d)."""
    if text is None:
        return None
    try:
        return window_start(text, now)
    except ValueError as exc:
        raise typer.BadParameter(f"--since {exc}", param_hint="--since") from None


SinceOpt = Annotated[
    str | None,
    typer.Option("--since", help="Window start: ISO 8601 time (UTC) or a span back (30m, 6h, 2d)."),
]


def _num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


@audit_app.command("report")
def report(
    since: SinceOpt = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", callback=writable_file, help="Also write an HTML report."),
    ] = None,
    root: RootOpt = None,
    env: EnvOpt = None,
    config_dir: ConfigDirOpt = None,
) -> int:
    """Throughput per layer and tenant, DLQ rate by reason, batch latency, freshness."""
    window = parse_since(since)
    settings = reading_settings(root=root, env=env, config_dir=config_dir)
    result = build_report(settings.layout, window)
    fresh = Table("layer", "last successful batch (s ago)", title="Freshness")
    for layer, seconds in result.freshness_s.items():
        fresh.add_row(layer, _num(seconds, 1))
    latency = Table("layer", "batches", "p50 ms", "p95 ms", "max ms", title="Batch latency")
    for x in result.latency:
        latency.add_row(x.layer, str(x.batches), _num(x.p50), _num(x.p95), _num(x.max))
    throughput = Table(
        "layer", "tenant", "input", "output", "dlq", "duplicates", "batches", title="Throughput"
    )
    for t in result.throughput:
        throughput.add_row(
            t.layer,
            t.tenant_id,
            *(f"{n:,}" for n in (t.input_rows, t.output_rows, t.dlq_rows, t.duplicate_rows)),
            str(t.batches),
        )
    dlq = Table("stage", "reason", "rows", "per bronze input", title="DLQ by reason")
    for (stage, code), n in result.dlq_by_reason.items():
        rate = result.dlq_rate(stage, code)
        dlq.add_row(stage, code, f"{n:,}", "-" if rate is None else f"{rate:.2%}")
    for table in (fresh, latency, throughput, dlq):
        console.print(table)
    if html is not None:
        console.print(f"report: {write_html(settings.layout, result, html)}")
    return 0


@audit_app.command("reconcile")
def reconcile_cmd(
    since: SinceOpt = None,
    root: RootOpt = None,
    env: EnvOpt = None,
    config_dir: ConfigDirOpt = None,
) -> int:
    """Prove the conservation law across layers; exit 1 naming every gap."""
    window = parse_since(since)
    settings = reading_settings(root=root, env=env, config_dir=config_dir)
    gaps = reconcile(settings.layout, window)
    if not gaps:
        console.print("[bold green]reconciled: nothing lost, nothing duplicated[/bold green]")
        return 0
    for gap in gaps:
        console.print(f"[red]gap[/red] {gap.describe()}", highlight=False)
    console.print(f"[bold red]{len(gaps)} gap(s)[/bold red]")
    raise typer.Exit(code=1)
