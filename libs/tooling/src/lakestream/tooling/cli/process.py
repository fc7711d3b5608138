"""Running a Typer app as a process: Typer's own outcomes (``--help``, usage errors, abort) here,
every other outcome through the job entry points' handling (``lakestream.common.jobs.process``)."""

from __future__ import annotations

import sys

import typer

from lakestream.common.jobs.process import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, run_main, say


def run_app(app: typer.Typer, args: list[str] | None = None) -> int:
    """Invoke ``app`` and turn every outcome into an exit code and a clear message."""

    def invoke() -> int:
        try:
            result = app(args=args, standalone_mode=False)
        except typer.Exit as exc:
            return int(exc.exit_code)
        except typer.Abort:
            say("aborted")
            return EXIT_INTERRUPTED
        except Exception as exc:
            if not _is_usage_error(exc):
                raise
            exc.show(file=sys.stderr)  # type: ignore[attr-defined]
            return int(getattr(exc, "exit_code", EXIT_USAGE))
        return int(result) if isinstance(result, int) else EXIT_OK

    return run_main(invoke)


def _is_usage_error(exc: Exception) -> bool:
    """Click-style usage errors (typer vendors click): they know how to show themselves."""
    return callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int)
