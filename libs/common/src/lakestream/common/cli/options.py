"""Options shared by ``lakestream run``, the job entry points and the operator commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

RootOpt = Annotated[
    str | None,
    typer.Option("--root", help="Storage root (local dir or abfss:// URL). [env LAKESTREAM_ROOT]"),
]
EnvOpt = Annotated[
    str | None, typer.Option("--env", help="Environment name under the root. [env LAKESTREAM_ENV]")
]
ConfigDirOpt = Annotated[
    Path | None,
    typer.Option("--config-dir", help="Platform config directory. [env LAKESTREAM_CONFIG_DIR]"),
]
SourceOpt = Annotated[
    str | None,
    typer.Option(
        "--source",
        help="Raw-body source of bronze: files|eventhubs|kafka. [env LAKESTREAM_SOURCE]",
    ),
]
SourcePathOpt = Annotated[
    str | None,
    typer.Option("--source-path", help="Landing directory of the files source."),
]
TelemetryOpt = Annotated[
    str | None,
    typer.Option(
        "--telemetry",
        help="OpenTelemetry exporter: off|console|otlp (default: from OTEL_* variables, else off).",
    ),
]
OnceOpt = Annotated[
    bool,
    typer.Option("--once", help="Process everything available, then exit (available-now)."),
]
