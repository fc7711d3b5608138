"""Secret probes: recognizable fake secrets, and a scanner for every place they could leak to.

A probe secret is looked for raw, URL-encoded, base64-encoded and JSON-escaped, in text, in
every file under a directory (checkpoints, logs, Parquet and Delta log files as bytes) and in
every row of every Delta table found there (Parquet pages may be compressed, so rows are read
back through ``deltalake``).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote

from deltalake import DeltaTable
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, PeriodicExportingMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from pyspark.sql.streaming.listener import (
    QueryIdleEvent,
    QueryProgressEvent,
    QueryStartedEvent,
    QueryTerminatedEvent,
    StreamingQueryListener,
)

from lakestream.common.telemetry import Telemetry

EH_KEY = "LsProbeEhKey0Secret+Value/AAAABBBBCCCCDDDDEEEE="
"""An Event Hubs shared access key (base64-like, with ``+``, ``/`` and ``=`` to encode)."""
ACCOUNT_KEY = "LsProbeAccountKey0Secret+Storage/FFFFGGGGHHHHIIIIJJJJKKKKLLLLMMMMNNNN=="
SAS_SIG = "LsProbeSasSig0Secret+Sig/OOOOPPPP="
BEARER = "eyLsProbeBearer0Secret.QQQQRRRR.SSSSTTTT"
SECRETS = {
    "eventhubs key": EH_KEY,
    "account key": ACCOUNT_KEY,
    "sas sig": SAS_SIG,
    "bearer": BEARER,
}


def eventhubs_connection_string(endpoint: str, hub: str, key: str = EH_KEY) -> str:
    """A shared-key connection string for ``sb://<endpoint>`` (the local stand-in's form)."""
    return (
        f"Endpoint=sb://{endpoint};SharedAccessKeyName=probe;SharedAccessKey={key};"
        f"EntityPath={hub};UseDevelopmentEmulator=true"
    )


def sas_connection_string(endpoint: str, hub: str, sig: str = SAS_SIG) -> str:
    """A connection string carrying a (fake) SAS token instead of a key."""
    token = f"SharedAccessSignature sr=sb%3A%2F%2F{endpoint}&sig={quote(sig, safe='')}&se=1&skn=p"
    return (
        f"Endpoint=sb://{endpoint};SharedAccessSignature={token};EntityPath={hub};"
        "UseDevelopmentEmulator=true"
    )


def encodings(secret: str) -> dict[str, str]:
    """The forms a secret takes when printed, put in a URL, base64-encoded or JSON-dumped."""
    return {
        "raw": secret,
        "url-encoded": quote(secret, safe=""),
        "base64": base64.b64encode(secret.encode()).decode(),
        "json-escaped": json.dumps(secret)[1:-1].replace("/", "\\/"),
    }


@dataclass(frozen=True)
class Finding:
    """A secret found somewhere it must never be."""

    where: str
    secret: str
    encoding: str


def scan_text(where: str, text: str, secrets: dict[str, str] = SECRETS) -> list[Finding]:
    """Every (secret, encoding) that occurs in ``text``."""
    return [
        Finding(where, name, encoding)
        for name, secret in secrets.items()
        for encoding, form in encodings(secret).items()
        if form in text
    ]


def scan_files(root: Path, secrets: dict[str, str] = SECRETS) -> list[Finding]:
    """Every file under ``root`` as bytes (checkpoints, logs, Delta logs, Parquet)."""
    findings: list[Finding] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("latin-1")
        findings += scan_text(str(path.relative_to(root)), text, secrets)
    return findings


def scan_tables(root: Path, secrets: dict[str, str] = SECRETS) -> list[Finding]:
    """Every row of every Delta table under ``root`` (audit errors, DLQ details, data)."""
    findings: list[Finding] = []
    for log in sorted(root.rglob("_delta_log")):
        rows = DeltaTable(str(log.parent)).to_pyarrow_table().to_pylist()
        findings += scan_text(f"table {log.parent.relative_to(root)}", repr(rows), secrets)
    return findings


def scan_everything(
    root: Path | None, texts: dict[str, str], secrets: dict[str, str] = SECRETS
) -> list[Finding]:
    """Texts (outputs, messages) plus, when given, every file and table under ``root``."""
    findings = [f for where, text in texts.items() for f in scan_text(where, text, secrets)]
    if root is not None:
        findings += scan_files(root, secrets) + scan_tables(root, secrets)
    return findings


def assert_clean(root: Path | None, texts: dict[str, str]) -> None:
    """Fail naming every finding of ``scan_everything``."""
    findings = scan_everything(root, texts)
    assert not findings, "secrets leaked:\n" + "\n".join(
        f"  {f.secret} ({f.encoding}) in {f.where}" for f in findings
    )


def file_telemetry(out: IO[str]) -> Telemetry:
    """Telemetry whose console exporters write every span and metric to ``out``."""
    tracer = TracerProvider()
    tracer.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=out)))
    reader = PeriodicExportingMetricReader(
        ConsoleMetricExporter(out=out), export_interval_millis=3_600_000
    )
    return Telemetry(MeterProvider(metric_readers=[reader]), tracer)


class ListenerRecord(StreamingQueryListener):
    """Everything Spark tells a query listener, as text (progress JSON, termination errors)."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def onQueryStarted(self, event: QueryStartedEvent) -> None:  # noqa: N802
        """Record the start."""
        self.events.append(f"started {event.name}")

    def onQueryProgress(self, event: QueryProgressEvent) -> None:  # noqa: N802
        """Record the progress JSON."""
        self.events.append(event.progress.json)

    def onQueryIdle(self, event: QueryIdleEvent) -> None:  # noqa: N802
        """Nothing to record."""

    def onQueryTerminated(self, event: QueryTerminatedEvent) -> None:  # noqa: N802
        """Record the termination and its exception text."""
        self.events.append(f"terminated {event.exception}")

    def wait_for(self, terminations: int, timeout: float = 10.0) -> None:
        """Listener events arrive asynchronously: wait for ``terminations`` of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(e.startswith("terminated") for e in self.events) >= terminations:
                return
            time.sleep(0.1)


def run_cli(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the venv's ``lakestream`` command as a process with extra environment variables."""
    command = [str(Path(sys.executable).parent / "lakestream"), *args]
    return subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
