"""Hostile event bodies through the real layers: nothing crashes, every body lands in one place.

Generators (plain functions of a seeded ``random.Random``) build bodies that are random bytes,
invalid UTF-8, BOM-prefixed, nested hundreds or thousands of levels, huge, full of numeric edge
values, unicode escapes and lone surrogates, duplicate keys, trailing data, wrong JSON types in
every envelope and payload field, edge event times, and event ids that differ only by invalid
code points. An independent oracle (Python's ``json`` plus the rules of DESIGN.md and decisions
0086/0087) says where each body must end up. Two drivers share the generators: hypothesis picks
seeds for many small batches checked against bronze's verdict (``parse_envelope`` only), and
one seeded batch of several hundred bodies runs through bronze -> silver -> gold, checked row by
row and against the conservation law in ``audit/batches``.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import SparkSession

from lakestream.bronze.envelope import MAX_DEPTH, parse_envelope
from lakestream.common.config import Registry
from tests.lake import Lake
from tests.unit.test_demo_workload import ALLOWED_TYPES, TENANTS, problems

pytestmark = pytest.mark.spark

LIMIT = 1_048_576
ADMITTED = "ADMITTED"
STORED = "STORED"
INT32_MAX = 2**31 - 1
MAX_OFFSET = timedelta(hours=18)
"""Spark refuses UTC offsets beyond +-18:00."""

NUMBERS = [
    "1e308", "-1e308", "1e309", "-1e309", "1E+400", "-0", "0", "-0.0", "0.0", "5e-324", "1e-400",
    "1.7976931348623157e308", "1.7976931348623159e308", "9223372036854775807",
    "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890123456789012",
    "9" * 400, "21.123456789012345678901234567890123456789", "-100", "80", "80.0000000000001",
]  # fmt: skip
INTEGER_NUMBERS = [n for n in NUMBERS if "." not in n]
"""Integral JSON decimals (``-0.0``) count as integers in Spark but not in Python's ``json``."""
TIMES = [
    "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:59:59-01:00", "9999-12-31T23:59:00Z", "9999-12-31T23:59:59.999999999Z",
    "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59+14:00", "2016-12-31T23:59:60Z",
    "2026-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "2026-11-25T10:00:30+18:00",
    "2026-11-25T10:00:30+18:01", "2026-11-25T10:00:30-00:00", "2026-11-25T10:00:30.5+05:45",
]  # fmt: skip
ESCAPES = [
    "a", "\\u00e9", "\\ud83d\\ude00", "\\ud800", "\\udfff", "\\udbff\\udfff", "\\ude00\\ud83d",
    "\\\\ud800", "\\\\\\ud800", "\\u0041", "\\u0000", "\\u001f", "\\\"", "\\/", "é", "😀",
]  # fmt: skip
TRAILERS = ["]", " ]", "] {}", "]]", "}", ",", ", 1", " x", "{}", "[]", "\x00", "\r ]", "\t \r"]
BAD_UTF8 = [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\xf4\x90\x80\x80", b"\x80"]
WRONG = [None, True, 0, -1, 2.5, "", "x", [], [1], {}, {"a": 1}]
EXTRAS = ["source_id", "x", "payload.x"]


def _payload(rng: random.Random, event_type: str, version: int) -> dict[str, Any]:
    device = rng.choice(["th-1", "th-2", "rf-1"])
    if event_type == "rfid_scan":
        zone = rng.choice(["dock", "aisle", "exit"])
        tag = "".join(rng.choice("0123456789abcdef") for _ in range(24))
        return {"device_id": device, "tag_id": tag, "reader_zone": zone, "signal_dbm": -40}
    if version == 1:
        return {"device_id": device, "temperature_f": 70.5, "humidity_pct": 40}
    return {"device_id": device, "temperature_c": rng.choice([-60, 21.5, 80]), "humidity_pct": 40}


def envelope(rng: random.Random, event_id: str | None = None) -> dict[str, Any]:
    """A valid envelope of a random tenant, type and version."""
    event_type, version = rng.choice([("temp_humidity", 1), ("temp_humidity", 2), ("rfid_scan", 1)])
    minute = rng.randrange(5)
    return {
        "event_id": event_id or f"ev-{rng.randrange(10**9)}",
        "tenant_id": rng.choice(sorted(TENANTS)),
        "event_type": event_type,
        "event_version": version,
        "event_time": f"2026-11-25T10:0{minute}:{rng.randrange(60):02d}Z",
        "payload": _payload(rng, event_type, version),
    }


def dump(value: Any) -> bytes:
    """Compact JSON bytes (non-ASCII kept literal)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def with_raw(event: dict[str, Any], path: str, raw: bytes) -> bytes:
    """The event with the value at ``path`` (``a`` or ``payload.a``) replaced by raw JSON."""
    marker = "\x01marker\x01"
    *parents, leaf = path.split(".")
    node = event
    for key in parents:
        node = node[key]
    node[leaf] = marker
    return dump(event).replace(dump(marker), raw)


def _nest(rng: random.Random, depth: int) -> bytes:
    opened = [rng.choice(["[", '{"k":']) for _ in range(depth)]
    closed = ["]" if o == "[" else "}" for o in reversed(opened)]
    return ("".join(opened) + "1" + "".join(closed)).encode()


def _random_bytes(rng: random.Random) -> list[bytes]:
    return [rng.randbytes(rng.randrange(64))]


def _valid(rng: random.Random) -> list[bytes]:
    return [dump(envelope(rng))]


def _invalid_utf8(rng: random.Random) -> list[bytes]:
    return [with_raw(envelope(rng), "source_id", b'"a' + rng.choice(BAD_UTF8) + b'"')]


def _bom(rng: random.Random) -> list[bytes]:
    return [b"\xef\xbb\xbf" + dump(envelope(rng))]


def _deep(rng: random.Random) -> list[bytes]:
    depth = rng.choice([MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH - 1, 100, 500, 998, 1001, 3000])
    return [with_raw(envelope(rng), rng.choice(EXTRAS), _nest(rng, depth))]


def _huge(rng: random.Random) -> list[bytes]:
    event = envelope(rng)
    n = rng.choice([1000, 20_000, 120_000])
    if rng.random() < 0.5:
        event["source_id"] = rng.choice("sé😀") * n
    else:
        event["payload"]["readings"] = list(range(n // 10))
    return [dump(event)]


def _number(rng: random.Random) -> list[bytes]:
    event = envelope(rng)
    fields = [f"payload.{name}" for name in event["payload"]] + ["payload.x", "x"]
    path = rng.choice(fields)
    numbers = INTEGER_NUMBERS if path == "payload.signal_dbm" else NUMBERS
    raw = rng.choice(numbers).encode()
    return [with_raw(event, path, b"[" + raw + b"]" if rng.random() < 0.2 else raw)]


def _escapes(rng: random.Random) -> list[bytes]:
    text = "".join(rng.choice(ESCAPES) for _ in range(rng.randrange(1, 5)))
    return [
        with_raw(
            envelope(rng),
            rng.choice(["event_id", "payload.device_id", "x"]),
            b'"' + text.encode() + b'"',
        )
    ]


def _twins(rng: random.Random) -> list[bytes]:
    """Event ids that differ only by an invalid code point (and a valid pair for contrast)."""
    base = f"twin-{rng.randrange(10**6)}-"
    bad = [rng.choice(["\\ud800", "\\udbff", "\\udc00", "\\udfff"]) for _ in range(2)]
    good = ["\\ud83d\\ude00", "\\ud83d\\ude01"]
    return [with_raw(envelope(rng), "event_id", f'"{base}{s}"'.encode()) for s in bad + good]


def _duplicate_key(rng: random.Random) -> list[bytes]:
    event = envelope(rng)
    body = dump(event)
    if rng.random() < 0.5:
        return [body[:-1] + b',"tenant_id":"acme"}']
    return [with_raw(event, "payload.x", b'1,"x":2')]


def _trailing(rng: random.Random) -> list[bytes]:
    return [dump(envelope(rng)) + rng.choice(TRAILERS).encode()]


def _wrong_type(rng: random.Random) -> list[bytes]:
    event = envelope(rng)
    fields = [*event, "source_id"] + [f"payload.{name}" for name in event["payload"]]
    path = rng.choice(fields)
    if rng.random() < 0.2:
        *parents, leaf = path.split(".")
        (event[parents[0]] if parents else event).pop(leaf, None)
        return [dump(event)]
    return [with_raw(event, path, dump(rng.choice(WRONG)))]


def _time(rng: random.Random) -> list[bytes]:
    event = envelope(rng)
    event["event_time"] = rng.choice(TIMES)
    return [dump(event)]


def _repeat(rng: random.Random) -> list[bytes]:
    """The same event id twice: exactly, with another payload, or under the other event type."""
    event = envelope(rng)
    other = json.loads(dump(event))
    kind = rng.choice(["same", "payload", "type"])
    if kind == "payload":
        other["payload"]["device_id"] = "th-9"
    if kind == "type":
        flipped = "rfid_scan" if event["event_type"] == "temp_humidity" else "temp_humidity"
        other["event_type"], other["event_version"] = flipped, 1
        other["payload"] = _payload(rng, flipped, 1)
    return [dump(event), dump(other)]


KINDS: list[Callable[[random.Random], list[bytes]]] = [
    _random_bytes, _valid, _valid, _invalid_utf8, _bom, _deep, _huge, _number, _number,
    _escapes, _twins, _duplicate_key, _trailing, _wrong_type, _wrong_type, _time, _repeat,
]  # fmt: skip


def landable(body: bytes) -> bytes:
    """A body a ``*.jsonl`` line can carry: no newline, no final carriage return."""
    return body.replace(b"\n", b"").rstrip(b"\r")


def hostile_batch(seed: int, n: int, huge: bool = True) -> list[bytes]:
    """About ``n`` hostile bodies from one seed."""
    rng = random.Random(seed)
    kinds = KINDS if huge else [k for k in KINDS if k is not _huge]
    bodies: list[bytes] = []
    while len(bodies) < n:
        bodies += [landable(b) for b in rng.choice(kinds)(rng)]
    return bodies


# ---- the oracle ----------------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def _reject(name: str) -> None:
    raise ValueError(name)


def _walk(value: Any) -> tuple[int, bool, list[Any]]:
    """(nesting depth, has a lone surrogate in a key or string, every scalar), iteratively."""
    depth, surrogate, scalars = 0, False, []
    stack = [(value, 0)]
    while stack:
        node, level = stack.pop()
        texts = [node] if isinstance(node, str) else []
        if isinstance(node, dict):
            texts = list(node)
            stack += [(v, level + 1) for v in node.values()]
        elif isinstance(node, list):
            stack += [(v, level + 1) for v in node]
        else:
            scalars.append(node)
        depth = max(depth, level + isinstance(node, dict | list))
        surrogate = surrogate or any(0xD800 <= ord(c) <= 0xDFFF for t in texts for c in t)
    return depth, surrogate, scalars


def _infinite(value: Any) -> bool:
    """A number Spark reads as a +-Infinity double."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return abs(float(value)) == float("inf")
    except OverflowError:
        return True


def _time_ok(text: str) -> bool:
    """An RFC 3339 text Spark reads, with its UTC instant in years 0001..9999."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
        parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return False
    return abs(parsed.utcoffset() or timedelta()) <= MAX_OFFSET


def bronze_verdict(body: bytes) -> str:
    """Bronze's reason code for ``body``, or ADMITTED (independent of the code under test)."""
    if len(body) > LIMIT:
        return "PAYLOAD_TOO_LARGE"
    try:
        event = json.loads(
            body.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_reject
        )
    except (ValueError, RecursionError):
        return "INVALID_JSON"
    depth, surrogate, _ = _walk(event)
    if not isinstance(event, dict) or surrogate or depth > MAX_DEPTH:
        return "INVALID_JSON"
    if any(_infinite(n) for n in _walk(event.get("payload"))[2]):
        return "INVALID_JSON"
    found = {reason for reason, _ in problems(body)}
    time, version = event.get("event_time"), event.get("event_version")
    if isinstance(time, str) and not _time_ok(time):
        found.add("INVALID_ENVELOPE")
    if isinstance(version, int) and version > INT32_MAX:
        found.add("INVALID_ENVELOPE")
    order = ["INVALID_ENVELOPE", "UNKNOWN_TENANT", "UNKNOWN_EVENT_TYPE", "UNSUPPORTED_VERSION"]
    return next((reason for reason in order if reason in found), ADMITTED)


def verdict(body: bytes) -> str:
    """Where a body must land: a bronze reason code, CONTRACT_VIOLATION or STORED in silver."""
    bronze = bronze_verdict(body)
    if bronze != ADMITTED:
        return bronze
    if any(reason == "CONTRACT_VIOLATION" for reason, _ in problems(body)):
        return "CONTRACT_VIOLATION"
    return STORED


# ---- driver 1: bronze's verdict on many small batches --------------------------------------


@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32 - 1))
def test_bronze_verdict_on_hostile_batches(
    spark: SparkSession, registry: Registry, seed: int
) -> None:
    batch = hostile_batch(seed, 100, huge=False)
    frame = spark.createDataFrame(list(enumerate(batch)), "i int, body binary")
    rows = parse_envelope(frame, registry, LIMIT).select("i", "body", "reason_code").collect()
    assert len(rows) == len(batch)
    for row in rows:
        body = bytes(row["body"])
        assert body == batch[row["i"]]
        assert (row["reason_code"] or ADMITTED) == bronze_verdict(body), body[:300]


# ---- driver 2: one big batch through every layer -------------------------------------------

PINNED = [
    landable(b)
    for b in [
        dump(envelope(random.Random(1))) + b"]",
        with_raw(envelope(random.Random(2)), "payload.device_id", b"1e309"),
        with_raw(envelope(random.Random(3)), "payload.x", _nest(random.Random(3), 5000)),
        b"\xef\xbb\xbf{}",
        dump({**envelope(random.Random(4)), "source_id": "s" * LIMIT}),
        dump({**envelope(random.Random(5), "edge-first"), "event_time": "0001-01-01T00:00:00Z"}),
        dump({**envelope(random.Random(6), "edge-last"), "event_time": "9999-12-31T23:59:59Z"}),
    ]
]


def _line_ends(rng: random.Random, bodies: list[bytes]) -> bytes:
    return b"".join(b + rng.choice([b"\n", b"\r\n"]) for b in bodies)


def test_hostile_batch_through_every_layer(lake: Lake) -> None:
    bodies = PINNED + hostile_batch(seed=20261204, n=300)
    lake.land(raw=_line_ends(random.Random(7), bodies))
    lake.run()

    expected = {line: verdict(body) for line, body in enumerate(bodies, start=1)}
    bronze = {r["source"]["line"]: r for r in lake.rows("bronze/events")}
    dlq = lake.rows("dlq/events")
    bronze_dlq = {r["source"]["line"]: r for r in dlq if r["stage"] == "bronze"}
    silver_dlq = {r["source"]["line"]: r for r in dlq if r["stage"] == "silver"}
    assert len(bronze) + len(bronze_dlq) == len(bodies), "every body in exactly one bronze place"
    assert set(bronze) | set(bronze_dlq) == set(expected)
    for line, body in enumerate(bodies, start=1):
        landed = bronze.get(line) or bronze_dlq[line]
        assert landed["raw_body"] == body, f"line {line}: raw bytes must be kept byte-exact"
        want = expected[line]
        if line in bronze_dlq:
            assert bronze_dlq[line]["reason_code"] == want, (line, body[:300])
            assert bronze_dlq[line]["reason_detail"]
        else:
            assert want in (STORED, "CONTRACT_VIOLATION"), (line, want, body[:300])
    assert {line for line, v in expected.items() if v == "CONTRACT_VIOLATION"} == set(silver_dlq)
    for line, row in silver_dlq.items():
        assert (row["reason_code"], row["raw_body"]) == ("CONTRACT_VIOLATION", bodies[line - 1])

    stored = [line for line in sorted(expected) if expected[line] == STORED]
    first: dict[tuple[str, str, str], int] = {}
    for line in stored:
        row = bronze[line]
        first.setdefault((row["tenant_id"], row["event_type"], row["event_id"]), line)
    silver = {
        (r["tenant_id"], r["event_type"], r["event_id"]): r
        for event_type in sorted(ALLOWED_TYPES)
        for r in lake.rows(f"silver/{event_type}")
    }
    assert set(silver) == set(first)
    # Decision 0085: dedup is per event type; an id reused across types is stored in both.
    per_key = Counter((tenant, event_id) for tenant, _, event_id in silver)
    assert sum(n > 1 for n in per_key.values()) == 3
    for key, line in first.items():
        assert silver[key]["event_time"] == bronze[line]["event_time"]

    _assert_audit(lake, len(bodies), len(bronze), len(silver_dlq), len(stored) - len(first))
    gold = lake.rows("gold/device_minute")
    th = [k for k in silver if k[1] == "temp_humidity"]
    assert sum(r["event_count"] for r in gold) == len(th)


def _assert_audit(lake: Lake, bodies: int, admitted: int, violations: int, dups: int) -> None:
    """One SUCCEEDED batch per layer, the conservation law on every row, the expected totals."""
    rows = lake.rows("audit/batches")
    assert {r["status"] for r in rows} == {"SUCCEEDED"}
    for r in rows:
        counts = (r["output_rows"], r["dlq_rows"], r["duplicate_rows"])
        assert r["input_rows"] == sum(counts), r
    totals = {r["service"]: r for r in rows if r["tenant_id"] is None}
    assert Counter(r["service"] for r in rows if r["tenant_id"] is None) == Counter(
        {"bronze": 1, "silver": 1, "gold": 1}
    )
    assert (totals["bronze"]["input_rows"], totals["bronze"]["output_rows"]) == (bodies, admitted)
    silver = totals["silver"]
    assert (silver["input_rows"], silver["dlq_rows"], silver["duplicate_rows"]) == (
        admitted,
        violations,
        dups,
    )
