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
SourcePathOpt = Annotated[
    str | None,
    typer.Option("--source-path", help="Landing directory of the files source."),
]
OnceOpt = Annotated[
    bool,
    typer.Option("--once", help="Process everything available, then exit (available-now)."),
]
