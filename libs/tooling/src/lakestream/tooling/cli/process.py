"""Running a Typer app as a process: clear errors, explicit exit codes, safe shutdown."""

from __future__ import annotations

import gc
import os
import sys

import typer
from rich.text import Text

from lakestream.tooling.cli.output import err_console, problem_line
from lakestream.common.errors import ConfigError, LakestreamError
from lakestream.common.redact import redact

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def run_app(app: typer.Typer, args: list[str] | None = None) -> int:
    """Invoke ``app`` and turn every outcome into an exit code and a clear message."""
    try:
        result = app(args=args, standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        err_console.print("[yellow]aborted[/yellow]")
        return 130
    except ConfigError as exc:
        for problem in exc.problems:
            err_console.print(Text("config error: ", style="red") + problem_line(problem))
        err_console.print(
            Text(f"{len(exc.problems)} problem(s); nothing was started", style="bold red")
        )
        return EXIT_FAILED
    except LakestreamError as exc:
        err_console.print(Text("error: ", style="red") + Text(redact(str(exc))))
        return int(getattr(exc, "exit_code", EXIT_FAILED))
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/yellow]")
        return 130
    except Exception as exc:
        if _is_usage_error(exc):
            exc.show(file=sys.stderr)  # type: ignore[attr-defined]
            return int(getattr(exc, "exit_code", EXIT_USAGE))
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        err_console.print(
            Text("failed: ", style="red") + Text(f"{type(exc).__name__}: {redact(first)}")
        )
        return EXIT_FAILED
    return int(result) if isinstance(result, int) else EXIT_OK


def _is_usage_error(exc: Exception) -> bool:
    """Click-style usage errors (typer vendors click): they know how to show themselves."""
    return callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int)


def finish(code: int) -> None:
    """Stop Spark, flush, and end the process with ``code``.

    Ends with ``os._exit`` so Arrow/Rust worker threads of delta-rs are never torn down during
    interpreter finalisation (delta-io/delta-rs#2184 aborts with exit 134 there).
    """
    try:
        from pyspark.sql import SparkSession

        active = SparkSession.getActiveSession()
        if active is not None:
            active.stop()
    except Exception as exc:
        err_console.print(
            Text(f"warning: Spark did not stop cleanly: {redact(str(exc))}", style="yellow")
        )
    gc.collect()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
