"""``lakestream``: the umbrella CLI for people (run, demo, config, audit, dlq, ...)."""

from __future__ import annotations

from importlib.metadata import distributions
from typing import Annotated

import typer

from lakestream.common.jobs.options import settings_from_options
from lakestream.common.jobs.process import UsageError, finish
from lakestream.common.jobs.run import Layer, run_services
from lakestream.tooling.cli.audit_cmd import audit_app
from lakestream.tooling.cli.bench_cmd import bench
from lakestream.tooling.cli.checkpoint_cmd import checkpoint_app
from lakestream.tooling.cli.config_cmd import config_app
from lakestream.tooling.cli.demo_cmd import demo
from lakestream.tooling.cli.dlq_cmd import dlq_app
from lakestream.tooling.cli.events_cmd import events_app
from lakestream.tooling.cli.maintain_cmd import maintain_cmd
from lakestream.tooling.cli.options import (
    ChainedOpt,
    ConfigDirOpt,
    EnvOpt,
    OnceOpt,
    RootOpt,
    SourceOpt,
    SourcePathOpt,
    TelemetryOpt,
)
from lakestream.tooling.cli.process import run_app
from lakestream.tooling.cli.selftest_cmd import selftest_cmd
from lakestream.tooling.cli.status_cmd import status

app = typer.Typer(
    name="lakestream",
    help="lakestream: multi-tenant Event Hubs -> Bronze -> Silver -> Gold on Spark and Delta.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(config_app, name="config")
app.add_typer(audit_app, name="audit")
app.add_typer(events_app, name="events")
app.add_typer(checkpoint_app, name="checkpoint")
app.command(help="Generate a demo workload, run every layer once and reconcile.")(demo)
app.command(help="Benchmark the chain against a plain Spark job: throughput, memory, latency.")(
    bench
)
app.command("maintain")(maintain_cmd)
app.command("status")(status)
app.command("selftest")(selftest_cmd)
app.add_typer(dlq_app, name="dlq")


def installed_versions() -> dict[str, str]:
    """Version of every installed lakestream distribution."""
    found = {
        d.metadata["Name"]: d.version
        for d in distributions()
        if (d.metadata["Name"] or "").startswith("lakestream-")
    }
    return dict(sorted(found.items()))


@app.callback(invoke_without_command=True)
def root_options(
    version: Annotated[
        bool, typer.Option("--version", help="Print every installed lakestream package version.")
    ] = False,
) -> None:
    """lakestream command line."""
    if version:
        for name, ver in installed_versions().items():
            typer.echo(f"{name} {ver}")
        raise typer.Exit(0)


@app.command()
def run(
    layer: Annotated[Layer, typer.Option("--layer", help="Layer to run, or all.")] = Layer.ALL,
    once: OnceOpt = False,
    chained: ChainedOpt = False,
    root: RootOpt = None,
    env: EnvOpt = None,
    config_dir: ConfigDirOpt = None,
    source_path: SourcePathOpt = None,
    telemetry: TelemetryOpt = None,
    source: SourceOpt = None,
) -> int:
    """Run a layer (or the whole chain) once or continuously until Ctrl-C."""
    if chained and layer is not Layer.ALL:
        raise UsageError(
            "runs the whole chain in one query", option="--chained", hint="use --layer all"
        )
    settings = settings_from_options(
        root=root, env=env, config_dir=config_dir, source_path=source_path, source=source
    )
    return run_services([layer.value], settings, once, telemetry, chained)


def main() -> None:
    """Process entry point of ``lakestream``."""
    finish(run_app(app))
