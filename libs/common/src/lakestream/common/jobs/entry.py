"""Entry points ``lakestream-bronze|silver|gold``: one service, options as ``lakestream run``."""

from __future__ import annotations

import typer

from lakestream.tooling.cli.options import (
    ConfigDirOpt,
    EnvOpt,
    OnceOpt,
    RootOpt,
    SourceOpt,
    SourcePathOpt,
    TelemetryOpt,
    cli_settings,
)
from lakestream.tooling.cli.process import finish, run_app
from lakestream.common.jobs.run import run_services


def service_app(name: str) -> typer.Typer:
    """A one-command Typer app that runs service ``name``."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.command(help=f"Run the lakestream {name} service.")
    def run(
        once: OnceOpt = False,
        root: RootOpt = None,
        env: EnvOpt = None,
        config_dir: ConfigDirOpt = None,
        source_path: SourcePathOpt = None,
        telemetry: TelemetryOpt = None,
        source: SourceOpt = None,
    ) -> int:
        settings = cli_settings(
            root=root, env=env, config_dir=config_dir, source_path=source_path, source=source
        )
        return run_services([name], settings, once, telemetry)

    return app


def service_main(name: str) -> None:
    """Process entry point of one service's job."""
    finish(run_app(service_app(name)))
