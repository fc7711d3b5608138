"""``lakestream dlq …`` and ``lakestream-dlq-replay``: browse the DLQ and replay it."""

from __future__ import annotations

import sys
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lakestream.common import telemetry as otel
from lakestream.common.audit.tables import require_tables
from lakestream.tooling.cli.options import (
    ConfigDirOpt,
    EnvOpt,
    RootOpt,
    TelemetryOpt,
    cli_settings,
    reading_settings,
)
from lakestream.tooling.cli.process import finish, run_app
from lakestream.common.config import load_registry
from lakestream.common.logs import configure_logging
from lakestream.common.reasons import ReasonCode, Stage
from lakestream.common.runtime.service import Runtime
from lakestream.common.runtime.streaming import make_backend
from lakestream.common.spark.session import get_spark
from lakestream.dlq_replayer.replay import (
    DUPLICATE,
    FAILED_OUTCOME,
    RECOVERED,
    REPUBLISHED,
    SERVICE_NAME,
    replay,
)
from lakestream.dlq_replayer.republish import republish as republish_rows
from lakestream.dlq_replayer.selection import DlqFilter, find_row, read_dlq

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
    int | None, typer.Option("--version", min=1, max=2**31 - 1, help="event_version.")
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
LIMIT_MAX = 10_000_000
"""Largest --limit (rows are held in memory)."""
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
    return DlqFilter(
        tenant,
        event_type,
        version,
        stage.value if stage else None,
        reason.value if reason else None,
        _utc(since),
        _utc(until),
        (status,) if status else None,
    )


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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
    settings = cli_settings(root=root, env=env, config_dir=config_dir)
    registry = load_registry(settings.config_dir)
    require_tables(settings.layout)
    spark = get_spark(settings, app_name="lakestream-dlq-replay")
    runtime = Runtime(
        settings, spark, registry, make_backend(settings, spark), uuid.uuid4().hex[:12]
    )
    configure_logging(SERVICE_NAME, runtime.run_id)
    try:
        observed = otel.configure(telemetry, SERVICE_NAME)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--telemetry") from None
    try:
        if republish:
            report = republish_rows(runtime, where, limit, dry_run)
        else:
            report = replay(runtime, where, limit, dry_run, runtime.run_id)
    finally:
        observed.shutdown()
    mode = "dry run (nothing written)" if dry_run else f"replay {report.replay_id}"
    summary = Table("", "rows", title=f"DLQ {mode}")
    summary.add_row("selected", str(report.selected))
    if republish:
        sent = "would republish" if dry_run else "republished to Event Hubs"
        summary.add_row(sent, str(report.count(REPUBLISHED)))
    else:
        recovered = "recovered" if not dry_run else "would recover"
        summary.add_row(recovered, str(report.count(RECOVERED)))
    summary.add_row("failed again", str(report.count(FAILED_OUTCOME)))
    for code, n in sorted(report.failed_by_reason().items()):
        summary.add_row(f"  {code}", str(n))
    summary.add_row("skipped as duplicates", str(report.count(DUPLICATE)))
    console.print(summary)
    return 0


def main() -> None:
    """Process entry point of ``lakestream-dlq-replay``."""
    finish(run_app(dlq_app))
