"""Telemetry exporter selection and structured logs (no Spark)."""

from __future__ import annotations

import io
import json
import logging

import pytest

from lakestream.common import telemetry
from lakestream.common.logs import configure_logging

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("explicit", "environ", "expected"),
    [
        (None, {}, ("off", "off")),
        ("console", {}, ("console", "console")),
        ("otlp", {}, ("otlp", "otlp")),
        (None, {"OTEL_TRACES_EXPORTER": "console"}, ("console", "off")),
        (None, {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, ("otlp", "otlp")),
        (
            None,
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_METRICS_EXPORTER": "none"},
            ("otlp", "off"),
        ),
        (None, {"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://c:4318"}, ("off", "otlp")),
        ("console", {"OTEL_SDK_DISABLED": "true"}, ("off", "off")),
    ],
)
def test_exporter_modes(
    explicit: str | None, environ: dict[str, str], expected: tuple[str, str]
) -> None:
    assert telemetry.modes(explicit, environ) == expected


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="off, console, otlp"):
        telemetry.modes("prometheus", {})


def test_json_logs_carry_run_service_batch_and_never_secrets() -> None:
    stream = io.StringIO()
    handler = configure_logging("silver", "run-1", stream=stream)
    try:
        token = telemetry.batch_id_var.set(7)
        logging.getLogger("lakestream.test").warning(
            "connecting with Endpoint=sb://x/;SharedAccessKey=hunter2"
        )
        telemetry.batch_id_var.reset(token)
    finally:
        logging.getLogger().removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert (entry["run_id"], entry["service"], entry["batch_id"]) == ("run-1", "silver", 7)
    assert entry["level"] == "WARNING"
    assert "hunter2" not in entry["message"] and "SharedAccessKey=***" in entry["message"]


def test_third_party_warnings_are_redacted_and_their_chatter_dropped() -> None:
    stream = io.StringIO()
    handler = configure_logging("bronze", "run-2", json_lines=True, stream=stream)
    exporter = logging.getLogger("opentelemetry.exporter.otlp.proto.http.trace_exporter")
    try:
        exporter.setLevel(logging.INFO)
        exporter.info("connected to https://collector/v1/traces?sig=chatter")
        exporter.warning("Transient error with url: /otlp?sig=hunter2 encountered")
    finally:
        exporter.setLevel(logging.NOTSET)
        logging.getLogger().removeHandler(handler)
    (entry,) = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert entry["message"] == "Transient error with url: /otlp?sig=*** encountered"
