"""``LocalEventHubsServer``: a protocol-level test double for Azure Event Hubs (AMQP 1.0).

It is a development stand-in, not a product: an in-memory hub that the unmodified
``azure-eventhub`` SDK talks to through an emulator connection string
(``Endpoint=sb://127.0.0.1:PORT;...;UseDevelopmentEmulator=true``). It implements exactly what
the SDK uses: SASL (ANONYMOUS/PLAIN), the ``$cbs`` token put (shared-key tokens are verified,
JWTs accepted), ``$management`` READ of the hub and its partitions, sends (single and batched
messages, to the hub with or without a partition key, or to a partition) and receives from a
sequence-number, offset or enqueued-time selector filter. Events live in memory for the life of
the object, across ``stop()``/``start()``; nothing is persisted and there is no TLS.

The SDK (5.15) reads performative fields by position, so every performative is sent with all
of its fields, trailing nulls included.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import re
import socket
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlparse

from lakestream.devtools.amqp_codec import (
    Array,
    Described,
    Symbol,
    Timestamp,
    UByte,
    UInt,
    ULong,
    UShort,
    decode,
    encode,
)

SASL_HEADER = b"AMQP\x03\x01\x00\x00"
AMQP_HEADER = b"AMQP\x00\x01\x00\x00"
BATCH_FORMAT = 0x80013700
DEFAULT_KEY_NAME = "RootManageSharedAccessKey"
DEFAULT_KEY = "SAS_KEY_VALUE"

OPEN, BEGIN, ATTACH, FLOW, TRANSFER, DISPOSITION, DETACH, END, CLOSE = range(0x10, 0x19)
SASL_MECHANISMS, SASL_INIT, SASL_OUTCOME = 0x40, 0x41, 0x44
SOURCE, TARGET, ACCEPTED, REJECTED, ERROR = 0x28, 0x29, 0x24, 0x25, 0x1D
HEADER, DELIVERY_ANNOTATIONS, MESSAGE_ANNOTATIONS, DATA = 0x70, 0x71, 0x72, 0x75
SECTION_ORDER = (0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78)
CREDIT = 1000
MAX_MESSAGE_BYTES = 20 << 20  # as Event Hubs premium/dedicated
_SELECTOR = re.compile(
    r"amqp\.annotation\.x-opt-(sequence-number|offset|enqueued-time)\s*(>=|>)\s*'([^']*)'"
)


@dataclass
class StoredEvent:
    """One enqueued event: its coordinates and its message sections as received."""

    sequence_number: int
    offset: int
    enqueued_ms: int
    partition_key: str | None
    sections: list[tuple[int, bytes]]
    annotations: dict[Any, Any]

    def encoded(self) -> bytes:
        """The message as delivered: the Event Hubs annotations merged into the sections."""
        annotations = dict(self.annotations)
        annotations[Symbol("x-opt-sequence-number")] = self.sequence_number
        annotations[Symbol("x-opt-offset")] = str(self.offset)
        annotations[Symbol("x-opt-enqueued-time")] = Timestamp(self.enqueued_ms)
        if self.partition_key is not None:
            annotations[Symbol("x-opt-partition-key")] = self.partition_key
        out = [(code, raw) for code, raw in self.sections if code != MESSAGE_ANNOTATIONS]
        out.append((MESSAGE_ANNOTATIONS, encode(Described(MESSAGE_ANNOTATIONS, annotations))))
        out.sort(key=lambda s: SECTION_ORDER.index(s[0]))
        return b"".join(raw for _, raw in out)


@dataclass
class _Partition:
    events: list[StoredEvent] = field(default_factory=list)
    next_offset: int = 0


class _Hub:
    def __init__(self, name: str, partitions: int) -> None:
        self.name = name
        self.created_ms = int(time.time() * 1000)
        self.partitions = [_Partition() for _ in range(partitions)]
        self.round_robin = itertools.count()

    def partition_for(self, key: str | None) -> int:
        if key is None:
            return next(self.round_robin) % len(self.partitions)
        return zlib.crc32(key.encode("utf-8")) % len(self.partitions)

    def append(self, index: int, sections: list[tuple[int, bytes]], key: str | None) -> None:
        part = self.partitions[index]
        annotations: dict[Any, Any] = {}
        for code, raw in sections:
            if code == MESSAGE_ANNOTATIONS:
                annotations = decode(raw)[0].value or {}
        size = sum(len(raw) for _, raw in sections)
        part.events.append(
            StoredEvent(
                len(part.events),
                part.next_offset,
                int(time.time() * 1000),
                key,
                sections,
                annotations,
            )
        )
        part.next_offset += size

    def start_index(self, index: int, selector: str | None) -> int:
        """Index of the first event a receiver with this selector filter gets."""
        events = self.partitions[index].events
        if not selector:
            return 0
        match = _SELECTOR.search(selector)
        if match is None:
            raise ValueError(f"unsupported selector filter: {selector}")
        kind, op, raw = match.groups()
        if kind == "offset" and raw == "@latest":
            return len(events)
        value = int(raw)
        for i, event in enumerate(events):
            current = {
                "sequence-number": event.sequence_number,
                "offset": event.offset,
                "enqueued-time": event.enqueued_ms,
            }[kind]
            if current > value or (op == ">=" and current == value):
                return i
        return len(events)


def split_sections(payload: bytes) -> list[tuple[int, bytes]]:
    """Split an encoded message into (section code, raw bytes) pairs."""
    sections, pos = [], 0
    while pos < len(payload):
        value, end = decode(payload, pos)
        sections.append((int(value.descriptor), payload[pos:end]))
        pos = end
    return sections


def _performative(code: int, *fields: Any) -> bytes:
    return encode(Described(code, list(fields)))


def _frame(channel: int, body: bytes, frame_type: int = 0) -> bytes:
    return struct.pack(">IBBH", len(body) + 8, 2, frame_type, channel) + body


def _error(condition: str, description: str) -> Described:
    return Described(ERROR, [Symbol(condition), description, None])


@dataclass
class _Link:
    name: str
    remote_handle: int
    handle: int
    sending: bool
    address: str
    partition: int | None = None
    cursor: int = 0
    credit: int = 0
    delivery_count: int = 0
    outbox: list[bytes] = field(default_factory=list)
    buffer: bytearray = field(default_factory=bytearray)
    first_transfer: list[Any] | None = None


@dataclass
class _Session:
    channel: int
    next_incoming_id: int
    next_outgoing_id: int = 0
    links: dict[int, _Link] = field(default_factory=dict)
    handles: Iterator[int] = field(default_factory=itertools.count)


class _Connection:
    def __init__(
        self,
        server: LocalEventHubsServer,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.sessions: dict[int, _Session] = {}
        self.max_frame = 65536
        self.authorized = False

    def send(self, channel: int, body: bytes, frame_type: int = 0) -> None:
        self.writer.write(_frame(channel, body, frame_type))

    async def run(self) -> None:
        try:
            while True:
                head = await self.reader.readexactly(8)
                if head.startswith(b"AMQP"):
                    self.writer.write(head)
                    if head == SASL_HEADER:
                        mechanisms = Array(("ANONYMOUS", "PLAIN", "MSSBCBS"))
                        self.send(0, _performative(SASL_MECHANISMS, mechanisms), 1)
                    await self.writer.drain()
                    continue
                size, doff, frame_type, channel = struct.unpack(">IBBH", head)
                rest = await self.reader.readexactly(size - 8)
                body = rest[doff * 4 - 8 :]
                if body:
                    self.handle(channel, frame_type, body)
                    await self.writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, _ClosedError, asyncio.CancelledError):
            pass
        finally:
            self.server.forget(self)
            self.writer.close()

    def handle(self, channel: int, frame_type: int, body: bytes) -> None:
        described, end = decode(body)
        code, fields = int(described.descriptor), described.value
        if code in (ATTACH, FLOW, TRANSFER, DETACH) and channel not in self.sessions:
            return
        if frame_type == 1:
            if code == SASL_INIT:
                self.send(0, _performative(SASL_OUTCOME, UByte(0), None), 1)
            return
        if code == OPEN:
            self.max_frame = min(int(fields[2] or 4294967295), 1 << 20)
            self.send(
                0,
                _performative(
                    OPEN,
                    "lakestream-local-eventhubs",
                    None,
                    UInt(1 << 20),
                    UShort(4999),
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ),
            )
        elif code == BEGIN:
            self.sessions[channel] = _Session(channel, int(fields[1]))
            self.send(
                channel,
                _performative(
                    BEGIN,
                    UShort(channel),
                    UInt(0),
                    UInt(65536),
                    UInt(65536),
                    UInt(262143),
                    None,
                    None,
                    None,
                ),
            )
        elif code == ATTACH:
            self.attach(self.sessions[channel], fields)
        elif code == FLOW:
            self.flow(self.sessions[channel], fields)
        elif code == TRANSFER:
            self.transfer(self.sessions[channel], fields, body[end:])
        elif code == DETACH:
            session = self.sessions[channel]
            link = session.links.pop(int(fields[0]), None)
            if link is not None:
                self.send(channel, _performative(DETACH, UInt(link.handle), True, None))
        elif code == END:
            self.sessions.pop(channel, None)
            self.send(channel, _performative(END, None))
        elif code == CLOSE:
            self.send(0, _performative(CLOSE, None))
            raise _ClosedError

    def attach(self, session: _Session, fields: list[Any]) -> None:
        name, remote_handle, client_is_receiver = fields[0], int(fields[1]), bool(fields[2])
        source, target = fields[5], fields[6]
        endpoint = source if client_is_receiver else target
        address = str(endpoint.value[0]) if endpoint and endpoint.value else ""
        link = _Link(name, remote_handle, next(session.handles), client_is_receiver, address)
        error = None
        if client_is_receiver and address not in ("$cbs", "$management"):
            try:
                link.partition, link.cursor = self.server.resolve_receive(address, source.value)
            except (KeyError, ValueError) as exc:
                error = _error("amqp:not-found", str(exc))
        elif not client_is_receiver and address not in ("$cbs", "$management"):
            try:
                self.server.resolve_send(address)
            except KeyError as exc:
                error = _error("amqp:not-found", str(exc))
        if not client_is_receiver:
            link.delivery_count = int(fields[9] or 0)
        session.links[remote_handle] = link
        self.send(
            session.channel,
            _performative(
                ATTACH,
                name,
                UInt(link.handle),
                not client_is_receiver,
                UByte(1 if client_is_receiver else 2),
                UByte(0),
                source,
                target,
                None,
                False,
                UInt(0) if client_is_receiver else None,
                ULong(MAX_MESSAGE_BYTES),
                None,
                None,
                None,
            ),
        )
        if error is not None:
            session.links.pop(remote_handle)
            self.send(session.channel, _performative(DETACH, UInt(link.handle), True, error))
        elif not client_is_receiver:
            link.credit = CREDIT
            self.send_flow(session, link)

    def send_flow(self, session: _Session, link: _Link) -> None:
        self.send(
            session.channel,
            _performative(
                FLOW,
                UInt(session.next_incoming_id),
                UInt(65536),
                UInt(session.next_outgoing_id),
                UInt(65536),
                UInt(link.handle),
                UInt(link.delivery_count),
                UInt(link.credit),
                None,
                False,
                False,
                None,
            ),
        )

    def flow(self, session: _Session, fields: list[Any]) -> None:
        if fields[4] is None:
            return
        link = session.links.get(int(fields[4]))
        if link is None or not link.sending:
            return
        link.credit = int(fields[5] or 0) + int(fields[6] or 0) - link.delivery_count
        self.pump()

    def transfer(self, session: _Session, fields: list[Any], payload: bytes) -> None:
        session.next_incoming_id += 1
        link = session.links.get(int(fields[0]))
        if link is None:
            return
        if link.first_transfer is None:
            link.first_transfer = fields
        link.buffer += payload
        if fields[5]:
            return
        first, message = link.first_transfer, bytes(link.buffer)
        link.first_transfer, link.buffer = None, bytearray()
        link.delivery_count += 1
        link.credit -= 1
        outcome = Described(ACCEPTED, [])
        try:
            if link.address in ("$cbs", "$management"):
                self.request(session, link.address, message)
            else:
                self.server.publish(link.address, message, int(first[3] or 0))
        except (KeyError, ValueError, PermissionError) as exc:
            outcome = Described(REJECTED, [_error("amqp:not-allowed", str(exc))])
        if not first[4]:
            self.send(
                session.channel,
                _performative(DISPOSITION, True, first[1], first[1], True, outcome, False),
            )
        if link.credit < CREDIT // 2:
            link.credit = CREDIT
            self.send_flow(session, link)

    def request(self, session: _Session, address: str, message: bytes) -> None:
        sections = {code: decode(raw)[0].value for code, raw in split_sections(message)}
        props = sections.get(0x73) or []
        app = {str(k): v for k, v in (sections.get(0x74) or {}).items()}
        message_id = props[0] if props else None
        if address == "$cbs":
            status, description, value = self.server.put_token(app, sections.get(0x77))
            self.authorized = self.authorized or status == 202
        elif not self.authorized:
            status, description, value = 401, "Unauthorized: no token was put", None
        else:
            status, description, value = self.server.read(app)
        reply_props = [
            None,
            None,
            None,
            None,
            None,
            message_id,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ]
        response = (
            encode(Described(0x73, reply_props))
            + encode(
                Described(
                    0x74,
                    {
                        "status-code": status,
                        "status-description": description,
                        "statusCode": status,
                        "statusDescription": description,
                    },
                )
            )
            + encode(Described(0x77, value))
        )
        for link in session.links.values():
            if link.sending and link.address == address:
                link.outbox.append(response)
        self.pump()

    def pump(self) -> None:
        """Deliver queued responses and available events while links have credit."""
        for session in self.sessions.values():
            for link in session.links.values():
                if not link.sending:
                    continue
                while link.credit > 0:
                    if link.outbox:
                        payload = link.outbox.pop(0)
                    elif link.partition is not None:
                        event = self.server.event_at(link.partition, link.cursor)
                        if event is None:
                            break
                        link.cursor += 1
                        payload = event
                    else:
                        break
                    self.deliver(session, link, payload)

    def deliver(self, session: _Session, link: _Link, payload: bytes) -> None:
        chunk = max(self.max_frame - 256, 512)
        pieces = [payload[i : i + chunk] for i in range(0, len(payload), chunk)] or [b""]
        delivery_id = session.next_outgoing_id
        for i, piece in enumerate(pieces):
            first = i == 0
            head = _performative(
                TRANSFER,
                UInt(link.handle),
                UInt(delivery_id) if first else None,
                struct.pack(">I", link.delivery_count) if first else None,
                UInt(0) if first else None,
                True,
                i < len(pieces) - 1,
                None,
                None,
                False,
                False,
                False,
            )
            self.send(session.channel, head + piece)
        session.next_outgoing_id += 1
        link.delivery_count += 1
        link.credit -= 1


class _ClosedError(Exception):
    pass


class LocalEventHubsServer:
    """An in-memory Event Hubs namespace with one hub, served over AMQP on ``host:port``.

    Usage: ``with LocalEventHubsServer(hub="events", partitions=4) as server:`` then give
    ``server.connection_string`` to the SDK. The server runs on its own thread and event loop.
    """

    def __init__(
        self,
        hub: str = "events",
        partitions: int = 4,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        key_name: str = DEFAULT_KEY_NAME,
        key: str = DEFAULT_KEY,
    ) -> None:
        if partitions < 1:
            raise ValueError("a hub needs at least one partition")
        self.host = host
        self.port = port or _free_port(host)
        self.key_name = key_name
        self.key = key
        self.hub = _Hub(hub, partitions)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._connections: set[_Connection] = set()
        self._lock = threading.Lock()

    @property
    def hub_name(self) -> str:
        """Name of the hub."""
        return self.hub.name

    @property
    def connection_string(self) -> str:
        """An emulator connection string for the SDK (plain AMQP, no TLS)."""
        return (
            f"Endpoint=sb://{self.host}:{self.port};SharedAccessKeyName={self.key_name};"
            f"SharedAccessKey={self.key};EntityPath={self.hub.name};UseDevelopmentEmulator=true"
        )

    @property
    def partition_ids(self) -> list[str]:
        """Current partition ids."""
        return [str(i) for i in range(len(self.hub.partitions))]

    def start(self) -> LocalEventHubsServer:
        """Listen on the configured port (the same one again after ``stop``)."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._accept, self.host, self.port, reuse_address=True)
                )
            except OSError as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="local-eventhubs", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread = None
            raise failure[0]
        return self

    def stop(self) -> None:
        """Close the listener and drop every client connection; events are kept."""
        if self._thread is None or self._loop is None:
            return
        loop = self._loop

        async def shutdown() -> None:
            assert self._server is not None
            self._server.close()
            for conn in list(self._connections):
                conn.writer.transport.abort()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            loop.stop()

        asyncio.run_coroutine_threadsafe(shutdown(), loop)
        self._thread.join(timeout=10)
        self._thread, self._loop, self._server = None, None, None
        self._connections.clear()

    def __enter__(self) -> LocalEventHubsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_partitions(self, count: int) -> None:
        """Grow the hub by ``count`` partitions (as Event Hubs allows on premium/dedicated)."""
        with self._lock:
            self.hub.partitions.extend(_Partition() for _ in range(count))

    def publish_bodies(self, partition: int, bodies: list[bytes]) -> None:
        """Enqueue raw bodies directly (test set-up without the SDK)."""
        with self._lock:
            for body in bodies:
                self.hub.append(partition, [(DATA, encode(Described(DATA, body)))], None)
        self._notify()

    def event_count(self, partition: int | None = None) -> int:
        """Events enqueued in one partition or in the whole hub."""
        with self._lock:
            parts = self.hub.partitions if partition is None else [self.hub.partitions[partition]]
            return sum(len(p.events) for p in parts)

    def receiver_count(self, partition: int) -> int:
        """Receive links currently attached to a partition (for tests that must wait for one)."""
        return sum(
            1
            for conn in list(self._connections)
            for session in list(conn.sessions.values())
            for link in list(session.links.values())
            if link.sending and link.partition == partition
        )

    def _notify(self) -> None:
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(self._pump_all)

    def _pump_all(self) -> None:
        for conn in list(self._connections):
            conn.pump()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = _Connection(self, reader, writer)
        self._connections.add(conn)
        await conn.run()

    def forget(self, conn: _Connection) -> None:
        """Called by a connection when it ends."""
        self._connections.discard(conn)

    def _path(self, address: str) -> list[str]:
        parts = [p for p in urlparse(address).path.split("/") if p]
        if not parts or parts[0].lower() != self.hub.name.lower():
            raise KeyError(f"the messaging entity '{address}' could not be found")
        return parts[1:]

    def _partition_index(self, raw: str) -> int:
        if not raw.isdigit() or int(raw) >= len(self.hub.partitions):
            raise KeyError(f"partition {raw} does not exist in hub {self.hub.name}")
        return int(raw)

    def resolve_send(self, address: str) -> int | None:
        """Partition a send link targets (None: the hub)."""
        rest = self._path(address)
        if len(rest) >= 2 and rest[0].lower() == "partitions":
            return self._partition_index(rest[1])
        return None

    def resolve_receive(self, address: str, source: list[Any]) -> tuple[int, int]:
        """(partition, first event index) of a receive link."""
        rest = self._path(address)
        if len(rest) < 4 or rest[0].lower() != "consumergroups":
            raise KeyError(f"not a partition receive address: {address}")
        index = self._partition_index(rest[3])
        filters = source[7] if len(source) > 7 and source[7] else {}
        selector = None
        for value in filters.values():
            selector = value.value if isinstance(value, Described) else value
        with self._lock:
            return index, self.hub.start_index(index, selector)

    def publish(self, address: str, message: bytes, message_format: int) -> None:
        """Enqueue a sent message (a batch is split into its events)."""
        target = self.resolve_send(address)
        sections = split_sections(message)
        key = None
        for code, raw in sections:
            if code == MESSAGE_ANNOTATIONS:
                annotations = decode(raw)[0].value or {}
                key = annotations.get(Symbol("x-opt-partition-key"))
        if message_format == BATCH_FORMAT:
            inner = [split_sections(decode(raw)[0].value) for code, raw in sections if code == DATA]
        else:
            inner = [sections]
        with self._lock:
            index = self.hub.partition_for(key) if target is None else target
            for event_sections in inner:
                self.hub.append(index, event_sections, key)
        self._pump_all()

    def event_at(self, partition: int, index: int) -> bytes | None:
        """The encoded message at ``index`` of a partition, or None if not enqueued yet."""
        with self._lock:
            events = self.hub.partitions[partition].events
            return events[index].encoded() if index < len(events) else None

    def put_token(self, app: dict[str, Any], token: Any) -> tuple[int, str, None]:
        """Answer a ``$cbs`` put-token: verify shared-access signatures, accept JWTs."""
        kind = str(app.get("type", ""))
        if kind == "jwt":
            return 202, "Accepted", None
        fields = {
            k: v[0] for k, v in parse_qs(str(token).removeprefix("SharedAccessSignature ")).items()
        }
        expected = base64.b64encode(
            hmac.new(
                self.key.encode("utf-8"),
                f"{quote_plus(fields.get('sr', ''))}\n{fields.get('se', '')}".encode(),
                hashlib.sha256,
            ).digest()
        ).decode("ascii")
        if fields.get("skn") != self.key_name or not hmac.compare_digest(
            fields.get("sig", ""), expected
        ):
            return 401, "InvalidSignature: the token has an invalid signature", None
        if int(fields.get("se", "0")) < time.time():
            return 401, "ExpiredToken: the token has expired", None
        return 202, "Accepted", None

    def read(self, app: dict[str, Any]) -> tuple[int, str, dict[str, Any] | None]:
        """Answer a ``$management`` READ of the hub or of one partition."""
        if str(app.get("operation")) != "READ" or str(app.get("name")) != self.hub.name:
            return 404, f"unknown operation or entity {app.get('name')}", None
        with self._lock:
            if str(app.get("type")) == "com.microsoft:eventhub":
                return (
                    200,
                    "OK",
                    {
                        "name": self.hub.name,
                        "type": Symbol("com.microsoft:eventhub"),
                        "created_at": Timestamp(self.hub.created_ms),
                        "partition_count": len(self.hub.partitions),
                        "partition_ids": Array(tuple(self.partition_ids), symbols=False),
                    },
                )
            if str(app.get("type")) == "com.microsoft:partition":
                try:
                    index = self._partition_index(str(app.get("partition")))
                except KeyError as exc:
                    return 404, str(exc), None
                events = self.hub.partitions[index].events
                last = events[-1] if events else None
                return (
                    200,
                    "OK",
                    {
                        "name": self.hub.name,
                        "type": Symbol("com.microsoft:partition"),
                        "partition": str(index),
                        "begin_sequence_number": 0 if events else -1,
                        "last_enqueued_sequence_number": last.sequence_number if last else -1,
                        "last_enqueued_offset": str(last.offset) if last else "-1",
                        "last_enqueued_time_utc": Timestamp(last.enqueued_ms if last else 0),
                        "is_partition_empty": not events,
                    },
                )
        return 404, f"unknown management type {app.get('type')}", None


def _free_port(host: str) -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
