"""Secrets never appear in logs, errors, audit rows, telemetry, listeners, tables or checkpoints.

Fake, recognizable secrets enter through every way a secret can: the Event Hubs connection
string the source reads from an environment variable (a working one and a SAS one that fails
authentication), an error raised inside a batch that quotes a SAS URL, a Bearer header and an
account key (as an HTTP client error would), the OpenTelemetry exporter settings and the CLI's
environment. Every output is then scanned for each secret raw, URL-encoded, base64-encoded and
JSON-escaped (``tests/secret_probes.py``).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from lakestream.common import telemetry
from lakestream.common.eventhubs.producer import send_bodies
from lakestream.common.logs import configure_logging
from lakestream.common.runtime.batch import BatchContext
from lakestream.common.runtime.progress import ProgressListener
from lakestream.devtools.eventhubs_local import LocalEventHubsServer
from tests.eventhubs_support import CONN_ENV
from tests.lake import Lake, encode, event
from tests.secret_probes import (
    ACCOUNT_KEY,
    BEARER,
    EH_KEY,
    SAS_SIG,
    ListenerRecord,
    assert_clean,
    file_telemetry,
    run_cli,
    sas_connection_string,
)
from tests.spark.test_eventhubs_chain import use_hub

pytestmark = pytest.mark.spark

HTTP_ERROR = (
    f"HTTP 403 from https://acct.blob.core.windows.net/c/f?sv=1&sig={quote(SAS_SIG, safe='')} "
    f"headers {{'Authorization': 'Bearer {BEARER}', 'api-key': '{ACCOUNT_KEY}'}}; "
    f"retry with AccountKey={ACCOUNT_KEY}"
)


@pytest.fixture
def server() -> Iterator[LocalEventHubsServer]:
    with LocalEventHubsServer("events", partitions=2, key=EH_KEY) as running:
        yield running


def _fail_bronze_once(name: str, ctx: BatchContext) -> None:
    if name == "before_audit" and ctx.service.name == "bronze" and ctx.batch_id == 0:
        raise RuntimeError(HTTP_ERROR)


def test_no_secret_reaches_any_output_of_runs_that_fail(
    lake: Lake,
    server: LocalEventHubsServer,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    logs, exported = io.StringIO(), io.StringIO()
    handler = configure_logging("probe", "run-probe", json_lines=True, stream=logs)
    previous = telemetry.install(file_telemetry(exported))
    listener, progress = ListenerRecord(), ProgressListener(lake.layout, "run-probe")
    for added in (listener, progress):
        lake.spark.streams.addListener(added)
    errors: list[str] = []
    try:
        target = use_hub(lake, server)
        send_bodies(target, [encode(event(f"e{i}")) for i in range(3)])
        lake.fault_hook = _fail_bronze_once
        with pytest.raises(Exception) as failed:
            lake.run("bronze")
        errors.append(str(failed.value))

        monkeypatch.setenv(CONN_ENV, sas_connection_string(f"127.0.0.1:{server.port}", "events"))
        with pytest.raises(Exception) as refused:
            lake.run("bronze")
        errors.append(str(refused.value))
        listener.wait_for(terminations=2)
    finally:
        telemetry.install(previous).shutdown()
        for added in (listener, progress):
            lake.spark.streams.removeListener(added)
        logging.getLogger().removeHandler(handler)
    captured = capfd.readouterr()
    texts = {
        "errors": "\n".join(errors),
        "logs": logs.getvalue(),
        "telemetry": exported.getvalue(),
        "listener": "\n".join(listener.events),
        "spark conf": repr(lake.spark.sparkContext.getConf().getAll()),
        "stdout": captured.out,
        "stderr": captured.err,
    }
    assert_clean(tmp_path, texts)

    assert "HTTP 403" in errors[0] and "sig=***" in errors[0]
    assert lake.count("bronze/events") == 3
    assert "authentication failed" in errors[1]
    audit = [r for r in lake.rows("audit/batches") if r["status"] == "FAILED"]
    assert audit and all("HTTP 403" in r["error"] for r in audit)
    assert '"status": "FAILED"' in exported.getvalue()
    assert any("HTTP 403" in e for e in listener.events if e.startswith("terminated"))


@pytest.mark.e2e
def test_no_secret_reaches_the_cli_output_its_telemetry_or_its_lake(
    repo: Path, tmp_path: Path, server: LocalEventHubsServer
) -> None:
    """``lakestream run`` as a process with the Event Hubs key, OTLP headers and an account key
    in its environment and an OTLP endpoint (with a SAS signature) that refuses connections."""
    server.publish_bodies(0, [encode(event("c1")), b"not json"])
    root = tmp_path / "lake"
    env = {
        "LAKESTREAM_SOURCE": "eventhubs",
        "LAKESTREAM_EVENTHUBS_CONNECTION_STRING": server.connection_string,
        "LAKESTREAM_EVENTHUBS_RECEIVE_TIMEOUT": "30",
        "AZURE_STORAGE_ACCOUNT_KEY": ACCOUNT_KEY,
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:9/otlp?sig={quote(SAS_SIG, safe='')}",
        "OTEL_EXPORTER_OTLP_HEADERS": f"authorization=Bearer {BEARER},api-key={ACCOUNT_KEY}",
        "OTEL_EXPORTER_OTLP_TIMEOUT": "1",
    }
    ran = run_cli(
        repo, env, "run", "--layer", "bronze", "--once", "--root", str(root), "--telemetry", "otlp"
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert "opentelemetry.exporter" in ran.stderr
    texts = {"stdout": ran.stdout, "stderr": ran.stderr}
    assert_clean(root, texts)
