"""Structured logs: JSON lines when stderr is not a terminal, with run id, service, batch id.

Every message passes through ``redact`` so no secret reaches a log — lakestream's own records
(from INFO) and third-party ones (OpenTelemetry exporters, the Azure SDK, py4j, ``warnings``;
from WARNING), which would otherwise reach stderr unredacted through logging's last resort.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO

from lakestream.common.redact import redact
from lakestream.common.telemetry import batch_id_var, run_id_var, service_var

_process: dict[str, str | None] = {"run_id": None, "service": None}


def _context() -> dict[str, object]:
    return {
        "run_id": run_id_var.get() or _process["run_id"],
        "service": service_var.get() or _process["service"],
        "batch_id": batch_id_var.get(),
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line (message redacted)."""
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            **_context(),
        }
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info).splitlines()[-1])
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """Human-readable line with the same context."""

    def format(self, record: logging.LogRecord) -> str:
        """``time level logger [run service batch] message`` (message redacted)."""
        ctx = _context()
        tags = " ".join(f"{k}={v}" for k, v in ctx.items() if v is not None)
        when = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        return f"{when} {record.levelname} {record.name} [{tags}] {redact(record.getMessage())}"


def _ours_or_warning(record: logging.LogRecord) -> bool:
    """lakestream's records at its logger's level; any other logger's from WARNING."""
    ours = record.name == "lakestream" or record.name.startswith("lakestream.")
    return ours or record.levelno >= logging.WARNING


def configure_logging(
    service: str,
    run_id: str | None = None,
    json_lines: bool | None = None,
    stream: IO[str] | None = None,
    level: int = logging.INFO,
) -> logging.Handler:
    """Install lakestream's redacting handler on the root logger; returns it.

    ``lakestream.*`` records pass from ``level``, every other logger's from WARNING.
    """
    _process.update(run_id=run_id, service=service)
    target = stream or sys.stderr
    as_json = json_lines if json_lines is not None else not target.isatty()
    handler = logging.StreamHandler(target)
    handler.setFormatter(JsonFormatter() if as_json else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "lakestream", False)]:
        root.removeHandler(old)
    handler.lakestream = True  # type: ignore[attr-defined]
    handler.addFilter(_ours_or_warning)
    root.addHandler(handler)
    logging.getLogger("lakestream").setLevel(level)
    logging.captureWarnings(True)
    return handler
