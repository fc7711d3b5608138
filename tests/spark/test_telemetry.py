"""Telemetry of one known batch: exact counters, histograms, spans and query-progress records."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from lakestream.common import telemetry
from lakestream.common.runtime.progress import PROGRESS_TABLE, ProgressListener
from tests.lake import Lake, event

pytestmark = pytest.mark.spark


@pytest.fixture
def otel() -> Iterator[tuple[InMemoryMetricReader, InMemorySpanExporter]]:
    reader = InMemoryMetricReader()
    spans = InMemorySpanExporter()
    tracer = TracerProvider()
    tracer.add_span_processor(SimpleSpanProcessor(spans))
    previous = telemetry.install(telemetry.Telemetry(MeterProvider([reader]), tracer))
    yield reader, spans
    telemetry.install(previous)


def _points(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    data = reader.get_metrics_data()
    assert data is not None
    found: dict[str, list[Any]] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found.setdefault(metric.name, []).extend(metric.data.data_points)
    return found


def _by_key(points: list[Any]) -> dict[tuple[str, str], int]:
    return {(p.attributes["tenant_id"], p.attributes["event_type"]): p.value for p in points}


def test_bronze_batch_metrics_spans_and_progress(
    lake: Lake, otel: tuple[InMemoryMetricReader, InMemorySpanExporter]
) -> None:
    reader, spans = otel
    lake.land(
        event("a1"), event("a2"), event("g1", tenant="globex"), event("h1", tenant="hooli"), b"{"
    )
    listener = ProgressListener(lake.layout, "run-under-test")
    lake.spark.streams.addListener(listener)
    try:
        runtime = lake.run("bronze")
        progress: list[dict[str, Any]] = []
        deadline = time.monotonic() + 20
        while not progress and time.monotonic() < deadline:
            time.sleep(0.5)
            if lake.count(PROGRESS_TABLE):
                progress = lake.rows(PROGRESS_TABLE)
    finally:
        lake.spark.streams.removeListener(listener)

    points = _points(reader)
    th, unknown = "temp_humidity", "_unknown"
    assert _by_key(points["lakestream.batch.input_rows"]) == {
        ("acme", th): 2,
        ("globex", th): 1,
        ("_unattributed", th): 1,
        ("_unattributed", unknown): 1,
    }
    assert _by_key(points["lakestream.batch.output_rows"]) == {("acme", th): 2, ("globex", th): 1}
    assert _by_key(points["lakestream.batch.dlq_rows"]) == {
        ("_unattributed", th): 1,
        ("_unattributed", unknown): 1,
    }
    assert "lakestream.batch.duplicate_rows" not in points
    for point in points["lakestream.batch.input_rows"]:
        assert point.attributes["service"] == "bronze"
        assert point.attributes["layer"] == "bronze"
    [batches] = points["lakestream.batches"]
    assert (batches.value, batches.attributes["status"]) == (1, "SUCCEEDED")
    [duration] = points["lakestream.batch.duration"]
    [audit] = lake.audit("bronze")
    assert duration.count == 1
    assert audit["latency_ms"] <= duration.sum < audit["latency_ms"] + 60_000
    lag_max = {
        p.attributes["tenant_id"]: p.max
        for p in points["lakestream.event.lag"]
        if p.attributes["statistic"] == "max"
    }
    per_tenant = {r["tenant_id"]: r for r in lake.audit("bronze", total_only=False)}
    assert lag_max == {
        t: per_tenant[t]["event_lag_ms_max"] for t in ("acme", "globex", "_unattributed")
    }

    batch_spans = [s for s in spans.get_finished_spans() if s.name == "lakestream.batch"]
    [span] = batch_spans
    attributes = dict(span.attributes or {})
    assert attributes["batch_id"] == 0
    assert attributes["run_id"] == runtime.run_id
    assert (attributes["input_rows"], attributes["output_rows"], attributes["dlq_rows"]) == (
        5,
        3,
        2,
    )
    assert attributes["status"] == "SUCCEEDED"

    [row] = [r for r in progress if r["num_input_rows"] > 0]
    assert row["run_id"] == "run-under-test"
    assert row["query_name"] == "bronze.events"
    assert row["num_input_rows"] == 1  # Spark counts the source's rows: one landing file
    assert row["batch_duration_ms"] > 0
    assert "end_offset" in row["sources"]
    progress_spans = [
        s for s in spans.get_finished_spans() if s.name == "lakestream.batch.progress"
    ]
    assert progress_spans and "end_offset" in str((progress_spans[0].attributes or {})["offsets"])
