"""Typer options shared by ``lakestream run`` and the operator commands (the job entry points
have the same options on argparse: ``lakestream.common.jobs.options``).

Every numeric option has a ``min`` and a ``max``, every closed set of values is a ``Literal``
or an enum, and every input path must exist: a bad value is a usage error (exit 2) before any
work starts (``tests/unit/test_hostile_cli.py`` holds every command to that).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from lakestream.common.audit.tables import environments, has_tables, require_tables
from lakestream.common.jobs.options import settings_from_options
from lakestream.common.settings import Settings
from lakestream.tooling.cli.output import err_console

SEED_MAX = 2**32 - 1
"""Largest workload seed (the generator's seed range)."""
EVENTS_MAX = 5_000_000
"""Largest generated workload (it is built in memory)."""

RootOpt = Annotated[
    str | None,
    typer.Option("--root", help="Storage root (local dir or abfss:// URL). [env LAKESTREAM_ROOT]"),
]
EnvOpt = Annotated[
    str | None, typer.Option("--env", help="Environment name under the root. [env LAKESTREAM_ENV]")
]
ConfigDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--config-dir",
        exists=True,
        file_okay=False,
        help="Platform config directory. [env LAKESTREAM_CONFIG_DIR]",
    ),
]
SourceOpt = Annotated[
    Literal["files", "eventhubs", "kafka"] | None,
    typer.Option("--source", help="Raw-body source of bronze. [env LAKESTREAM_SOURCE]"),
]
SourcePathOpt = Annotated[
    str | None,
    typer.Option("--source-path", help="Landing directory of the files source."),
]
TelemetryOpt = Annotated[
    Literal["off", "console", "otlp"] | None,
    typer.Option(
        "--telemetry",
        help="OpenTelemetry exporter (default: from OTEL_* variables, else off).",
    ),
]
OnceOpt = Annotated[
    bool,
    typer.Option("--once", help="Process everything available, then exit (available-now)."),
]
ChainedOpt = Annotated[
    bool,
    typer.Option(
        "--chained",
        help="One query whose every batch runs bronze, silver and gold in turn (low latency; "
        "needs --layer all and the embedded backend).",
    ),
]


def reading_settings(pick_env: bool = True, **options: object) -> Settings:
    """Settings of a command that reads the tables; the environment read must hold some.

    Without ``--env`` (or ``LAKESTREAM_ENV``) and no tables in the default environment, the one
    environment under a local root that has tables is read, and named on stderr (``pick_env``;
    commands that write choose no environment by themselves). Otherwise NoTablesError names the
    path read and the environments that hold tables.
    """
    settings = settings_from_options(**options)
    layout = settings.layout
    if layout.by_name or "://" in layout.root or has_tables(layout):
        return settings
    found = environments(layout.root)
    if pick_env and "env" not in settings.model_fields_set and len(found) == 1:
        err_console.print(
            f"reading environment {found[0]!r}, the only one with tables under {layout.root} "
            "(--env chooses another)",
            highlight=False,
        )
        return settings.model_copy(update={"env": found[0]})
    require_tables(layout)
    return settings


def writable_file(path: Path | None) -> Path | None:
    """Callback of output file options: not a directory, and no file where a parent must be."""
    if path is None:
        return path
    if path.is_dir():
        raise typer.BadParameter(f"{path} is a directory")
    blocking = next((p for p in path.parents if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise typer.BadParameter(f"{blocking} is a file, not a directory")
    return path
