"""Running a command as a process: clear errors, explicit exit codes, safe shutdown.

Shared by the argparse job entry points and the ``lakestream`` CLI (decisions 0009, 0082, 0095):
a usage error exits 2, a configuration error or any other failure exits 1, an interrupt 130,
and every message is one line with secrets redacted.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from lakestream.common.errors import ConfigError, LakestreamError, Problem
from lakestream.common.redact import redact

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(LakestreamError):
    """A command-line argument is wrong: names the option and how to fix it (exit 2)."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, option: str | None = None, hint: str = "") -> None:
        self.option = option
        self.message = message
        self.hint = hint
        text = f"'{option}': {message}" if option else message
        super().__init__(f"{text} (fix: {hint})" if hint else text)


def say(text: str) -> None:
    """One line on stderr, secrets redacted."""
    print(redact(text), file=sys.stderr, flush=True)


def problem_text(problem: Problem) -> str:
    """``file: field: message (fix: hint)`` with any secret redacted."""
    return redact(problem.render())


def run_main(main: Callable[[], int]) -> int:
    """Call ``main`` and turn every outcome into an exit code and a clear message."""
    try:
        return main()
    except UsageError as exc:
        say(f"usage error: {exc}")
        return EXIT_USAGE
    except ConfigError as exc:
        for problem in exc.problems:
            say(f"config error: {problem_text(problem)}")
        say(f"{len(exc.problems)} problem(s); nothing was started")
        return EXIT_FAILED
    except LakestreamError as exc:
        say(f"error: {exc}")
        return int(getattr(exc, "exit_code", EXIT_FAILED))
    except KeyboardInterrupt:
        say("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        say(f"failed: {type(exc).__name__}: {first}")
        return EXIT_FAILED


def finish(code: int) -> NoReturn:
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
        say(f"warning: Spark did not stop cleanly: {exc}")
    gc.collect()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
