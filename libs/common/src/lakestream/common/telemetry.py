"""OpenTelemetry for lakestream: per-batch metrics and spans, configured by ``OTEL_*`` variables.

Off unless asked for: ``--telemetry console|otlp`` on the command line, or the standard
``OTEL_TRACES_EXPORTER`` / ``OTEL_METRICS_EXPORTER`` (``console``, ``otlp``, ``none``) and
``OTEL_EXPORTER_OTLP_ENDPOINT`` variables (OTLP over HTTP). ``OTEL_SDK_DISABLED=true`` wins.
Attribute values have bounded cardinality: tenants are audit buckets (unknown tenants are
``_unattributed``); row counters carry the event type (a configured one, or ``_unknown``), while
per-batch measures (duration, lag) use ``_all``.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from opentelemetry.metrics import MeterProvider, NoOpMeterProvider
from opentelemetry.sdk.metrics import MeterProvider as SdkMeterProvider
from opentelemetry.sdk.metrics.export import (
    ConsoleMetricExporter,
    MetricExporter,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import NoOpTracerProvider, Span, Status, StatusCode, TracerProvider

from lakestream.common.runtime.audit import SUCCEEDED, BatchCounts
from lakestream.common.runtime.batch import BatchContext

Mode = Literal["off", "console", "otlp"]
MODES: tuple[Mode, ...] = ("off", "console", "otlp")
ALL_EVENT_TYPES = "_all"
"""``event_type`` attribute of measurements that cover a whole (mixed) batch."""
SCOPE = "lakestream"
LAYER_VERDICT = "lakestream.layer.verdict"
"""Gauge of ``lakestream status``: 0 ok, 1 lagging, 2 stuck, 3 losing (attribute ``layer``)."""

run_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("run_id", default=None)
service_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("service", default=None)
batch_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("batch_id", default=None)


@dataclass
class Telemetry:
    """Meter and tracer providers plus lakestream's instruments."""

    meter_provider: MeterProvider = field(default_factory=NoOpMeterProvider)
    tracer_provider: TracerProvider = field(default_factory=NoOpTracerProvider)

    def __post_init__(self) -> None:
        meter = self.meter_provider.get_meter(SCOPE)
        self.tracer = self.tracer_provider.get_tracer(SCOPE)
        self.rows = {
            kind: meter.create_counter(
                f"lakestream.batch.{kind}_rows", unit="{row}", description=f"{kind} rows"
            )
            for kind in ("input", "output", "dlq", "duplicate")
        }
        self.batches = meter.create_counter(
            "lakestream.batches", unit="{batch}", description="Batches by status"
        )
        self.duration = meter.create_histogram(
            "lakestream.batch.duration", unit="ms", description="Batch duration (start to audit)"
        )
        self.lag = meter.create_histogram(
            "lakestream.event.lag",
            unit="ms",
            description="Event lag at batch start (attribute statistic: p50 or max)",
        )
        self.input_rate = meter.create_gauge(
            "lakestream.query.input_rate", unit="{row}/s", description="Query input rate"
        )
        self.processing_rate = meter.create_gauge(
            "lakestream.query.processing_rate", unit="{row}/s", description="Processing rate"
        )
        self.trigger_duration = meter.create_histogram(
            "lakestream.query.batch_duration", unit="ms", description="Trigger execution time"
        )
        self.state_rows = meter.create_gauge(
            "lakestream.query.state_rows", unit="{row}", description="Rows held in query state"
        )
        self.layer_backlog = meter.create_gauge(
            "lakestream.layer.backlog",
            unit="{item}",
            description="Upstream files, events or commits no batch of the layer has read",
        )
        self.layer_last_success_age = meter.create_gauge(
            "lakestream.layer.last_success_age",
            unit="s",
            description="Seconds since the layer's last successful batch",
        )
        self.layer_verdict = meter.create_gauge(
            LAYER_VERDICT,
            unit="1",
            description="lakestream status verdict: 0 ok, 1 lagging, 2 stuck, 3 losing",
        )

    def shutdown(self) -> None:
        """Flush and stop the SDK providers (no-op providers have nothing to flush)."""
        for provider in (self.tracer_provider, self.meter_provider):
            stop = getattr(provider, "shutdown", None)
            if callable(stop):
                stop()


_current = Telemetry()


def current() -> Telemetry:
    """The telemetry every batch reports to."""
    return _current


def install(telemetry: Telemetry) -> Telemetry:
    """Make ``telemetry`` current; returns the previous one (tests restore it)."""
    global _current
    previous, _current = _current, telemetry
    return previous


def _exporter_choice(variable: str, environ: Mapping[str, str]) -> Mode:
    value = environ.get(variable, "").strip().lower()
    if value in ("console", "otlp"):
        return value  # type: ignore[return-value]
    if value == "none":
        return "off"
    signal = variable.split("_")[1]
    endpoint = environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get(
        f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"
    )
    return "otlp" if endpoint else "off"


def modes(explicit: str | None, environ: Mapping[str, str] = os.environ) -> tuple[Mode, Mode]:
    """(traces, metrics) exporter modes from ``--telemetry`` or the ``OTEL_*`` variables."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return "off", "off"
    if explicit is not None:
        if explicit not in MODES:
            raise ValueError(f"telemetry mode must be one of {', '.join(MODES)}, not {explicit}")
        mode: Mode = explicit
        return mode, mode
    return (
        _exporter_choice("OTEL_TRACES_EXPORTER", environ),
        _exporter_choice("OTEL_METRICS_EXPORTER", environ),
    )


def _span_exporter(mode: Mode) -> SpanExporter:
    if mode == "console":
        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def _metric_exporter(mode: Mode) -> MetricExporter:
    if mode == "console":
        return ConsoleMetricExporter()
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    return OTLPMetricExporter()


def configure(explicit: str | None, service: str) -> Telemetry:
    """Build and install telemetry for a process running ``service`` (``OTEL_*`` respected)."""
    traces, metrics = modes(explicit)
    resource = Resource.create({"service.name": f"lakestream-{service}"})
    tracer_provider: TracerProvider = NoOpTracerProvider()
    meter_provider: MeterProvider = NoOpMeterProvider()
    if traces != "off":
        sdk_tracer = SdkTracerProvider(resource=resource)
        sdk_tracer.add_span_processor(BatchSpanProcessor(_span_exporter(traces)))
        tracer_provider = sdk_tracer
    if metrics != "off":
        reader = PeriodicExportingMetricReader(_metric_exporter(metrics))
        meter_provider = SdkMeterProvider(resource=resource, metric_readers=[reader])
    telemetry = Telemetry(meter_provider, tracer_provider)
    install(telemetry)
    return telemetry


def _attributes(
    ctx: BatchContext, tenant: str | None, event_type: str = ALL_EVENT_TYPES
) -> dict[str, str]:
    attributes = {
        "service": ctx.service.name,
        "layer": ctx.service.layer,
        "event_type": event_type,
    }
    if tenant is not None:
        attributes["tenant_id"] = tenant
    return attributes


def start_batch(ctx: BatchContext) -> Span:
    """Open the batch's span and tag log records with its run id, service and batch id."""
    run_id_var.set(ctx.runtime.run_id)
    service_var.set(ctx.service.name)
    batch_id_var.set(ctx.batch_id)
    return current().tracer.start_span(
        "lakestream.batch",
        attributes={
            **_attributes(ctx, None),
            "flow": ctx.flow,
            "batch_id": ctx.batch_id,
            "run_id": ctx.runtime.run_id,
        },
    )


def end_batch(
    ctx: BatchContext, span: Span, counts: BatchCounts, status: str, error: str | None
) -> None:
    """Record the batch's counters and histograms, then close its span."""
    telemetry = current()
    duration_ms = (datetime.now(UTC) - ctx.started_at).total_seconds() * 1000
    kinds = {
        "input": counts.input,
        "output": counts.output,
        "dlq": counts.dlq,
        "duplicate": counts.duplicates,
    }
    if counts.typed:
        for (kind, tenant, event_type), n in counts.typed.items():
            telemetry.rows[kind].add(n, _attributes(ctx, tenant, event_type))
    for tenant in counts.tenants():
        attributes = _attributes(ctx, tenant)
        if not counts.typed:
            for kind, counter in kinds.items():
                telemetry.rows[kind].add(counter[tenant], attributes)
        for statistic, values in (("p50", counts.lag_p50), ("max", counts.lag_max)):
            lag = values.get(tenant)
            if lag is not None:
                telemetry.lag.record(lag, {**attributes, "statistic": statistic})
    total = _attributes(ctx, None)
    telemetry.duration.record(duration_ms, {**total, "status": status})
    telemetry.batches.add(1, {**total, "status": status})
    for kind, counter in kinds.items():
        span.set_attribute(f"{kind}_rows", sum(counter.values()))
    span.set_attribute("status", status)
    if status == SUCCEEDED:
        span.set_status(Status(StatusCode.OK))
    else:
        span.set_status(Status(StatusCode.ERROR, error or status))
    span.end()
    for var in (run_id_var, service_var, batch_id_var):
        var.set(None)
