"""``lakestream maintain``: compact and vacuum every table of the layout (decision 0060).

The same work as the ``lakestream-maintain`` job:
:func:`lakestream.common.jobs.maintain.run_maintain`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from lakestream.common.jobs.entry import RETENTION_MAX
from lakestream.common.jobs.maintain import MaintainLayer, run_maintain
from lakestream.common.settings import load_settings
from lakestream.common.tables.maintenance import MIN_RETENTION_HOURS
from lakestream.tooling.cli.options import ConfigDirOpt, EnvOpt, RootOpt


def maintain_cmd(
    layer: Annotated[
        MaintainLayer, typer.Option("--layer", help="Tables of one area, or all.")
    ] = MaintainLayer.ALL,
    compact: Annotated[
        bool, typer.Option("--compact/--no-compact", help="Rewrite small files into large ones.")
    ] = True,
    vacuum: Annotated[
        bool,
        typer.Option("--vacuum/--no-vacuum", help="Delete files older versions no longer need."),
    ] = True,
    retention_hours: Annotated[
        int,
        typer.Option(
            "--retention-hours",
            min=0,
            max=RETENTION_MAX,
            help=f"Vacuum keeps every file a version of the last N hours needs "
            f"(at least {MIN_RETENTION_HOURS} unless --force-retention).",
        ),
    ] = MIN_RETENTION_HOURS,
    force_retention: Annotated[
        bool,
        typer.Option(
            "--force-retention",
            help="Allow a retention below 7 days (breaks time travel and lagging change-feed "
            "readers beyond it).",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Compact nothing; list what vacuum would delete."),
    ] = False,
    root: RootOpt = None,
    env: EnvOpt = None,
    config_dir: ConfigDirOpt = None,
) -> int:
    """Compact and vacuum every table; exit 1 when any table failed (the others still run)."""
    return run_maintain(
        load_settings(root=root, env=env, config_dir=config_dir),
        layer,
        compact=compact,
        vacuum=vacuum,
        retention_hours=retention_hours,
        force_retention=force_retention,
        dry_run=dry_run,
    )
