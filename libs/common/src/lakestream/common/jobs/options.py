"""Options of the job entry points (argparse) and the settings they build.

Every numeric option has bounds, every closed set of values is a ``choices`` list, every input
directory must exist: a bad value is a usage error (exit 2) naming the option and the fix before
any work starts, as in the ``lakestream`` CLI.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from lakestream.common.errors import ConfigError
from lakestream.common.jobs.process import UsageError
from lakestream.common.settings import Settings, load_settings

SOURCES = ("files", "eventhubs", "kafka")
TELEMETRY = ("off", "console", "otlp")


ARGUMENT = re.compile(r"argument (?P<option>[^:/\s]+)(?:/\S+)?: (?P<message>.*)", re.DOTALL)
"""argparse's message about one argument (``argument --wait: …``)."""


class JobParser(argparse.ArgumentParser):
    """An argument parser whose errors are :class:`UsageError` (exit 2), never ``sys.exit``."""

    def __init__(self, prog: str, description: str, **kwargs: Any) -> None:
        super().__init__(prog=prog, description=description, allow_abbrev=False, **kwargs)

    def error(self, message: str) -> NoReturn:
        hint = f"see `{self.prog} --help` for the options"
        named = ARGUMENT.fullmatch(message)
        if named:
            raise UsageError(named["message"], option=named["option"], hint=hint)
        raise UsageError(message, hint=hint)


@dataclass(frozen=True)
class Bounded:
    """Type of an integer option within ``[low, high]`` (argparse calls it on the text)."""

    low: int
    high: int

    def __call__(self, text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if not self.low <= value <= self.high:
            raise argparse.ArgumentTypeError(f"{value} is not in the range {self.low}..{self.high}")
        return value


def existing_dir(text: str) -> Path:
    """Type of an input directory option: it must exist and be a directory."""
    path = Path(text)
    if not path.is_dir():
        what = "is not a directory" if path.exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"directory {text!r} {what}")
    return path


def utc_time(text: str) -> datetime:
    """Type of a time option: ISO 8601 (naive times are UTC)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 time (e.g. 2024-05-01T12:00)"
        ) from None


_SPAN = re.compile(r"^(\d+)\s*([smhd])$")
_SPAN_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def window_start(text: str, now: datetime | None = None) -> datetime:
    """A window's start: an ISO 8601 time (UTC when naive) or a span back from now (30m, 6h,
    2d). ValueError names what was wrong."""
    match = _SPAN.match(text.strip())
    if match:
        try:
            span = timedelta(**{_SPAN_UNITS[match.group(2)]: int(match.group(1))})
            return (now or datetime.now(UTC)) - span
        except OverflowError:
            raise ValueError(f"{text!r} reaches back before year 1") from None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r}: expected an ISO 8601 time or a span like 30m, 6h, 2d"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def since_time(text: str) -> datetime:
    """Type of a ``--since`` option: :func:`window_start`."""
    try:
        return window_start(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_storage(parser: argparse.ArgumentParser) -> None:
    """``--root``, ``--env`` and ``--config-dir``."""
    parser.add_argument(
        "--root", help="Storage root (local dir or abfss:// URL). [env LAKESTREAM_ROOT]"
    )
    parser.add_argument("--env", help="Environment name under the root. [env LAKESTREAM_ENV]")
    parser.add_argument(
        "--config-dir",
        type=existing_dir,
        help="Platform config directory. [env LAKESTREAM_CONFIG_DIR]",
    )


def add_source(parser: argparse.ArgumentParser) -> None:
    """``--source`` and ``--source-path``."""
    parser.add_argument(
        "--source", choices=SOURCES, help="Raw-body source of bronze. [env LAKESTREAM_SOURCE]"
    )
    parser.add_argument("--source-path", help="Landing directory of the files source.")


def add_telemetry(parser: argparse.ArgumentParser) -> None:
    """``--telemetry``."""
    parser.add_argument(
        "--telemetry",
        choices=TELEMETRY,
        help="OpenTelemetry exporter (default: from OTEL_* variables, else off).",
    )


def settings_from_options(**options: object) -> Settings:
    """Settings with command-line ``options`` applied; a bad option value is a usage error.

    Problems with ``LAKESTREAM_*`` variables stay configuration errors (exit 1).
    """
    try:
        return load_settings(**options)
    except ConfigError as exc:
        given = {f"LAKESTREAM_{name.upper()}": name for name, v in options.items() if v is not None}
        for problem in exc.problems:
            if problem.field in given:
                flag = "--" + given[problem.field].replace("_", "-")
                raise UsageError(
                    problem.message, option=flag, hint=f"give {flag} a valid value"
                ) from None
        raise
