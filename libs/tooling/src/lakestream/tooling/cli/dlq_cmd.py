"""``lakestream dlq …``: browse the DLQ and replay it (the replay run is the one of the
``lakestream-dlq-replay`` job: :func:`lakestream.dlq_replayer.job.run_replay`)."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lakestream.common.jobs.options import settings_from_options
from lakestream.common.reasons import ReasonCode, Stage
from lakestream.dlq_replayer.job import LIMIT_MAX, VERSION_MAX, run_replay
from lakestream.dlq_replayer.selection import DlqFilter, dlq_filter, find_row, read_dlq
from lakestream.tooling.cli.options import (
    ConfigDirOpt,
    EnvOpt,
    RootOpt,
    TelemetryOpt,
    reading_settings,
)

dlq_app = typer.Typer(
    help="Browse the dead letter queue and replay rows after a configuration fix.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
"""Wide tables when piped (logs, CI) instead of rich's 80-column default."""

TenantOpt = Annotated[str | None, typer.Option("--tenant", help="Claimed tenant_id.")]
EventTypeOpt = Annotated[str | None, typer.Option("--event-type", help="event_type.")]
VersionOpt = Annotated[
    int | None, typer.Option("--version", min=1, max=VERSION_MAX, help="event_version.")
]
StageOpt = Annotated[Stage | None, typer.Option("--stage", help="Rejecting stage.")]
ReasonOpt = Annotated[
    ReasonCode | None,
    typer.Option("--reason", case_sensitive=False, help="reason_code, e.g. UNKNOWN_TENANT."),
]
SinceOpt = Annotated[
    datetime | None, typer.Option("--since", help="failed_at >= this time (ISO 8601, UTC).")
]
UntilOpt = Annotated[
    datetime | None, typer.Option("--until", help="failed_at < this time (ISO 8601, UTC).")
]
StatusOpt = Annotated[
    Literal["pending", "replayed", "failed_again"] | None,
    typer.Option("--status", help="replay_status."),
]
LimitOpt = Annotated[
    int | None, typer.Option("--limit", min=1, max=LIMIT_MAX, help="At most this many rows.")
]


def _filter(
    tenant: str | None,
    event_type: str | None,
    version: int | None,
    stage: Stage | None,
    reason: ReasonCode | None,
    since: datetime | None,
    until: datetime | None,
    status: str | None,
) -> DlqFilter:
    return dlq_filter(
        tenant,
        event_type,
        version,
        stage.value if stage else None,
        reason.value if reason else None,
        since,
        until,
        status,
    )


@dlq_app.command("list")
def list_rows(
    tenant: TenantOpt = None,
    event_type: EventTypeOpt = None,
    version: VersionOpt = None,
    stage: StageOpt = None,
    reason: ReasonOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    status: StatusOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=LIMIT_MAX, help="Rows to show.")] = 50,
    root: RootOpt = None,
    env: EnvOpt = None,
    config_dir: ConfigDirOpt = None,
) -> int:
    """List DLQ rows matching the filters, with counts by reason."""
    where = _filter(tenant, event_type, version, stage, reason, since, until, status)
    settings = reading_settings(root=root, env=env, config_dir=config_dir)
    rows: list[dict[str, Any]] = read_dlq(settings.layout, where).to_pylist()
    by_reason = Counter((r["stage"], r["reason_code"], r["replay_status"]) for r in rows)
    counts = Table("stage", "reason", "replay_status", "rows", title="DLQ rows by reason")
    for (row_stage, code, row_status), n in sorted(by_reason.items()):
        counts.add_row(row_stage, code, row_status, str(n))
    console.print(counts)
    table = Table(
        "dlq_id",
        "failed_at",
        "stage",
        "reason",
        "tenant",
        "event_type",
        "v",
        "event_id",
        "status",
        "tries",
        "detail",
        title=f"{min(limit, len(rows))} of {len(rows)} rows",
    )
    for r in rows[:limit]:
        table.add_row(
            r["dlq_id"][:12],
            f"{r['failed_at']:%Y-%m-%d %H:%M:%S}",
            r["stage"],
            r["reason_code"],
            escape(str(r["tenant_id"] or "")),
            escape(str(r["event_type"] or "")),
            str(r["event_version"] or ""),
            escape(str(r["event_id"] or "")),
            r["replay_status"],
            str(r["replay_attempts"]),
            escape((r["reason_detail"] or "")[:80]),
        )
    console.print(table)
    return 0


def hexdump(data: bytes, width: int = 16) -> str:
    """Classic offset / hex / ASCII dump of ``data``."""
    lines = []
    for offset in range(0, len(data), width):
        chunk = data[offset : offset + width]
        hexed = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset:08x}  {hexed:<{width * 3}} {text}")
    return "\n".join(lines)


def render_body(body: bytes) -> str:
    """The body as text when it is UTF-8 (without control characters), else a hex dump."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return hexdump(body)
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
        return hexdump(body)
    return text


@dlq_app.command("show")
def show(
    dlq_id: Annotated[str, typer.Argument(help="dlq_id or a unique prefix of it.")],
    root: RootOpt = None,
    env: EnvOpt = None,
    config_dir: ConfigDirOpt = None,
) -> int:
    """Every column of one DLQ row and its raw body (text if UTF-8, hex dump otherwise)."""
    settings = reading_settings(root=root, env=env, config_dir=config_dir)
    row = find_row(settings.layout, dlq_id)
    if row is None:
        console.print(f"[red]no single DLQ row has an id starting with {escape(dlq_id)}[/red]")
        raise typer.Exit(code=1)
    table = Table("column", "value", show_header=False)
    for name, value in row.items():
        if name != "raw_body":
            table.add_row(name, escape(str(value)))
    console.print(table)
    raw = row["raw_body"]
    body = raw if isinstance(raw, bytes) else b""
    console.print(f"[bold]raw_body[/bold] ({len(body)} bytes)")
    console.print(escape(render_body(body)), highlight=False)
    return 0


@dlq_app.command("replay")
def replay_rows(
    tenant: TenantOpt = None,
    event_type: EventTypeOpt = None,
    version: VersionOpt = None,
    stage: StageOpt = None,
    reason: ReasonOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    status: StatusOpt = None,
    limit: LimitOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would happen; write nothing.")
    ] = False,
    republish: Annotated[
        bool,
        typer.Option(
            "--republish",
            help="Send the raw bodies back to Event Hubs (LAKESTREAM_EVENTHUBS_* settings) "
            "instead of writing tables; bronze ingests them again.",
        ),
    ] = False,
    root: RootOpt = None,
    env: EnvOpt = None,
    config_dir: ConfigDirOpt = None,
    telemetry: TelemetryOpt = None,
) -> int:
    """Re-run the rejecting stage on the selected rows with the current configuration."""
    where = _filter(tenant, event_type, version, stage, reason, since, until, status)
    settings = settings_from_options(root=root, env=env, config_dir=config_dir)
    return run_replay(settings, where, limit, dry_run, republish, telemetry)
