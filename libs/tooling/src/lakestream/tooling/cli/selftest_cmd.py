"""``lakestream selftest``: prove this deployment end to end, then clean up after itself."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lakestream.tooling.cli.options import (
    ConfigDirOpt,
    EnvOpt,
    RootOpt,
    SourceOpt,
    SourcePathOpt,
    cli_settings,
)
from lakestream.common.jobs.run import Layer, select_services
from lakestream.common.config import SELFTEST_TENANT
from lakestream.common.logs import configure_logging
from lakestream.common.runtime.streaming import build_runtime
from lakestream.common.selftest.check import selftest

WAIT_MAX = 24 * 3600


def selftest_cmd(
    run_layers: Annotated[
        bool,
        typer.Option(
            "--run-layers/--wait-for-jobs",
            help="Run every layer once here, or wait for the deployed jobs to process the bodies.",
        ),
    ] = True,
    wait: Annotated[
        int,
        typer.Option(
            "--wait", min=0, max=WAIT_MAX, help="Seconds to wait for the jobs (--wait-for-jobs)."
        ),
    ] = 900,
    keep: Annotated[
        bool, typer.Option("--keep", help="Leave the self-test rows in the tables.")
    ] = False,
    root: RootOpt = None,
    env: EnvOpt = None,
    config_dir: ConfigDirOpt = None,
    source: SourceOpt = None,
    source_path: SourcePathOpt = None,
) -> int:
    """Send a generated workload of the reserved tenant, reconcile the tables, clean up.

    Exit 0 when every table holds exactly the expected rows, 1 naming each one that does not.
    """
    settings = cli_settings(
        root=root, env=env, config_dir=config_dir, source=source, source_path=source_path
    )
    runtime = build_runtime(settings)
    configure_logging("selftest", runtime.run_id)
    result = selftest(runtime, select_services([Layer.ALL.value]), run_layers, wait, keep)
    console = Console(soft_wrap=True)
    table = Table("table", "expected", "found", title=f"self-test {result.run_id}")
    want, got = result.expected, result.found
    table.add_row("bronze/events", str(want.bronze), str(got.bronze))
    for event_type in sorted(want.silver | got.silver):
        table.add_row(
            f"silver/{event_type}", str(want.silver[event_type]), str(got.silver[event_type])
        )
    for stage, reason in sorted(want.dlq | got.dlq):
        table.add_row(
            f"dlq/events {stage} {reason}",
            str(want.dlq[(stage, reason)]),
            str(got.dlq[(stage, reason)]),
        )
    for product in sorted(want.gold_events | got.gold_events):
        table.add_row(
            f"gold/{product} events",
            str(want.gold_events[product]),
            str(got.gold_events[product]),
        )
    console.print(table)
    for what, why in result.skipped.items():
        console.print(f"not generated: {what}: {why}", highlight=False, markup=False)
    if result.removed_before:
        console.print(f"removed leftover {SELFTEST_TENANT} rows first: {result.removed_before}")
    if result.removed_after:
        console.print(f"removed the {SELFTEST_TENANT} rows again: {result.removed_after}")
    for line in result.mismatches:
        console.print(f"[red]mismatch[/red] {line}", highlight=False)
    if result.mismatches:
        console.print(f"[bold red]self-test failed: {len(result.mismatches)} mismatch(es)[/]")
        return 1
    console.print(f"[bold green]self-test passed: {result.sent} bodies reconciled[/]")
    return 0
