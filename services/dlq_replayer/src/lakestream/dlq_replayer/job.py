"""``lakestream-dlq-replay replay …``: the replay job entry point (argparse, no Typer), and the
replay run that ``lakestream dlq replay`` (lakestream-tooling) calls as well."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Sequence

from lakestream.common import telemetry as otel
from lakestream.common.audit.tables import require_tables
from lakestream.common.config import load_registry
from lakestream.common.jobs.options import (
    Bounded,
    JobParser,
    add_storage,
    add_telemetry,
    settings_from_options,
    utc_time,
)
from lakestream.common.jobs.process import UsageError, finish, run_main
from lakestream.common.logs import configure_logging
from lakestream.common.reasons import ReasonCode, Stage
from lakestream.common.runtime.service import Runtime
from lakestream.common.runtime.streaming import make_backend
from lakestream.common.settings import Settings
from lakestream.common.spark.session import get_spark
from lakestream.dlq_replayer.replay import (
    DUPLICATE,
    FAILED_OUTCOME,
    RECOVERED,
    REPUBLISHED,
    SERVICE_NAME,
    ReplayReport,
    replay,
)
from lakestream.dlq_replayer.republish import republish as republish_rows
from lakestream.dlq_replayer.selection import STATUSES, DlqFilter, dlq_filter

LIMIT_MAX = 10_000_000
"""Largest --limit (rows are held in memory)."""
VERSION_MAX = 2**31 - 1
"""Largest --version."""


def summary_lines(report: ReplayReport, dry_run: bool, republish: bool) -> list[str]:
    """What a replay did (or would do): rows selected, recovered or republished, failed again."""
    mode = "dry run (nothing written)" if dry_run else f"replay {report.replay_id}"
    if republish:
        done = "would republish" if dry_run else "republished to Event Hubs"
        rows = [(done, report.count(REPUBLISHED))]
    else:
        rows = [("would recover" if dry_run else "recovered", report.count(RECOVERED))]
    rows = [("selected", report.selected), *rows, ("failed again", report.count(FAILED_OUTCOME))]
    rows += [(f"  {code}", n) for code, n in sorted(report.failed_by_reason().items())]
    rows.append(("skipped as duplicates", report.count(DUPLICATE)))
    width = max(len(label) for label, _ in rows)
    return [f"DLQ {mode}", *(f"{label:<{width}}  {n:>6}" for label, n in rows)]


def run_replay(
    settings: Settings,
    where: DlqFilter,
    limit: int | None,
    dry_run: bool,
    republish: bool,
    telemetry: str | None,
) -> int:
    """Re-run the rejecting stage on the selected rows with the current configuration (or send
    their bodies back to Event Hubs), then print the summary; returns the exit code."""
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
        raise UsageError(str(exc), option="--telemetry") from None
    try:
        if republish:
            report = republish_rows(runtime, where, limit, dry_run)
        else:
            report = replay(runtime, where, limit, dry_run, runtime.run_id)
    finally:
        observed.shutdown()
    for line in summary_lines(report, dry_run, republish):
        print(line, flush=True)
    return 0


def replay_parser() -> JobParser:
    """Options of ``lakestream-dlq-replay replay`` (as ``lakestream dlq replay``)."""
    parser = JobParser(
        "lakestream-dlq-replay", "Replay dead letter queue rows after a configuration fix."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="replay")
    sub = commands.add_parser(
        "replay",
        help="Re-run the rejecting stage on the selected rows with the current configuration.",
        description="Re-run the rejecting stage on the selected rows with the current "
        "configuration.",
    )
    sub.add_argument("--tenant", help="Claimed tenant_id.")
    sub.add_argument("--event-type", help="event_type.")
    sub.add_argument("--version", type=Bounded(1, VERSION_MAX), help="event_version.")
    sub.add_argument("--stage", choices=[s.value for s in Stage], help="Rejecting stage.")
    sub.add_argument(
        "--reason",
        type=str.upper,
        choices=[r.value for r in ReasonCode],
        help="reason_code, e.g. UNKNOWN_TENANT.",
    )
    sub.add_argument("--since", type=utc_time, help="failed_at >= this time (ISO 8601, UTC).")
    sub.add_argument("--until", type=utc_time, help="failed_at < this time (ISO 8601, UTC).")
    sub.add_argument("--status", choices=STATUSES, help="replay_status.")
    sub.add_argument("--limit", type=Bounded(1, LIMIT_MAX), help="At most this many rows.")
    sub.add_argument(
        "--dry-run", action="store_true", help="Report what would happen; write nothing."
    )
    sub.add_argument(
        "--republish",
        action="store_true",
        help="Send the raw bodies back to Event Hubs (LAKESTREAM_EVENTHUBS_* settings) "
        "instead of writing tables; bronze ingests them again.",
    )
    add_storage(sub)
    add_telemetry(sub)
    return parser


def replay_job(args: Sequence[str] | None = None) -> int:
    """``lakestream-dlq-replay args``: the exit code."""

    def main() -> int:
        o = replay_parser().parse_args(args)
        where = dlq_filter(
            o.tenant, o.event_type, o.version, o.stage, o.reason, o.since, o.until, o.status
        )
        settings = settings_from_options(root=o.root, env=o.env, config_dir=o.config_dir)
        return run_replay(settings, where, o.limit, o.dry_run, o.republish, o.telemetry)

    return run_main(main)


def main() -> None:
    """Process entry point of ``lakestream-dlq-replay``."""
    finish(replay_job(sys.argv[1:]))
