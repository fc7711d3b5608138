"""``lakestream events send``: send the demo workload or a JSONL file to an Event Hub."""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lakestream.common.eventhubs.connection import resolve_target
from lakestream.common.eventhubs.producer import send_bodies
from lakestream.common.sources.eventhubs import DEFAULT_CONN_ENV
from lakestream.tooling.cli.options import EVENTS_MAX, SEED_MAX

events_app = typer.Typer(help="Send events to Azure Event Hubs.", no_args_is_help=True)
console = Console()
RATE_MAX = 1_000_000.0
"""Highest --rate: far above what one sender reaches."""


def read_jsonl(path: Path) -> Iterator[bytes]:
    """One body per line, bytes kept exactly; a trailing CR is part of the line end."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for line in lines:
        yield line.removesuffix(b"\r")


@events_app.command("send")
def send(
    events: Annotated[
        int,
        typer.Option(
            "--events", min=1, max=EVENTS_MAX, help="Demo workload size (without --file)."
        ),
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", min=0, max=SEED_MAX)] = 7,
    file: Annotated[
        Path | None, typer.Option("--file", exists=True, dir_okay=False, help="JSONL bodies.")
    ] = None,
    total: Annotated[
        int | None,
        typer.Option("--total", min=1, max=EVENTS_MAX, help="Send at most this many events."),
    ] = None,
    rate: Annotated[
        float | None,
        typer.Option("--rate", min=0.1, max=RATE_MAX, help="Target events per second."),
    ] = None,
    namespace: Annotated[
        str | None,
        typer.Option(
            "--namespace",
            envvar="LAKESTREAM_EVENTHUBS_NAMESPACE",
            help="Fully qualified namespace (Entra ID auth).",
        ),
    ] = None,
    hub: Annotated[
        str | None, typer.Option("--hub", envvar="LAKESTREAM_EVENTHUBS_HUB", help="Hub name.")
    ] = None,
    connection_string_env: Annotated[
        str | None,
        typer.Option(
            "--connection-string-env",
            help=f"Environment variable holding a connection string (default {DEFAULT_CONN_ENV} "
            "when set; otherwise Entra ID).",
        ),
    ] = None,
    tenant: Annotated[
        str | None,
        typer.Option("--tenant", help="Set the tenant_id application property on every event."),
    ] = None,
    retries: Annotated[
        int, typer.Option("--retries", min=0, max=20, help="Retries per send (back-off).")
    ] = 3,
) -> int:
    """Send bodies, batched per partition key (tenant_id/device_id), with a live progress bar."""
    default_env = DEFAULT_CONN_ENV if os.environ.get(DEFAULT_CONN_ENV) else None
    conn_env = connection_string_env or default_env
    target = resolve_target(namespace=namespace, hub=hub, connection_string_env=conn_env)
    if file is not None:
        bodies: list[bytes] = list(islice(read_jsonl(file), total))
        origin = str(file)
    else:
        from lakestream.tooling.demo.workload import generate_bodies

        bodies = generate_bodies(events, seed)[0][:total]
        origin = f"demo workload (--events {events} --seed {seed})"
    with Progress(
        TextColumn("sending"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("send", total=len(bodies))
        result = send_bodies(
            target,
            bodies,
            rate=rate,
            properties={"tenant_id": tenant} if tenant else None,
            on_progress=lambda n: progress.advance(task, n),
            retries=retries,
        )
    console.print(
        f"sent {result.events} events from {origin} to Event Hubs {target.description} "
        f"in {result.seconds:.1f}s ({result.rate:,.0f} events/s, {result.batches} batches)",
        highlight=False,
    )
    return 0
