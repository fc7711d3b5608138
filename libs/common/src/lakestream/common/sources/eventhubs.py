"""The ``eventhubs`` source: a Spark Python streaming data source over the ``azure-eventhub`` SDK.

Offsets are per-partition sequence numbers, ``{"<partition id>": <next sequence number>}``,
kept in the Spark checkpoint: batch ``(start, end]`` reads sequence numbers ``start[p]`` up to
``end[p] - 1`` of every partition ``p``, one Spark input partition per Event Hubs partition, so
a replayed batch reads exactly the same events. Partitions that appear later start at 0.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition
from pyspark.sql.types import StructType

from lakestream.common.errors import SourceUnavailableError
from lakestream.common.eventhubs.connection import (
    EventHubsTarget,
    describe_failure,
    resolve_target,
)
from lakestream.common.eventhubs.position import StartingPosition
from lakestream.common.runtime.checkpoint import committed_offsets
from lakestream.common.settings import Settings
from lakestream.common.sources.base import Backlog, SourceSpec, register_source
from lakestream.common.spark.python_sources import register_data_source

if TYPE_CHECKING:
    from lakestream.common.runtime.batch import BatchContext

EVENTHUBS_FORMAT = "eventhubs"
EVENTHUBS_SCHEMA = (
    "body binary, partition string, sequence_number bigint, offset string, "
    "enqueued_time timestamp, partition_key string, properties map<string,string>, "
    "system_properties map<string,string>"
)
TENANT_PROPERTY = "tenant_id"
DEFAULT_CONN_ENV = "LAKESTREAM_EVENTHUBS_CONNECTION_STRING"
FORWARDED_ENV = "LAKESTREAM_EVENTHUBS_FORWARDED"
_T = TypeVar("_T")


@dataclass(frozen=True)
class PartitionState:
    """What ``$management`` says about a partition."""

    beginning: int
    last: int
    empty: bool

    @property
    def earliest(self) -> int:
        """First sequence number still held."""
        return self.last + 1 if self.empty else self.beginning

    @property
    def next(self) -> int:
        """Sequence number the next enqueued event gets."""
        return self.last + 1


class EventRange(InputPartition):
    """Sequence numbers ``first`` .. ``end - 1`` of one Event Hubs partition."""

    def __init__(self, partition: str, first: int, end: int) -> None:
        self.partition = partition
        self.first = first
        self.end = end


def allocate(available: dict[str, int], limit: int | None) -> dict[str, int]:
    """Share ``limit`` events fairly across partitions (all of them when no limit)."""
    if limit is None:
        return dict(available)
    taken = dict.fromkeys(available, 0)
    active = sorted((p for p, n in available.items() if n > 0), key=_partition_order)
    remaining = limit
    while remaining > 0 and active:
        share = max(1, remaining // len(active))
        for p in list(active):
            take = min(share, available[p] - taken[p], remaining)
            taken[p] += take
            remaining -= take
            if taken[p] == available[p]:
                active.remove(p)
            if remaining == 0:
                break
    return taken


def _partition_order(pid: str) -> tuple[int, str]:
    return (int(pid), pid) if pid.isdigit() else (1 << 30, pid)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _string_map(values: dict[Any, Any] | None) -> dict[str, str | None]:
    return {str(_text(k)): _text(v) for k, v in (values or {}).items()}


def _body(event: Any) -> bytes:
    body = event.body
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    return b"".join(bytes(part) for part in body)


class EventHubsReader(DataSourceStreamReader):
    """Plans per-partition sequence-number ranges and receives them with the SDK."""

    def __init__(
        self, schema: StructType, options: dict[str, str], target: EventHubsTarget
    ) -> None:
        self.schema = schema
        self.target = target
        opts = {k.lower(): v for k, v in options.items()}
        self.starting = StartingPosition.parse(opts.get("startingposition", "earliest"))
        limit = opts.get("maxeventspertrigger")
        self.max_events = int(limit) if limit else None
        self.receive_timeout = float(opts.get("receivetimeout", "60"))
        self.max_retries = int(opts.get("maxretries", "3"))
        self.retry_backoff = float(opts.get("retrybackoff", "1"))
        self._position: dict[str, int] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_position"] = None
        return state

    def _consumer(self) -> Any:
        from azure.eventhub import EventHubConsumerClient

        return self.target.make(
            EventHubConsumerClient,
            consumer_group=self.target.consumer_group,
            retry_total=0,
        )

    def _retrying(self, call: Callable[[], _T]) -> _T:
        delay = self.retry_backoff
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return call()
            except Exception as exc:
                kind = type(exc).__name__.lower()
                if "auth" in kind or attempt == attempts:
                    raise SourceUnavailableError(
                        describe_failure(self.target, exc, attempt)
                    ) from None
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def partition_states(self) -> dict[str, PartitionState]:
        """Every partition of the hub and its sequence-number bounds (with retries)."""

        def state(pid: str) -> PartitionState:
            client = self._consumer()
            try:
                props = client.get_partition_properties(pid)
            finally:
                client.close()
            return PartitionState(
                int(props["beginning_sequence_number"]),
                int(props["last_enqueued_sequence_number"]),
                bool(props["is_empty"]),
            )

        def call() -> dict[str, PartitionState]:
            client = self._consumer()
            try:
                ids = [str(pid) for pid in client.get_partition_ids()]
            finally:
                client.close()
            with ThreadPoolExecutor(max_workers=min(16, len(ids) or 1)) as pool:
                return dict(zip(ids, pool.map(state, ids), strict=True))

        return self._retrying(call)

    def initialOffset(self) -> dict[str, int]:
        """Start of a new query, from ``startingPosition``."""
        states = self.partition_states()
        start: dict[str, int] = {}
        for pid, state in states.items():
            if self.starting.kind == "latest":
                start[pid] = state.next
            elif self.starting.kind == "sequence_numbers":
                given = (self.starting.sequence_numbers or {}).get(pid)
                start[pid] = state.earliest if given is None else given
            elif self.starting.kind == "enqueued_time":
                start[pid] = self._first_at(pid, state)
            else:
                start[pid] = state.earliest
        if self._position is None:
            self._position = dict(start)
        return start

    def _first_at(self, pid: str, state: PartitionState) -> int:
        if state.empty:
            return state.next
        assert self.starting.enqueued_time is not None
        events = self.receive_range(
            pid, state.earliest, state.next, since=self.starting.enqueued_time, stop_after=1
        )
        return int(events[0].sequence_number) if events else state.next

    def latestOffset(self) -> dict[str, int]:
        """Newest sequence numbers, capped at ``maxEventsPerTrigger`` across partitions."""
        states = self.partition_states()
        latest = {pid: s.next for pid, s in states.items()}
        if self._position is None:
            self._position = self.initialOffset()
        position = {pid: self._position.get(pid, 0) for pid in latest}
        available = {pid: max(0, latest[pid] - position[pid]) for pid in latest}
        taken = allocate(available, self.max_events)
        end = {pid: max(position[pid], position[pid] + taken[pid]) for pid in latest}
        self._position = end
        return end

    def partitions(self, start: dict[str, int], end: dict[str, int]) -> list[InputPartition]:
        """One input partition per Event Hubs partition with new events."""
        if self._position is None:
            self._position = {pid: int(seq) for pid, seq in end.items()}
        ranges: list[InputPartition] = []
        for pid in sorted(end, key=_partition_order):
            first, last = int(start.get(pid, 0)), int(end[pid])
            if last > first:
                ranges.append(EventRange(pid, first, last))
        return ranges

    def receive_range(
        self,
        pid: str,
        first: int,
        end: int,
        *,
        since: datetime | None = None,
        stop_after: int | None = None,
    ) -> list[Any]:
        """Receive sequence numbers ``first..end-1`` of a partition (or from ``since``)."""
        from azure.eventhub import EventHubConsumerClient

        wanted = end - first if stop_after is None else stop_after
        received: list[Any] = []
        errors: list[BaseException] = []
        done = threading.Event()
        client = self.target.make(EventHubConsumerClient, consumer_group=self.target.consumer_group)

        def on_batch(_context: Any, events: list[Any]) -> None:
            for event in events:
                seq = int(event.sequence_number)
                if first <= seq < end and (not received or seq > received[-1].sequence_number):
                    received.append(event)
            if len(received) >= wanted or (received and received[-1].sequence_number >= end - 1):
                done.set()

        def on_error(_context: Any, exc: Exception) -> None:
            errors.append(exc)

        position: Any = since if since is not None else first
        worker = threading.Thread(
            target=client.receive_batch,
            kwargs={
                "on_event_batch": on_batch,
                "on_error": on_error,
                "partition_id": pid,
                "starting_position": position,
                "starting_position_inclusive": True,
                "max_batch_size": max(1, min(wanted, 1000)),
                "prefetch": max(300, min(wanted, 2000)),
                "max_wait_time": min(self.receive_timeout, 0.2),
            },
            daemon=True,
        )
        worker.start()
        finished = done.wait(self.receive_timeout)
        client.close()
        worker.join(timeout=30)
        if not finished and stop_after is None:
            reason = describe_failure(self.target, errors[-1], 1) if errors else "timed out"
            raise SourceUnavailableError(
                f"Event Hubs {self.target.description} partition {pid}: received "
                f"{len(received)} of {end - first} events (sequence numbers {first}..{end - 1}) "
                f"within {self.receive_timeout:g}s: {reason}"
            )
        return received[:wanted]

    def read(self, partition: InputPartition) -> Iterator[tuple[Any, ...]]:
        """Receive the range's events in sequence-number order."""
        assert isinstance(partition, EventRange)
        events = self._retrying(
            lambda: self.receive_range(partition.partition, partition.first, partition.end)
        )
        for event in events:
            yield (
                _body(event),
                partition.partition,
                int(event.sequence_number),
                _text(event.offset),
                event.enqueued_time,
                _text(event.partition_key),
                _string_map(event.properties),
                _string_map(event.system_properties),
            )

    def commit(self, end: dict[str, int]) -> None:
        """Offsets live in the Spark checkpoint; on a restart this tells where planning resumes."""
        if self._position is None:
            self._position = {pid: int(seq) for pid, seq in end.items()}


class EventHubsDataSource(DataSource):
    """``spark.readStream.format("eventhubs")`` with the options of docs/eventhubs.md."""

    @classmethod
    def name(cls) -> str:
        """Format name to use in ``readStream.format``."""
        return EVENTHUBS_FORMAT

    def schema(self) -> str:
        """Fixed output columns."""
        return EVENTHUBS_SCHEMA

    def streamReader(self, schema: StructType) -> DataSourceStreamReader:
        """Resolve the hub and its credential on the driver, then build the reader."""
        options = dict(self.options)
        return EventHubsReader(schema, options, target_from_options(options))


@dataclass(frozen=True)
class HubBacklog:
    """Per partition: events enqueued that no committed batch read, and events that expired
    (left the hub's retention) before any batch read them."""

    waiting: dict[str, int]
    expired: dict[str, int]


@dataclass(frozen=True)
class HubSourceSpec(SourceSpec):
    """What both hub sources (``eventhubs`` and ``kafka``) address: the hub, its credential's
    names and where a new stream starts (``LAKESTREAM_EVENTHUBS_*``); each adds its own limits."""

    namespace: str | None
    hub: str | None
    consumer_group: str
    connection_string_env: str | None
    secret_scope: str | None
    secret_key: str | None
    starting_position: str

    @staticmethod
    def hub_settings(settings: Settings) -> dict[str, Any]:
        """The hub's fields from the ``eventhubs_*`` settings."""
        return {
            "namespace": settings.eventhubs_namespace,
            "hub": settings.eventhubs_hub,
            "consumer_group": settings.eventhubs_consumer_group,
            "connection_string_env": settings.eventhubs_connection_string_env,
            "secret_scope": settings.eventhubs_secret_scope,
            "secret_key": settings.eventhubs_secret_key,
            "starting_position": settings.eventhubs_starting_position,
        }


@register_source("eventhubs")
@dataclass(frozen=True)
class EventHubsSourceSpec(HubSourceSpec):
    """The hub, its credential's names and the reader's limits (``LAKESTREAM_EVENTHUBS_*``)."""

    data_sources: ClassVar[tuple[type[DataSource], ...]] = (EventHubsDataSource,)

    max_events_per_trigger: int | None
    receive_timeout: float
    bound_tenants: tuple[str, ...]
    max_retries: int
    retry_backoff: float

    @classmethod
    def from_settings(cls, settings: Settings) -> EventHubsSourceSpec:
        """Reads the ``eventhubs_*`` settings and the source retry settings."""
        return cls(
            **cls.hub_settings(settings),
            max_events_per_trigger=settings.eventhubs_max_events_per_trigger,
            receive_timeout=settings.eventhubs_receive_timeout,
            bound_tenants=tuple(settings.bound_tenants),
            max_retries=settings.source_max_retries,
            retry_backoff=settings.source_retry_backoff,
        )

    def options(self) -> dict[str, str]:
        """Reader options: names of secrets only, never their values.

        Without ``LAKESTREAM_EVENTHUBS_CONNECTION_STRING_ENV`` (and without a secret scope), the
        variable ``LAKESTREAM_EVENTHUBS_CONNECTION_STRING`` is used when it is set; otherwise the
        source authenticates with Entra ID.
        """
        conn_env = self.connection_string_env
        use_default = not self.secret_scope and os.environ.get(DEFAULT_CONN_ENV)
        if conn_env is None and use_default:
            conn_env = DEFAULT_CONN_ENV
        given: dict[str, object | None] = {
            "namespace": self.namespace,
            "hub": self.hub,
            "consumerGroup": self.consumer_group,
            "connectionStringEnv": conn_env,
            "secretScope": self.secret_scope,
            "secretKey": self.secret_key,
            "startingPosition": self.starting_position,
            "maxEventsPerTrigger": self.max_events_per_trigger,
            "receiveTimeout": self.receive_timeout,
            "maxRetries": self.max_retries,
            "retryBackoff": self.retry_backoff,
        }
        return {k: str(v) for k, v in given.items() if v is not None}

    def target(self) -> EventHubsTarget:
        """The hub, with its credential resolved (for producers, e.g. the self-test)."""
        return target_from_options(self.options())

    def stream(self, spark: SparkSession) -> DataFrame:
        """The hub's events (see ``eventhubs_stream``)."""
        return eventhubs_stream(spark, self.options(), list(self.bound_tenants))

    def probe(self) -> None:
        """Nothing between batches: the reader retries and fails by itself."""

    def verify_batch(self, ctx: BatchContext, read: set[str]) -> None:
        """Nothing per batch: offsets name exactly what a batch reads."""

    def hub_backlog(self, committed: Mapping[str, int] | None) -> HubBacklog:
        """What waits in the hub after the committed end offsets (None: before any batch)."""
        options = self.options()
        reader = EventHubsReader(StructType(), options, target_from_options(options))
        states = reader.partition_states()
        start = dict(committed) if committed else reader.initialOffset()
        waiting, expired = {}, {}
        for pid, state in sorted(states.items(), key=lambda item: _partition_order(item[0])):
            read_to = int(start.get(pid, state.earliest))
            waiting[pid] = max(0, state.next - max(read_to, state.earliest))
            expired[pid] = max(0, state.earliest - read_to)
        return HubBacklog(waiting, expired)

    def backlog(self, checkpoint: str, now: datetime) -> Backlog | None:
        """Events enqueued after the checkpoint's committed offsets, per partition."""
        offsets = committed_offsets(checkpoint)
        if offsets is None:
            return None
        hub = self.hub_backlog(offsets[0] if offsets else None)
        expired = sum(hub.expired.values())
        note = f"{expired} events expired from the hub before any batch read them"
        return Backlog(
            "events", sum(hub.waiting.values()), hub.waiting, None, note if expired else ""
        )

    def deliver(self, bodies: list[bytes], run_id: str, tenant_id: str) -> str:
        """The bodies sent to the hub with the tenant as the ``tenant_id`` property."""
        from lakestream.common.eventhubs.producer import send_bodies

        target_hub = self.target()
        send_bodies(target_hub, bodies, properties={TENANT_PROPERTY: tenant_id})
        return f"Event Hubs {target_hub.description}"


def options_from_settings(settings: Settings) -> dict[str, str]:
    """Reader options of the settings' hub (``EventHubsSourceSpec.options``)."""
    return EventHubsSourceSpec.from_settings(settings).options()


def target_from_options(options: Mapping[str, str]) -> EventHubsTarget:
    """The hub and credential that reader options name (option keys are case-insensitive)."""
    opts = {k.lower(): v for k, v in options.items()}
    return resolve_target(
        namespace=opts.get("namespace"),
        hub=opts.get("hub"),
        consumer_group=opts.get("consumergroup"),
        connection_string_env=opts.get("connectionstringenv"),
        secret_scope=opts.get("secretscope"),
        secret_key=opts.get("secretkey"),
    )


def settings_target(settings: Settings) -> EventHubsTarget:
    """The hub the settings name, with its credential resolved (for producers, e.g. republish)."""
    return EventHubsSourceSpec.from_settings(settings).target()


def forward_secret(spark: SparkSession, options: dict[str, str]) -> dict[str, str]:
    """Resolve the hub and its connection string on the driver; hand the value to the workers.

    Resolving here also turns a missing namespace, hub or variable into a clear error before
    the query starts.

    Spark runs a data source's planning and reads in separate Python worker processes that do
    not see this process's environment (nor ``dbutils``). The value travels as a worker
    environment variable (``SparkContext.environment``, like ``spark.executorEnv.*``), so it never
    appears in the query's options, plan or logs; the options name only that variable.
    """
    target = target_from_options(options)
    if target.connection_string is None:
        return options
    name = f"{FORWARDED_ENV}_{re.sub(r'[^A-Za-z0-9]', '_', target.hub).upper()}"
    try:
        context = spark.sparkContext
    except Exception:  # Spark Connect: workers resolve the variable or secret themselves
        return options
    context.environment[name] = target.connection_string.reveal()
    register_data_source(spark, EventHubsDataSource)
    kept = {k: v for k, v in options.items() if k.lower() not in ("secretscope", "secretkey")}
    kept["connectionStringEnv"] = name
    return kept


def eventhubs_stream(
    spark: SparkSession, options: dict[str, str], bound_tenants: list[str]
) -> DataFrame:
    """Raw bodies with bronze ``source`` coordinates and the tenants the event is bound to.

    ``bound_tenants`` is the settings' list for this hub, else the event's ``tenant_id``
    application property, else NULL (not bound).
    """
    reader = spark.readStream.format(EVENTHUBS_FORMAT).options(**forward_secret(spark, options))
    events = reader.load()
    configured = F.array(*[F.lit(t) for t in bound_tenants]) if bound_tenants else F.lit(None)
    from_property = F.when(
        F.col("properties").getItem(TENANT_PROPERTY).isNotNull(),
        F.array(F.col("properties").getItem(TENANT_PROPERTY)),
    )
    return events.select(
        F.col("body"),
        F.struct(
            F.lit(EVENTHUBS_FORMAT).alias("kind"),
            F.lit(None).cast("string").alias("file"),
            F.lit(None).cast("long").alias("line"),
            F.col("partition"),
            F.col("sequence_number"),
            F.col("offset"),
            F.col("enqueued_time"),
        ).alias("source"),
        F.coalesce(configured.cast("array<string>"), from_property).alias("bound_tenants"),
    )
