"""``lakestream selftest``: prove this deployment end to end, then clean up after itself.

The same work as the ``lakestream-selftest`` job:
:func:`lakestream.common.jobs.selftest.run_selftest`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from lakestream.common.jobs.options import settings_from_options
from lakestream.common.jobs.selftest import WAIT_MAX, run_selftest
from lakestream.tooling.cli.options import (
    ConfigDirOpt,
    EnvOpt,
    RootOpt,
    SourceOpt,
    SourcePathOpt,
)


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
    settings = settings_from_options(
        root=root, env=env, config_dir=config_dir, source=source, source_path=source_path
    )
    return run_selftest(settings, run_layers, wait, keep)
