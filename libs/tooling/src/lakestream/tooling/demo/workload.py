"""Demo workload: realistic event bodies for a landing directory, with exact ground truth.

Valid events come from three tenants and both event types in event-time order over the
30 minutes before ``start``. Mixed in are late events, exact duplicates of earlier valid
events, one event id shared by two tenants, and about 2 % bad bodies. Every bad body is a
valid event broken in exactly one way, so it trips exactly one DLQ reason.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lakestream.common.reasons import ReasonCode

MAX_BODY_BYTES = 1_048_576
TENANTS = ("acme", "globex", "initech")
TEMP_HUMIDITY = "temp_humidity"
RFID_SCAN = "rfid_scan"
READER_ZONES = ("dock", "aisle", "exit")
DEVICES_PER_TENANT = 20
WINDOW_MS = 30 * 60 * 1000

_JITTER_MS = 2000
_RFID_SHARE = 0.40
_V1_SHARE = 0.60 * 0.30
_BAD_SHARE = 0.02
_DUPLICATE_SHARE = 0.03
_LATE_SHARE = 0.02
_LATE_MIN_MS = 5 * 60 * 1000
_LATE_MAX_MS = 20 * 60 * 1000
_TAIL_DIVISOR = 10
_NEAR_DUPLICATE_SPAN = 30

Event = dict[str, Any]
Mutation = Callable[[Event, random.Random], bytes]


@dataclass(frozen=True)
class GroundTruth:
    """What the pipeline must produce for a generated workload."""

    total: int
    valid: int
    valid_by_event_type: dict[str, int]
    duplicates: int
    by_reason: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``generated`` section of ``demo-summary.json``)."""
        return {
            "total": self.total,
            "valid": self.valid,
            "valid_by_event_type": dict(sorted(self.valid_by_event_type.items())),
            "duplicates": self.duplicates,
            "by_reason": dict(sorted(self.by_reason.items())),
        }


def _dumps(event: Event) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def _assign(event: Event, field: str, value: Any) -> None:
    if field.startswith("payload."):
        event["payload"][field.removeprefix("payload.")] = value
    else:
        event[field] = value


def _setting(field: str, *choices: Any) -> Mutation:
    """Mutation that sets ``field`` (``payload.x`` for payload fields) to one of ``choices``."""

    def make(event: Event, rng: random.Random) -> bytes:
        _assign(event, field, rng.choice(choices))
        return _dumps(event)

    return make


def _dropping(field: str) -> Mutation:
    """Mutation that removes ``field`` (``payload.x`` for payload fields)."""

    def make(event: Event, rng: random.Random) -> bytes:
        if field.startswith("payload."):
            del event["payload"][field.removeprefix("payload.")]
        else:
            del event[field]
        return _dumps(event)

    return make


def _constant(*bodies: bytes) -> Mutation:
    """Mutation that ignores the event and returns one of ``bodies``."""

    def make(event: Event, rng: random.Random) -> bytes:
        return rng.choice(bodies)

    return make


def _truncated(event: Event, rng: random.Random) -> bytes:
    body = _dumps(event)
    return body[: rng.randrange(len(body) // 3, len(body) - 1)]


def _invalid_utf8_prefix(event: Event, rng: random.Random) -> bytes:
    return b"\xff\xfe" + _dumps(event)


def _invalid_utf8_inside(event: Event, rng: random.Random) -> bytes:
    event["source_id"] = "gw-@@"
    return _dumps(event).replace(b"@@", b"\xc3\x28")


def _duplicate_key(event: Event, rng: random.Random) -> bytes:
    return b'{"event_type":"' + str(event["event_type"]).encode() + b'",' + _dumps(event)[1:]


def _time_without_offset(event: Event, rng: random.Random) -> bytes:
    event["event_time"] = event["event_time"][:19]
    return _dumps(event)


def _time_us_format(event: Event, rng: random.Random) -> bytes:
    stamp = event["event_time"]
    event["event_time"] = f"{stamp[5:7]}/{stamp[8:10]}/{stamp[0:4]} {stamp[11:19]}"
    return _dumps(event)


def _payload_list(event: Event, rng: random.Random) -> bytes:
    event["payload"] = list(event["payload"].values())
    return _dumps(event)


@dataclass(frozen=True)
class _BadKind:
    """One way to break a valid event of (event_type, version)."""

    reason: ReasonCode
    event_type: str
    version: int
    make: Mutation


def _bad_kinds() -> dict[ReasonCode, list[_BadKind]]:
    th, rf, r = TEMP_HUMIDITY, RFID_SCAN, ReasonCode
    kinds = [
        _BadKind(r.INVALID_JSON, th, 2, _truncated),
        _BadKind(r.INVALID_JSON, th, 2, _constant(b"[1,2]", b'"x"', b"42", b"null")),
        _BadKind(r.INVALID_JSON, rf, 1, _invalid_utf8_prefix),
        _BadKind(r.INVALID_JSON, th, 1, _invalid_utf8_inside),
        _BadKind(r.INVALID_JSON, rf, 1, _duplicate_key),
        _BadKind(r.INVALID_ENVELOPE, th, 2, _dropping("event_id")),
        _BadKind(r.INVALID_ENVELOPE, th, 2, _setting("event_version", "2")),
        _BadKind(r.INVALID_ENVELOPE, rf, 1, _setting("event_version", 0)),
        _BadKind(r.INVALID_ENVELOPE, th, 1, _time_without_offset),
        _BadKind(r.INVALID_ENVELOPE, rf, 1, _payload_list),
        _BadKind(r.INVALID_ENVELOPE, th, 2, _setting("event_id", "e" * 129)),
        _BadKind(r.INVALID_ENVELOPE, rf, 1, _setting("payload", "x", 42)),
        _BadKind(r.INVALID_ENVELOPE, th, 2, _time_us_format),
        _BadKind(r.INVALID_ENVELOPE, th, 2, _setting("event_id", "")),
        _BadKind(r.INVALID_ENVELOPE, rf, 1, _dropping("event_time")),
        _BadKind(r.INVALID_ENVELOPE, th, 1, _setting("source_id", 12345)),
        _BadKind(r.UNKNOWN_TENANT, th, 2, _setting("tenant_id", "umbrella", "hooli", "initrode")),
        _BadKind(r.UNKNOWN_TENANT, rf, 1, _setting("tenant_id", "wayne-enterprises")),
        _BadKind(r.UNKNOWN_EVENT_TYPE, th, 1, _setting("event_type", "door_open", "pressure")),
        _BadKind(r.UNSUPPORTED_VERSION, th, 2, _setting("event_version", 3)),
        _BadKind(r.UNSUPPORTED_VERSION, rf, 1, _setting("event_version", 2)),
        _BadKind(r.CONTRACT_VIOLATION, th, 2, _setting("payload.temperature_c", 95.5, -61)),
        _BadKind(r.CONTRACT_VIOLATION, th, 1, _setting("payload.temperature_f", 200.0, -80)),
        _BadKind(r.CONTRACT_VIOLATION, rf, 1, _setting("payload.tag_id", "zz" * 12)),
        _BadKind(r.CONTRACT_VIOLATION, th, 2, _setting("payload.humidity_pct", 150)),
        _BadKind(r.CONTRACT_VIOLATION, rf, 1, _setting("payload.reader_zone", "roof")),
        _BadKind(r.CONTRACT_VIOLATION, th, 2, _setting("payload.temperature_c", "21.5")),
        _BadKind(r.CONTRACT_VIOLATION, rf, 1, _setting("payload.signal_dbm", 12.5, -42.5)),
        _BadKind(r.CONTRACT_VIOLATION, th, 1, _dropping("payload.humidity_pct")),
        _BadKind(r.CONTRACT_VIOLATION, rf, 1, _setting("payload.signal_dbm", 5)),
        _BadKind(r.CONTRACT_VIOLATION, th, 2, _setting("payload.battery_pct", "87")),
        _BadKind(r.CONTRACT_VIOLATION, rf, 1, _dropping("payload.device_id")),
        _BadKind(r.CONTRACT_VIOLATION, th, 2, _setting("payload.firmware_version", "v1.2")),
        _BadKind(r.CONTRACT_VIOLATION, rf, 1, _setting("payload.tag_id", "0a1b2c")),
        _BadKind(r.CONTRACT_VIOLATION, th, 2, _setting("payload.device_id", "th acme 007")),
    ]
    by_reason: dict[ReasonCode, list[_BadKind]] = {}
    for kind in kinds:
        by_reason.setdefault(kind.reason, []).append(kind)
    return by_reason


_BAD_KINDS = _bad_kinds()
_BAD_REASONS = list(_BAD_KINDS)


@dataclass(frozen=True)
class _Plan:
    """How many bodies of each category a workload of ``events`` bodies holds."""

    valid: int
    duplicates: int
    bad: int
    too_large: int
    late: int
    shared_ids: int

    @staticmethod
    def of(events: int) -> _Plan:
        too_large = 1 if events >= 1000 else 0
        bad = max(round(events * _BAD_SHARE) - too_large, min(len(_BAD_REASONS), events // 10))
        duplicates = round(events * _DUPLICATE_SHARE)
        valid = events - bad - too_large - duplicates
        late = round(valid * _LATE_SHARE)
        shared_ids = max(1, valid // 5000) if valid >= 4 else 0
        return _Plan(valid, duplicates, bad, too_large, late, shared_ids)


class _EventFactory:
    """Builds valid events from a seeded RNG; event ids are unique across the workload."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._ids: set[str] = set()
        self._stamps: dict[int, str] = {}
        self._devices = {
            (tenant, kind): [f"{kind}-{tenant}-{n:03d}" for n in range(1, DEVICES_PER_TENANT + 1)]
            for tenant in TENANTS
            for kind in ("th", "rf")
        }
        self._base_c = {
            device: 17.0 + 9.0 * rng.random()
            for devices in self._devices.values()
            for device in devices
        }

    def event_id(self) -> str:
        """A fresh uuid-like id, never returned before."""
        while True:
            h = f"{self.rng.getrandbits(128):032x}"
            eid = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"
            if eid not in self._ids:
                self._ids.add(eid)
                return eid

    def event_time(self, epoch_ms: int) -> str:
        """RFC 3339 UTC with ``Z``, with or without milliseconds."""
        second, millis = divmod(epoch_ms, 1000)
        stamp = self._stamps.get(second)
        if stamp is None:
            stamp = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._stamps[second] = stamp
        if self.rng.random() < 0.5:
            return f"{stamp}.{millis:03d}Z"
        return f"{stamp}Z"

    def number(self, value: float) -> float | int:
        """``value`` as a JSON integer sometimes, as a decimal otherwise."""
        draw = self.rng.random()
        if draw < 0.25:
            return round(value)
        return round(value, 1 if draw < 0.6 else 2)

    def payload(self, tenant: str, event_type: str, version: int) -> Event:
        """A payload that satisfies the contract of (event_type, version)."""
        rng = self.rng
        if event_type == RFID_SCAN:
            return {
                "device_id": rng.choice(self._devices[tenant, "rf"]),
                "tag_id": f"{rng.getrandbits(96):024x}",
                "reader_zone": rng.choice(READER_ZONES),
                "signal_dbm": -95 + int(rng.random() * 66),
            }
        device = rng.choice(self._devices[tenant, "th"])
        celsius = self._base_c[device] + 4.0 * rng.random() - 2.0
        humidity = 25.0 + 50.0 * rng.random()
        if version == 1:
            fahrenheit = celsius * 9.0 / 5.0 + 32.0
            return {
                "device_id": device,
                "temperature_f": self.number(fahrenheit),
                "humidity_pct": self.number(humidity),
            }
        payload: Event = {
            "device_id": device,
            "temperature_c": self.number(celsius),
            "humidity_pct": self.number(humidity),
        }
        if rng.random() < 0.7:
            payload["battery_pct"] = self.number(5.0 + 95.0 * rng.random())
        if rng.random() < 0.7:
            payload["firmware_version"] = (
                f"{rng.randrange(1, 4)}.{rng.randrange(10)}.{rng.randrange(20)}"
            )
        return payload

    def event(self, epoch_ms: int, tenant: str, event_type: str, version: int) -> Event:
        """A valid event with a fresh id."""
        event: Event = {
            "event_id": self.event_id(),
            "tenant_id": tenant,
            "event_type": event_type,
            "event_version": version,
            "event_time": self.event_time(epoch_ms),
        }
        if self.rng.random() < 0.5:
            event["source_id"] = f"gw-{tenant}-{self.rng.randrange(1, 5):02d}"
        event["payload"] = self.payload(tenant, event_type, version)
        return event

    def random_kind(self) -> tuple[str, int]:
        """(event_type, version) in the demo mix."""
        draw = self.rng.random()
        if draw < _RFID_SHARE:
            return RFID_SCAN, 1
        return TEMP_HUMIDITY, 1 if draw < _RFID_SHARE + _V1_SHARE else 2


def _start_ms(start: datetime | None) -> int:
    moment = start or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


class _Workload:
    """Assembles the bodies of one workload in source order."""

    def __init__(self, plan: _Plan, seed: int, start_ms: int) -> None:
        self.plan = plan
        self.rng = random.Random(seed)
        self.factory = _EventFactory(self.rng)
        self.first_ms = start_ms - WINDOW_MS
        self.step_ms = (WINDOW_MS - _JITTER_MS) / max(plan.valid, 1)

    def nominal_ms(self, index: int) -> int:
        """Event time of the valid event at ``index`` before jitter."""
        return self.first_ms + int(index * self.step_ms)

    def valid_bodies(self) -> tuple[list[bytes], Counter[str]]:
        """The unique valid events in source order, and their count per event type."""
        plan, rng, factory = self.plan, self.rng, self.factory
        tail = max(plan.late, plan.valid // _TAIL_DIVISOR)
        late = set(rng.sample(range(plan.valid - tail, plan.valid), plan.late))
        half = plan.valid // 2
        sharers = rng.sample(range(half, plan.valid), plan.shared_ids)
        shared_from = dict(zip(rng.sample(range(half), plan.shared_ids), sharers, strict=True))
        shared: dict[int, tuple[str, str]] = {}
        bodies: list[bytes] = []
        by_type: Counter[str] = Counter()
        for index in range(plan.valid):
            epoch_ms = self.nominal_ms(index) + int(rng.random() * _JITTER_MS)
            if index in late:
                epoch_ms -= rng.randrange(_LATE_MIN_MS, _LATE_MAX_MS + 1)
            event_type, version = factory.random_kind()
            tenant = rng.choice(TENANTS)
            owner = shared.get(index)
            if owner is not None:
                tenant = rng.choice([t for t in TENANTS if t != owner[0]])
            event = factory.event(epoch_ms, tenant, event_type, version)
            if owner is not None:
                event["event_id"] = owner[1]
            if index in shared_from:
                shared[shared_from[index]] = (tenant, event["event_id"])
            bodies.append(_dumps(event))
            by_type[event_type] += 1
        return bodies, by_type

    def duplicates(self, valid: list[bytes]) -> list[tuple[int, bytes]]:
        """Exact copies of earlier valid bodies, each with the valid index it follows."""
        rng, count = self.rng, len(valid)
        placed: list[tuple[int, bytes]] = []
        for _ in range(self.plan.duplicates):
            if rng.random() < 0.5:
                original = rng.randrange(count)
                after = min(count - 1, original + rng.randrange(_NEAR_DUPLICATE_SPAN))
            else:
                original = rng.randrange(max(1, count // 2))
                after = rng.randrange(original + (count - original) // 2, count)
            placed.append((after, valid[original]))
        return placed

    def bad_bodies(self) -> tuple[list[tuple[int, bytes]], Counter[str]]:
        """Bad bodies, each with the valid index it follows, and their count per reason."""
        rng, factory = self.rng, self.factory
        placed: list[tuple[int, bytes]] = []
        by_reason: Counter[str] = Counter()
        for number in range(self.plan.bad):
            reason = _BAD_REASONS[number % len(_BAD_REASONS)]
            kinds = _BAD_KINDS[reason]
            kind = kinds[(number // len(_BAD_REASONS)) % len(kinds)]
            after = rng.randrange(self.plan.valid) if self.plan.valid else -1
            event = factory.event(
                self.nominal_ms(after), rng.choice(TENANTS), kind.event_type, kind.version
            )
            placed.append((after, kind.make(event, rng)))
            by_reason[reason] += 1
        for _ in range(self.plan.too_large):
            placed.append((self.plan.valid // 2, self.too_large_body()))
            by_reason[ReasonCode.PAYLOAD_TOO_LARGE] += 1
        return placed, by_reason

    def too_large_body(self) -> bytes:
        """A valid event padded (in ``source_id``) to one byte over the size limit."""
        event = self.factory.event(self.nominal_ms(self.plan.valid // 2), "acme", TEMP_HUMIDITY, 2)
        event["source_id"] = ""
        event["source_id"] = "p" * (MAX_BODY_BYTES + 1 - len(_dumps(event)))
        return _dumps(event)


def _interleave(valid: list[bytes], extras: list[tuple[int, bytes]]) -> list[bytes]:
    """Valid bodies in order, each followed by the extras placed after it (stable)."""
    extras = sorted(extras, key=lambda item: item[0])
    bodies: list[bytes] = []
    position = 0
    for index in range(-1, len(valid)):
        if index >= 0:
            bodies.append(valid[index])
        while position < len(extras) and extras[position][0] == index:
            bodies.append(extras[position][1])
            position += 1
    return bodies


def generate_bodies(
    events: int, seed: int, start: datetime | None = None
) -> tuple[list[bytes], GroundTruth]:
    """Generate ``events`` bodies in source order and the ground truth they imply.

    Deterministic for (events, seed, start); ``start`` defaults to now (UTC) and naive
    datetimes are taken as UTC.
    """
    if events < 0:
        raise ValueError(f"events must be >= 0, got {events}")
    plan = _Plan.of(events)
    workload = _Workload(plan, seed, _start_ms(start))
    valid, by_type = workload.valid_bodies()
    duplicates = workload.duplicates(valid)
    bad, by_reason = workload.bad_bodies()
    bodies = _interleave(valid, duplicates + bad)
    truth = GroundTruth(
        total=len(bodies),
        valid=plan.valid,
        valid_by_event_type=dict(by_type),
        duplicates=plan.duplicates,
        by_reason={str(reason): count for reason, count in by_reason.items()},
    )
    return bodies, truth


def write_landing_file(path: Path, bodies: list[bytes]) -> None:
    """Write ``bodies`` to ``path``, one per line, atomically.

    The file is written under a dot-prefixed temporary name and then renamed, so a streaming
    file source never sees a partial file.
    """
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(b"".join(body + b"\n" for body in bodies))
    temporary.replace(path)


def write_landing_files(bodies: list[bytes], landing_dir: Path, files: int) -> list[Path]:
    """Write ``bodies`` as ``events-NNNNN.jsonl`` files (one body per line) in source order.

    Bodies are split into ``files`` contiguous chunks (fewer when there are fewer bodies,
    at least one file), each written with ``write_landing_file``.
    """
    if files < 1:
        raise ValueError(f"files must be >= 1, got {files}")
    count = max(1, min(files, len(bodies)))
    landing_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for number in range(count):
        chunk = bodies[number * len(bodies) // count : (number + 1) * len(bodies) // count]
        path = landing_dir / f"events-{number:05d}.jsonl"
        write_landing_file(path, chunk)
        paths.append(path)
    return paths


def generate_workload(
    landing_dir: Path,
    events: int,
    seed: int,
    files: int = 8,
    start: datetime | None = None,
) -> GroundTruth:
    """Generate a workload of ``events`` bodies into ``landing_dir``; return its ground truth."""
    bodies, truth = generate_bodies(events, seed, start)
    write_landing_files(bodies, landing_dir, files)
    return truth
