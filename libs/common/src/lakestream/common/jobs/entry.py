"""Job entry points of the deployed wheels, on argparse (no Typer, no rich):

- ``lakestream-bronze|silver|gold``: one service, options as ``lakestream run``;
- ``lakestream-maintain``: compact and vacuum the tables (the maintenance bundle job);
- ``lakestream-selftest``: the deployment self-test (the selftest bundle job);
- ``lakestream-reconcile``: the conservation law across layers on Spark (the reconcile job).

Each parses its arguments, calls the same function as the ``lakestream`` command of
lakestream-tooling and ends the process through :func:`lakestream.common.jobs.process.finish`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lakestream.common.jobs.maintain import MaintainLayer, run_maintain
from lakestream.common.jobs.options import (
    Bounded,
    JobParser,
    add_source,
    add_storage,
    add_telemetry,
    settings_from_options,
    since_time,
)
from lakestream.common.jobs.process import finish, run_main
from lakestream.common.jobs.reconcile import run_reconcile
from lakestream.common.jobs.run import run_services
from lakestream.common.jobs.selftest import WAIT_MAX, run_selftest
from lakestream.common.settings import Settings, load_settings
from lakestream.common.tables.maintenance import MIN_RETENTION_HOURS

RETENTION_MAX = 100 * 365 * 24
"""Longest vacuum retention (hours)."""


def service_parser(name: str) -> JobParser:
    """Options of ``lakestream-<name>``."""
    parser = JobParser(f"lakestream-{name}", f"Run the lakestream {name} service.")
    parser.add_argument(
        "--once",
        action="store_true",
        help="Process everything available, then exit (available-now).",
    )
    add_storage(parser)
    add_source(parser)
    add_telemetry(parser)
    return parser


def maintain_parser() -> JobParser:
    """Options of ``lakestream-maintain`` (as ``lakestream maintain``)."""
    parser = JobParser(
        "lakestream-maintain",
        "Compact and vacuum every table; exit 1 when any table failed (the others still run).",
    )
    parser.add_argument(
        "--layer",
        choices=[m.value for m in MaintainLayer],
        default=MaintainLayer.ALL.value,
        help="Tables of one area, or all.",
    )
    parser.add_argument(
        "--compact",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Rewrite small files into large ones.",
    )
    parser.add_argument(
        "--vacuum",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Delete files older versions no longer need.",
    )
    parser.add_argument(
        "--retention-hours",
        type=Bounded(0, RETENTION_MAX),
        default=MIN_RETENTION_HOURS,
        help="Vacuum keeps every file a version of the last N hours needs "
        f"(at least {MIN_RETENTION_HOURS} unless --force-retention).",
    )
    parser.add_argument(
        "--force-retention",
        action="store_true",
        help="Allow a retention below 7 days (breaks time travel and lagging change-feed "
        "readers beyond it).",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="Compact nothing; list what vacuum would delete."
    )
    add_storage(parser)
    return parser


def selftest_parser() -> JobParser:
    """Options of ``lakestream-selftest`` (as ``lakestream selftest``)."""
    parser = JobParser(
        "lakestream-selftest",
        "Send a generated workload of the reserved tenant, reconcile the tables, clean up.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--run-layers",
        dest="run_layers",
        action="store_true",
        default=True,
        help="Run every layer once here (default).",
    )
    mode.add_argument(
        "--wait-for-jobs",
        dest="run_layers",
        action="store_false",
        help="Wait for the deployed jobs to process the bodies.",
    )
    parser.add_argument(
        "--wait",
        type=Bounded(0, WAIT_MAX),
        default=900,
        help="Seconds to wait for the jobs (--wait-for-jobs).",
    )
    parser.add_argument(
        "--keep", action="store_true", help="Leave the self-test rows in the tables."
    )
    add_storage(parser)
    add_source(parser)
    return parser


def reconcile_parser() -> JobParser:
    """Options of ``lakestream-reconcile`` (as ``lakestream audit reconcile``)."""
    parser = JobParser(
        "lakestream-reconcile",
        "Prove the conservation law across layers through the configured backend and catalog; "
        "exit 1 naming every gap.",
    )
    parser.add_argument(
        "--since",
        type=since_time,
        default=None,
        help="Window start: ISO 8601 time (UTC) or a span back (30m, 6h, 2d); default: "
        "everything, exact.",
    )
    add_storage(parser)
    return parser


def _source_settings(o: argparse.Namespace) -> Settings:
    """The settings with the parsed storage and source options (``add_storage``, ``add_source``)."""
    return settings_from_options(
        root=o.root,
        env=o.env,
        config_dir=o.config_dir,
        source=o.source,
        source_path=o.source_path,
    )


def run_service(name: str, args: Sequence[str] | None = None) -> int:
    """``lakestream-<name> args``: the exit code."""

    def main() -> int:
        o = service_parser(name).parse_args(args)
        return run_services([name], _source_settings(o), o.once, o.telemetry)

    return run_main(main)


def maintain_job(args: Sequence[str] | None = None) -> int:
    """``lakestream-maintain args``: the exit code."""

    def main() -> int:
        o = maintain_parser().parse_args(args)
        settings = load_settings(root=o.root, env=o.env, config_dir=o.config_dir)
        return run_maintain(
            settings,
            MaintainLayer(o.layer),
            compact=o.compact,
            vacuum=o.vacuum,
            retention_hours=o.retention_hours,
            force_retention=o.force_retention,
            dry_run=o.dry_run,
        )

    return run_main(main)


def selftest_job(args: Sequence[str] | None = None) -> int:
    """``lakestream-selftest args``: the exit code."""

    def main() -> int:
        o = selftest_parser().parse_args(args)
        return run_selftest(_source_settings(o), o.run_layers, o.wait, o.keep)

    return run_main(main)


def reconcile_job(args: Sequence[str] | None = None) -> int:
    """``lakestream-reconcile args``: the exit code."""

    def main() -> int:
        o = reconcile_parser().parse_args(args)
        settings = load_settings(root=o.root, env=o.env, config_dir=o.config_dir)
        return run_reconcile(settings, o.since)

    return run_main(main)


def service_main(name: str) -> None:
    """Process entry point of one service's job."""
    finish(run_service(name, sys.argv[1:]))


def maintain_main() -> None:
    """Process entry point of ``lakestream-maintain``."""
    finish(maintain_job(sys.argv[1:]))


def selftest_main() -> None:
    """Process entry point of ``lakestream-selftest``."""
    finish(selftest_job(sys.argv[1:]))


def reconcile_main() -> None:
    """Process entry point of ``lakestream-reconcile``."""
    finish(reconcile_job(sys.argv[1:]))
