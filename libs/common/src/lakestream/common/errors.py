"""Error types that carry what an operator needs: the file, the field and the fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One configuration or argument problem, located precisely enough to fix."""

    file: str
    field: str
    message: str
    hint: str = ""

    def render(self) -> str:
        """One human line: ``file: field: message (fix: hint)``."""
        text = f"{self.file}: {self.field}: {self.message}"
        return f"{text} (fix: {self.hint})" if self.hint else text


class LakestreamError(Exception):
    """Base class of every error lakestream raises on purpose."""


class ConfigError(LakestreamError):
    """Configuration (YAML or settings) is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))


class NoTablesError(LakestreamError):
    """A reading command found no lakestream tables under the chosen root and environment."""

    exit_code = 2


class SourceUnavailableError(LakestreamError):
    """The configured source cannot be read (missing landing directory, unreachable hub)."""


class StreamFailedError(LakestreamError):
    """A streaming query stopped because a batch failed (its FAILED audit row is written)."""
