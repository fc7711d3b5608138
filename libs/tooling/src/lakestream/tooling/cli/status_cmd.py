"""``lakestream status``: one verdict per layer (ok, lagging, stuck, losing) and why."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lakestream.common import telemetry
from lakestream.common.audit.status import (
    LayerStatus,
    PlatformStatus,
    Verdict,
    collect_status,
    record,
)
from lakestream.common.config import load_registry
from lakestream.tooling.cli.audit_cmd import SinceOpt, parse_since
from lakestream.tooling.cli.options import (
    ConfigDirOpt,
    EnvOpt,
    RootOpt,
    TelemetryOpt,
    reading_settings,
)

STYLE = {
    Verdict.OK: "green",
    Verdict.LAGGING: "yellow",
    Verdict.STUCK: "red",
    Verdict.LOSING: "bold red",
}


def _backlog(layer: LayerStatus) -> str:
    backlog = layer.backlog
    if backlog.total is None:
        return "-"
    text = f"{backlog.total:,} {backlog.unit}"
    if backlog.unit == "events" and backlog.parts:
        text += " (" + ", ".join(f"p{k}: {v:,}" for k, v in backlog.parts.items()) + ")"
    return text


def _print(result: PlatformStatus, console: Console) -> None:
    table = Table(
        "layer",
        "verdict",
        "backlog",
        "last success (s ago)",
        "batches",
        "failed",
        "DLQ rows",
        title=f"{result.base} since {result.since:%Y-%m-%d %H:%M:%S} UTC",
    )
    dlq = Table("layer", "reason", "DLQ rows", title="DLQ growth by reason")
    for layer in result.layers:
        age = layer.last_success_age_s
        table.add_row(
            layer.layer,
            f"[{STYLE[layer.verdict]}]{layer.verdict.value}[/]",
            _backlog(layer),
            "-" if age is None else f"{age:,.0f}",
            str(layer.batches),
            str(layer.failed_batches),
            f"{sum(layer.dlq_by_reason.values()):,}",
        )
        for reason, rows in layer.dlq_by_reason.items():
            dlq.add_row(layer.layer, reason, f"{rows:,}")
    console.print(table)
    if dlq.row_count:
        console.print(dlq)
    for layer in result.layers:
        for verdict, reason in layer.problems:
            console.print(f"{layer.layer} {verdict.value}: {reason}", highlight=False, markup=False)
    for line in result.unreadable:
        console.print(f"cannot read {line}", highlight=False, markup=False)


def status(
    since: SinceOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the status as JSON (for alerting).")
    ] = False,
    telemetry_mode: TelemetryOpt = None,
    root: RootOpt = None,
    env: EnvOpt = None,
    config_dir: ConfigDirOpt = None,
) -> int:
    """Per layer: backlog, last success, failures, DLQ growth, conservation, and a verdict.

    Exit 0 when every layer is ok, 1 when a problem was found, 2 when something cannot be read.
    """
    window = parse_since(since)
    settings = reading_settings(root=root, env=env, config_dir=config_dir)
    result = collect_status(settings, load_registry(settings.config_dir), window)
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2, default=str))
    else:
        _print(result, Console(soft_wrap=True))
    if telemetry.modes(telemetry_mode)[1] != "off":
        installed = telemetry.configure(telemetry_mode, "status")
        try:
            record(result)
        finally:
            installed.shutdown()
    return result.exit_code
