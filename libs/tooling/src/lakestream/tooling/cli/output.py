"""Terminal output shared by the commands: problems printed verbatim (no markup, no wrapping)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from lakestream.common.errors import Problem
from lakestream.common.redact import redact

err_console = Console(stderr=True, soft_wrap=True)


def problem_line(problem: Problem) -> Text:
    """``file: field: message (fix: hint)`` styled, with any secret redacted."""
    line = Text.assemble(
        (redact(problem.file), "bold"),
        ": ",
        (redact(problem.field), "yellow"),
        ": ",
        (redact(problem.message), "red"),
    )
    if problem.hint:
        line.append(f" (fix: {redact(problem.hint)})", style="dim")
    return line
