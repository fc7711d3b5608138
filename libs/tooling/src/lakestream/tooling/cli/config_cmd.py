"""``lakestream config ...``: inspect and validate the platform configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from lakestream.common.config import SELFTEST_TENANT, load_registry
from lakestream.common.errors import ConfigError
from lakestream.tooling.cli.output import problem_line

config_app = typer.Typer(
    help="Inspect and validate the platform configuration (tenants, contracts, products).",
    no_args_is_help=True,
)


@config_app.command("validate")
def validate(
    config_dir: Annotated[
        Path,
        typer.Option(
            "--config-dir",
            exists=True,
            file_okay=False,
            help="Directory holding tenants/, contracts/, products/.",
        ),
    ] = Path("config"),
) -> None:
    """Check every config file and the references between them; exit 1 on any problem."""
    console = Console(soft_wrap=True)
    try:
        registry = load_registry(config_dir)
    except ConfigError as exc:
        for problem in exc.problems:
            console.print(problem_line(problem))
        count = len(exc.problems)
        console.print(
            Text(f"{count} problem{'s' if count != 1 else ''} in {config_dir}", style="bold red")
        )
        raise typer.Exit(code=1) from None
    console.print(
        Text(
            f"config OK: {len(registry.tenants) - 1} tenants, {len(registry.contracts)} "
            f"contracts, {len(registry.products)} products (and the reserved tenant "
            f"{SELFTEST_TENANT!r} of lakestream selftest)",
            style="bold green",
        )
    )
