"""``lakestream checkpoint ...``: inspect the layers' streaming checkpoints, repair a bad tail."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lakestream.common.errors import LakestreamError
from lakestream.common.jobs.run import Layer, select_services
from lakestream.common.layout import TableLayout
from lakestream.common.runtime.checkpoint import (
    CheckpointError,
    audited_batches,
    inspect,
    quarantine,
    repair_plan,
)
from lakestream.common.runtime.lock import hold
from lakestream.tooling.cli.options import EnvOpt, RootOpt, reading_settings

checkpoint_app = typer.Typer(
    help="Inspect and repair the Structured Streaming checkpoints of the layers.",
    no_args_is_help=True,
)
LayerOpt = Annotated[Layer, typer.Option("--layer", help="Layer whose checkpoints, or all.")]


def _checkpoints(layout: TableLayout, layer: Layer) -> list[tuple[str, Path]]:
    """(service, checkpoint directory) of every flow of the selected layers that has one."""
    found = []
    for service in select_services([layer.value]):
        parent = layout.checkpoint(service.name, "")
        if "://" in parent:
            raise LakestreamError(
                f"{parent}: only local checkpoints can be inspected; on ADLS see "
                "docs/reliability.md (lost or damaged checkpoint)"
            )
        directory = Path(parent)
        flows = sorted(p for p in directory.iterdir() if p.is_dir()) if directory.is_dir() else []
        found += [(service.name, flow) for flow in flows]
    return found


@checkpoint_app.command("status")
def status(layer: LayerOpt = Layer.ALL, root: RootOpt = None, env: EnvOpt = None) -> None:
    """Per checkpoint: last planned and committed batch, last audited batch, damaged files."""
    layout = reading_settings(root=root, env=env).layout
    table = Table("service", "checkpoint", "planned", "committed", "audited", "state")
    damage = []
    audited_by_service = audited_batches(layout)
    for service, directory in _checkpoints(layout, layer):
        state = inspect(str(directory))
        audited = audited_by_service.get(service, [])
        damage += [f"{d.file}: {d.problem}" for d in state.damage]
        table.add_row(
            service,
            str(directory),
            str(state.latest("offsets")),
            str(state.latest("commits")),
            str(audited[-1] if audited else None),
            f"{len(state.damage)} damaged files" if state.damage else "ok",
        )
    console = Console(soft_wrap=True)
    console.print(table)
    for line in damage:
        console.print(f"damaged: {line}", highlight=False)
    if damage:
        raise typer.Exit(code=1)


@checkpoint_app.command("repair")
def repair(
    layer: LayerOpt,
    root: RootOpt = None,
    env: EnvOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be moved; change nothing.")
    ] = False,
) -> None:
    """Move damaged log files aside (to ``_quarantine/``) when that loses and repeats nothing.

    The layer then resumes exactly: a batch whose commit file was damaged runs again
    (idempotently), a last batch whose offsets file was damaged never ran and is planned anew.
    Refused while the layer runs (its run lock is held for the repair).
    """
    layout = reading_settings(False, root=root, env=env).layout
    console = Console(soft_wrap=True)
    refused: list[str] = []
    audited = audited_batches(layout)
    with ExitStack() as locks:
        if not dry_run:
            hold(locks, layout, [s.name for s in select_services([layer.value])], "repair")
        _repair(layout, layer, audited, dry_run, console, refused)
    if refused:
        raise CheckpointError("cannot repair: " + " | ".join(refused))


def _repair(
    layout: TableLayout,
    layer: Layer,
    audited: dict[str, list[int]],
    dry_run: bool,
    console: Console,
    refused: list[str],
) -> None:
    for service, directory in _checkpoints(layout, layer):
        state = inspect(str(directory))
        movable, cannot = repair_plan(state, audited.get(service, []))
        refused += cannot
        if dry_run:
            for file in movable:
                console.print(f"would move {file}", highlight=False)
            continue
        for moved in quarantine(state, movable):
            console.print(f"moved {moved}", highlight=False)
        if not movable and not cannot:
            console.print(f"{service}: {directory} is intact", highlight=False)
