"""Starting and running the streaming queries of one or more services."""

from __future__ import annotations

import logging
import signal
import time
import uuid
from collections.abc import Callable

from pyspark.sql import SparkSession
from pyspark.sql.streaming.query import StreamingQuery

from lakestream.common.config import Registry, load_registry
from lakestream.common.errors import StreamFailedError
from lakestream.common.redact import redact
from lakestream.common.runtime.batch import BatchContext
from lakestream.common.runtime.checkpoint import planned_offsets, verify
from lakestream.common.runtime.runner import BatchRunner
from lakestream.common.runtime.service import Flow, Runtime, Service
from lakestream.common.settings import Settings, TriggerMode
from lakestream.common.spark.session import get_spark
from lakestream.common.tables.backend import TableBackend
from lakestream.common.tables.deltars import DeltaRsBackend
from lakestream.common.tables.schemas import TableSpec, audit_batches, dlq_events

log = logging.getLogger(__name__)
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOP_GRACE_SECONDS = 120


def make_backend(settings: Settings, spark: SparkSession) -> TableBackend:
    """The table backend the settings name."""
    if settings.backend == "delta-rs":
        return DeltaRsBackend()
    from lakestream.common.tables.deltaspark import DeltaSparkBackend

    return DeltaSparkBackend(spark)


def build_runtime(
    settings: Settings,
    registry: Registry | None = None,
    fault_hook: Callable[[str, BatchContext], None] | None = None,
) -> Runtime:
    """Validate config, start (or reuse) Spark and pick the backend."""
    registry = registry or load_registry(settings.config_dir)
    spark = get_spark(settings)
    run_id = uuid.uuid4().hex[:12]
    return Runtime(settings, spark, registry, make_backend(settings, spark), run_id, fault_hook)


def start_flow(
    runtime: Runtime, service: Service, flow: Flow, trigger: TriggerMode
) -> StreamingQuery:
    """Ensure every table the flow touches exists, then start its streaming query."""
    backend, layout = runtime.backend, runtime.layout
    verify(runtime, service.name, flow.name)
    for spec in [*flow.tables(runtime), dlq_events(layout), audit_batches(layout)]:
        backend.ensure(spec)
    writer = (
        flow.source(runtime)
        .writeStream.queryName(f"{service.name}.{flow.name}")
        .option("checkpointLocation", layout.checkpoint(service.name, flow.name))
        .foreachBatch(BatchRunner(runtime, service, flow))
    )
    if trigger is TriggerMode.AVAILABLE_NOW:
        writer = writer.trigger(availableNow=True)
    elif trigger is TriggerMode.ONCE:
        writer = writer.trigger(once=True)
    else:
        writer = writer.trigger(processingTime=runtime.settings.trigger_interval)
    return writer.start()


def start_service(runtime: Runtime, service: Service, trigger: TriggerMode) -> list[StreamingQuery]:
    """Start one query per flow of the service."""
    return [start_flow(runtime, service, flow, trigger) for flow in service.flows(runtime)]


def _run_to_end(runtime: Runtime, service: Service, flow: Flow) -> None:
    query = start_flow(runtime, service, flow, TriggerMode.AVAILABLE_NOW)
    query.awaitTermination()
    _raise_failure(runtime, query)


def _planned_version(runtime: Runtime, service: Service, flow: Flow) -> int | None:
    offsets = planned_offsets(runtime.layout.checkpoint(service.name, flow.name))
    if offsets is None:
        return None
    if not offsets:
        return -1
    first = offsets[0]
    return int(first["version"]) if isinstance(first, dict) and "version" in first else None


def _run_bounded(runtime: Runtime, service: Service, flow: Flow, upstream: TableSpec) -> None:
    """Read the upstream change feed in steps of at most ``max_versions_per_trigger`` commits.

    Spark's available-now asks a Python source for its end only once, so without steps a run
    after a long pause would read the whole backlog as one batch.
    """
    target = runtime.backend.latest_version(upstream)
    step = runtime.settings.max_versions_per_trigger
    while True:
        start = _planned_version(runtime, service, flow)
        if start is None:
            _run_to_end(runtime, service, flow)
            return
        runtime.bounds[upstream.location] = start + step
        try:
            _run_to_end(runtime, service, flow)
        finally:
            runtime.bounds.pop(upstream.location, None)
        if start + step >= target or _planned_version(runtime, service, flow) == start:
            return


def run_once(runtime: Runtime, services: list[Service]) -> None:
    """Run each service to the end of the input available at its start, in chain order."""
    for service in services:
        for flow in service.flows(runtime):
            if flow.upstream is None:
                _run_to_end(runtime, service, flow)
            else:
                _run_bounded(runtime, service, flow, flow.upstream(runtime))


def run_continuous(runtime: Runtime, services: list[Service]) -> None:
    """Run all services' queries until one fails or SIGINT/SIGTERM arrives, then stop cleanly.

    The signal handlers only set a flag (no Spark calls inside a handler). On a stop request no
    new batch starts, running batches finish (up to ``STOP_GRACE_SECONDS``), then the queries
    stop; a batch cut off at that point is replayed idempotently on the next start.
    """
    stop = runtime.stopping
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
    queries = []
    try:
        queries = [q for s in services for q in start_service(runtime, s, runtime.settings.trigger)]
        while not stop.is_set() and all(q.isActive for q in queries):
            runtime.spark.streams.awaitAnyTermination(timeout=1)
        if stop.is_set():
            log.warning("stop requested: letting running batches finish")
            drain(queries)
    finally:
        stop.set()
        for query in queries:
            if query.isActive:
                query.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    for query in queries:
        _raise_failure(runtime, query)


def drain(queries: list[StreamingQuery]) -> None:
    """Wait (up to ``STOP_GRACE_SECONDS``) until no query is running a batch."""
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    while time.monotonic() < deadline:
        busy = [q for q in queries if q.isActive and q.status["isTriggerActive"]]
        if not busy:
            return
        time.sleep(0.5)


def _raise_failure(runtime: Runtime, query: StreamingQuery) -> None:
    error = query.exception()
    if error is None or (runtime.stopping.is_set() and "ShutdownRequestedError" in str(error)):
        return
    cause = runtime.failures.get(query.name or "")
    if cause is None:
        lines = [line for line in str(error).splitlines() if line.strip()]
        cause = lines[-1] if lines else type(error).__name__
    raise StreamFailedError(f"query {query.name} stopped: {redact(cause)}")
