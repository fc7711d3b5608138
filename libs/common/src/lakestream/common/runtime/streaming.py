"""Starting and running the streaming queries of one or more services."""

from __future__ import annotations

import contextlib
import functools
import logging
import signal
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack

from pyspark.errors import StreamingQueryException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming.query import StreamingQuery

from lakestream.common.config import Registry, load_registry
from lakestream.common.errors import LakestreamError, SourceUnavailableError, StreamFailedError
from lakestream.common.redact import redact
from lakestream.common.runtime.batch import BatchContext
from lakestream.common.runtime.chained import ChainedBatch, chain_links
from lakestream.common.runtime.checkpoint import planned_version, reached, verify
from lakestream.common.runtime.lock import hold
from lakestream.common.runtime.runner import BatchFailedError, BatchRunner
from lakestream.common.runtime.service import FeedBound, Flow, Runtime, Service
from lakestream.common.runtime.watch import SourceWatch
from lakestream.common.settings import Settings, TriggerMode
from lakestream.common.spark.session import get_spark
from lakestream.common.tables.backend import TableBackend
from lakestream.common.tables.backends import open_backend
from lakestream.common.tables.schemas import TableSpec, audit_batches, dlq_events
from lakestream.common.tables.storage import storage_errno, storage_failure

log = logging.getLogger(__name__)
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOP_GRACE_SECONDS = 120
PACE_POLL_SECONDS = 0.05


def make_backend(settings: Settings, spark: SparkSession) -> TableBackend:
    """The table backend the settings name, on ``spark`` when it needs a session."""
    return open_backend(settings, lambda: spark)


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


def prepare(runtime: Runtime, service: Service, flow: Flow) -> None:
    """Check the flow's checkpoint and ensure every table it touches exists."""
    verify(runtime, service.name, flow.name)
    for spec in [*flow.tables(runtime), dlq_events(runtime.layout), audit_batches(runtime.layout)]:
        runtime.backend.ensure(spec)


def start_flow(
    runtime: Runtime,
    service: Service,
    flow: Flow,
    trigger: TriggerMode,
    until: int | None = None,
    interval: str | None = None,
    batch: Callable[[DataFrame, int], None] | None = None,
) -> StreamingQuery:
    """Ensure every table the flow touches exists, then start its streaming query.

    A change-feed flow reads at most ``max_versions_per_trigger`` upstream commits per batch
    (counted from where its local checkpoint left off) and none after ``until``. ``batch``
    replaces the flow's own batch function (the chained mode).
    """
    layout = runtime.layout
    prepare(runtime, service, flow)
    checkpoint = layout.checkpoint(service.name, flow.name)
    upstream = flow.upstream(runtime).location if flow.upstream is not None else None
    if upstream is not None:
        after = planned_version(checkpoint)
        step = runtime.settings.max_versions_per_trigger if after is not None else None
        runtime.feeds[upstream] = FeedBound(after, step, until)
    try:
        writer = (
            flow.source(runtime)
            .writeStream.queryName(f"{service.name}.{flow.name}")
            .option("checkpointLocation", checkpoint)
            .foreachBatch(batch or BatchRunner(runtime, service, flow))
        )
    finally:
        if upstream is not None:
            runtime.feeds.pop(upstream, None)
    if trigger is TriggerMode.AVAILABLE_NOW:
        writer = writer.trigger(availableNow=True)
    elif trigger is TriggerMode.ONCE:
        writer = writer.trigger(once=True)
    else:
        writer = writer.trigger(processingTime=interval or runtime.settings.trigger_interval)
    return writer.start()


def start_service(runtime: Runtime, service: Service, trigger: TriggerMode) -> list[StreamingQuery]:
    """Start one query per flow of the service."""
    return [start_flow(runtime, service, flow, trigger) for flow in service.flows(runtime)]


def start_chained(
    runtime: Runtime, services: list[Service], trigger: TriggerMode
) -> StreamingQuery:
    """Catch the change-feed flows up, then start the source flow's query that chains them."""
    head, links = chain_links(runtime, services)
    for link in links:
        prepare(runtime, link.service, link.flow)
    chained = ChainedBatch(runtime, head, links)
    try:
        chained.catch_up()
    except BatchFailedError:
        raise StreamFailedError(f"{head.name}: {runtime.failures[head.name]}") from None
    return start_flow(runtime, head.service, head.flow, trigger, batch=chained)


def start_queries(runtime: Runtime, services: list[Service], chained: bool) -> list[StreamingQuery]:
    """The queries of a continuous run: one chained query, or one per flow of every service."""
    trigger = runtime.settings.trigger
    if chained:
        return [start_chained(runtime, services, trigger)]
    return [q for s in services for q in start_service(runtime, s, trigger)]


def _await(runtime: Runtime, query: StreamingQuery) -> None:
    """Wait for an available-now query to end; its failure is raised in one line."""
    with contextlib.suppress(StreamingQueryException):
        query.awaitTermination()  # raises Spark's trace; reported below in one line
    _raise_failure(runtime, query)


def _run_to_end(runtime: Runtime, service: Service, flow: Flow) -> None:
    _await(runtime, start_flow(runtime, service, flow, TriggerMode.AVAILABLE_NOW))


def _run_paced(runtime: Runtime, service: Service, flow: Flow, upstream: TableSpec) -> None:
    """Read the upstream change feed up to its version at the start, in bounded batches.

    Spark's available-now asks a Python source for its end only once, so a run after a long
    pause would read the whole backlog as one batch. Instead one query runs back-to-back
    batches of at most ``max_versions_per_trigger`` commits up to the version the upstream had
    at the start, and is stopped once its checkpoint committed a batch that reached it (no
    query restart per step; decision 0104). A remote checkpoint runs available-now.
    """
    checkpoint = runtime.layout.checkpoint(service.name, flow.name)
    if planned_version(checkpoint) is None:
        _run_to_end(runtime, service, flow)
        return
    target = runtime.backend.latest_version(upstream)
    if reached(checkpoint, target):
        return
    query = start_flow(runtime, service, flow, TriggerMode.PROCESSING_TIME, target, "0 seconds")
    try:
        while query.isActive and not reached(checkpoint, target):
            time.sleep(PACE_POLL_SECONDS)
    finally:
        if query.isActive:
            query.stop()
    _raise_failure(runtime, query)


def run_once(runtime: Runtime, services: list[Service], chained: bool = False) -> None:
    """Run each service to the end of the input available at its start, in chain order.

    Chained, one available-now query of the source runs every layer in each of its batches.
    Holds every service's run lock for the whole run: a second instance is refused.
    """
    with ExitStack() as locks:
        hold(locks, runtime.layout, [s.name for s in services], runtime.run_id)
        if chained:
            _await(runtime, start_chained(runtime, services, TriggerMode.AVAILABLE_NOW))
            return
        for service in services:
            for flow in service.flows(runtime):
                if flow.upstream is None or not runtime.backend.python_change_feed:
                    _run_to_end(runtime, service, flow)
                else:
                    _run_paced(runtime, service, flow, flow.upstream(runtime))


def run_continuous(runtime: Runtime, services: list[Service], chained: bool = False) -> None:
    """Run all services' queries until one fails or SIGINT/SIGTERM arrives, then stop cleanly.

    Chained, one query of the source runs every layer in each of its batches.

    The signal handlers only set a flag (no Spark calls inside a handler). On a stop request no
    new batch starts, running batches finish (up to ``STOP_GRACE_SECONDS``), then the queries
    stop; a batch cut off at that point is replayed idempotently on the next start. Every
    service's run lock is held throughout; each flow's source probe runs between batches.
    """
    stop = runtime.stopping
    settings = runtime.settings
    probes = [
        functools.partial(flow.probe, runtime)
        for service in services
        for flow in service.flows(runtime)
        if flow.probe is not None
    ]
    watch = SourceWatch(probes, settings.source_max_retries, settings.source_retry_backoff)
    locks = ExitStack()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
    queries = []
    try:
        hold(locks, runtime.layout, [s.name for s in services], runtime.run_id)
        queries = start_queries(runtime, services, chained)
        while not stop.is_set() and all(q.isActive for q in queries):
            _wait(runtime.spark, 1)
            try:
                watch.check()
            except SourceUnavailableError:
                stop.set()
                drain(queries)
                raise
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
        locks.close()
    for query in queries:
        _raise_failure(runtime, query)


def _wait(spark: SparkSession, seconds: int) -> None:
    """Wait up to ``seconds`` for a query to end.

    Spark raises a failed query's error here with its plan attached (and for any query the
    session ran before); ``_raise_failure`` reports ours in one line instead.
    """
    with contextlib.suppress(StreamingQueryException):
        spark.streams.awaitAnyTermination(timeout=seconds)
    spark.streams.resetTerminated()


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
    name = query.name or ""
    cause = runtime.failures.get(name) or failure_line(
        error, runtime.layout.checkpoint(*name.split(".", 1))
    )
    raise StreamFailedError(f"query {name} stopped: {redact(cause)}")


def _lakestream_errors() -> set[str]:
    found: set[str] = set()
    pending: list[type[LakestreamError]] = [LakestreamError]
    while pending:
        cls = pending.pop()
        found.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return found


def failure_line(error: BaseException, checkpoint: str) -> str:
    """One line for a query that failed outside its batch function (planning, checkpoint I/O).

    A storage fault there is the checkpoint's; a lakestream error raised in a source (its text
    is buried in a Python worker traceback) is quoted from its own line; else the last line.
    """
    if storage_errno(error) is not None:
        return str(storage_failure(error, "checkpoint", checkpoint))
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    names = _lakestream_errors()
    for line in reversed(lines):
        head, sep, message = line.partition(": ")
        kind = head.rsplit(".", 1)[-1]
        if sep and kind in names:
            return f"{kind}: {message}"
    return lines[-1] if lines else type(error).__name__
