"""Demo workload generator: determinism, ground truth, and every body judged independently.

The checker below re-implements the envelope and contract rules from DESIGN.md on parsed
Python values, without using the generator's code, and derives the expected DLQ reason of
every body. The ground truth the generator reports must equal what the checker derives.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lakestream.tooling.demo.workload import (
    GroundTruth,
    generate_bodies,
    generate_workload,
    write_landing_files,
)

pytestmark = pytest.mark.unit

START = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
LIMIT = 1024 * 1024
TENANTS = {"acme", "globex", "initech"}
ALLOWED_TYPES = {"temp_humidity", "rfid_scan"}
DEVICE = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")

# (name, JSON type, required, min, max, regex, enum) per (event_type, version)
Rule = tuple[str, str, bool, float | None, float | None, str | None, tuple[str, ...] | None]
CONTRACTS: dict[tuple[str, int], list[Rule]] = {
    ("temp_humidity", 1): [
        ("device_id", "string", True, None, None, DEVICE, None),
        ("temperature_f", "double", True, -76, 176, None, None),
        ("humidity_pct", "double", True, 0, 100, None, None),
    ],
    ("temp_humidity", 2): [
        ("device_id", "string", True, None, None, DEVICE, None),
        ("temperature_c", "double", True, -60, 80, None, None),
        ("humidity_pct", "double", True, 0, 100, None, None),
        ("battery_pct", "double", False, 0, 100, None, None),
        ("firmware_version", "string", False, None, None, r"^\d+\.\d+\.\d+$", None),
    ],
    ("rfid_scan", 1): [
        ("device_id", "string", True, None, None, DEVICE, None),
        ("tag_id", "string", True, None, None, r"^[0-9A-Fa-f]{24}$", None),
        ("reader_zone", "string", True, None, None, None, ("dock", "aisle", "exit")),
        ("signal_dbm", "integer", True, -100, 0, None, None),
    ],
}

Problem = tuple[str, str]


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def _reject_constant(name: str) -> None:
    raise ValueError(f"non-standard JSON constant {name}")


def _parse(body: bytes) -> tuple[Any, str | None]:
    """(value, None) or (None, why the body is not JSON)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not utf-8"
    try:
        return json.loads(
            text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant
        ), None
    except ValueError as error:
        return None, "duplicate key" if "duplicate key" in str(error) else "not json"


def _is_type(value: Any, json_type: str) -> bool:
    if json_type == "string":
        return isinstance(value, str)
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (json_type == "double" and isinstance(value, float))


def _envelope_problems(event: dict[str, Any]) -> list[str]:
    problems = []
    for name in ("event_id", "tenant_id", "event_type", "event_version", "event_time", "payload"):
        if name not in event:
            problems.append(f"{name} missing")
    strings = ("event_id", "tenant_id", "event_type", "event_time", "source_id")
    types: dict[str, type] = {**dict.fromkeys(strings, str), "payload": dict}
    for name, kind in types.items():
        if name in event and not isinstance(event[name], kind):
            problems.append(f"{name} wrong type")
    version: Any = event.get("event_version")
    if "event_version" in event and (not isinstance(version, int) or isinstance(version, bool)):
        problems.append("event_version wrong type")
    elif isinstance(version, int) and version < 1:
        problems.append("event_version out of range")
    event_id = event.get("event_id")
    if isinstance(event_id, str) and not 1 <= len(event_id) <= 128:
        problems.append("event_id bad length")
    event_time = event.get("event_time")
    if isinstance(event_time, str) and not RFC3339.match(event_time):
        problems.append("event_time bad format")
    return problems


def _field_problems(payload: dict[str, Any], rule: Rule) -> list[str]:
    name, json_type, required, low, high, pattern, enum = rule
    if name not in payload:
        return [f"{name} missing"] if required else []
    value = payload[name]
    if not _is_type(value, json_type):
        return [f"{name} wrong type"]
    problems = []
    if low is not None and not low <= value:
        problems.append(f"{name} out of range")
    if high is not None and not value <= high:
        problems.append(f"{name} out of range")
    if pattern is not None and not re.match(pattern, value):
        problems.append(f"{name} bad pattern")
    if enum is not None and value not in enum:
        problems.append(f"{name} not in enum")
    return problems


def problems(body: bytes) -> list[Problem]:
    """Every (reason, detail) the rules find in ``body``, without stopping at the first."""
    found: list[Problem] = []
    if len(body) > LIMIT:
        found.append(("PAYLOAD_TOO_LARGE", f"{len(body)} bytes"))
    event, why_not_json = _parse(body)
    if why_not_json or not isinstance(event, dict):
        return [*found, ("INVALID_JSON", why_not_json or "not an object")]
    found += [("INVALID_ENVELOPE", detail) for detail in _envelope_problems(event)]
    tenant: Any = event.get("tenant_id")
    event_type: Any = event.get("event_type")
    if isinstance(tenant, str) and tenant not in TENANTS:
        found.append(("UNKNOWN_TENANT", tenant))
    if isinstance(event_type, str) and event_type not in ALLOWED_TYPES:
        found.append(("UNKNOWN_EVENT_TYPE", event_type))
        return found
    version: Any = event.get("event_version")
    typed = isinstance(event_type, str) and _is_type(version, "integer")
    contract = CONTRACTS.get((event_type, version)) if typed else None
    if contract is None and _is_type(version, "integer") and version >= 1:
        found.append(("UNSUPPORTED_VERSION", f"{event_type} v{version}"))
    if contract is not None and isinstance(event.get("payload"), dict):
        for rule in contract:
            found += [("CONTRACT_VIOLATION", d) for d in _field_problems(event["payload"], rule)]
    return found


def verdict(body: bytes) -> str:
    """``VALID`` or the single DLQ reason of ``body`` (fails when it trips several)."""
    reasons = {reason for reason, _ in problems(body)}
    assert len(reasons) <= 1, f"{reasons} for {body[:200]!r}"
    return reasons.pop() if reasons else "VALID"


def _event(body: bytes) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(body)
    return event


def _event_time(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["event_time"])


@pytest.fixture(scope="module")
def workload() -> tuple[list[bytes], GroundTruth]:
    return generate_bodies(20_000, seed=42, start=START)


def test_same_seed_same_bodies_other_seed_other_bodies() -> None:
    first = generate_bodies(3000, seed=7, start=START)
    assert generate_bodies(3000, seed=7, start=START) == first
    assert generate_bodies(3000, seed=8, start=START)[0] != first[0]


def test_default_start_is_now_and_naive_start_is_utc() -> None:
    before = datetime.now(UTC)
    bodies, _ = generate_bodies(200, seed=1)
    times = [_event_time(_event(b)) for b in bodies if verdict(b) == "VALID"]
    assert before - timedelta(minutes=31) <= min(times) and max(times) <= datetime.now(UTC)
    naive = generate_bodies(200, seed=1, start=START.replace(tzinfo=None))
    assert naive == generate_bodies(200, seed=1, start=START)


@pytest.mark.parametrize("events", [0, 1, 5, 17, 60, 999, 1000, 2000, 5003])
def test_total_identity(events: int) -> None:
    bodies, truth = generate_bodies(events, seed=3, start=START)
    assert len(bodies) == truth.total == events
    assert truth.total == truth.valid + truth.duplicates + sum(truth.by_reason.values())
    assert sum(truth.valid_by_event_type.values()) == truth.valid
    assert truth.by_reason.get("PAYLOAD_TOO_LARGE", 0) == (1 if events >= 1000 else 0)
    assert "TENANT_MISMATCH" not in truth.by_reason
    assert all(count > 0 for count in truth.by_reason.values())


def test_every_category_present_at_2000() -> None:
    bodies, truth = generate_bodies(2000, seed=11, start=START)
    expected = {
        "INVALID_JSON",
        "INVALID_ENVELOPE",
        "PAYLOAD_TOO_LARGE",
        "UNKNOWN_TENANT",
        "UNKNOWN_EVENT_TYPE",
        "UNSUPPORTED_VERSION",
        "CONTRACT_VIOLATION",
    }
    assert set(truth.by_reason) == expected
    assert Counter(verdict(b) for b in bodies) == Counter(
        {"VALID": truth.valid + truth.duplicates, **truth.by_reason}
    )
    assert truth.duplicates > 0
    assert set(truth.valid_by_event_type) == ALLOWED_TYPES
    assert 0.015 <= sum(truth.by_reason.values()) / truth.total <= 0.03


def test_no_body_contains_a_line_break(workload: tuple[list[bytes], GroundTruth]) -> None:
    bodies, _ = workload
    assert not [b for b in bodies if b"\n" in b or b"\r" in b]
    assert all(bodies)


def test_ground_truth_matches_independent_classification(
    workload: tuple[list[bytes], GroundTruth],
) -> None:
    bodies, truth = workload
    verdicts = [verdict(b) for b in bodies]
    bad = Counter(v for v in verdicts if v != "VALID")
    assert dict(bad) == truth.by_reason
    seen: dict[tuple[str, str], bytes] = {}
    duplicates = 0
    by_type: Counter[str] = Counter()
    for body, result in zip(bodies, verdicts, strict=True):
        if result != "VALID":
            continue
        event = _event(body)
        key = (event["tenant_id"], event["event_id"])
        if key in seen:
            assert body == seen[key], "a duplicate must be a byte-exact copy of the first"
            duplicates += 1
        else:
            seen[key] = body
            by_type[event["event_type"]] += 1
    assert duplicates == truth.duplicates
    assert len(seen) == truth.valid
    assert dict(by_type) == truth.valid_by_event_type


def test_bad_bodies_never_reuse_a_valid_key(workload: tuple[list[bytes], GroundTruth]) -> None:
    bodies, _ = workload
    valid_keys: set[tuple[Any, Any]] = set()
    bad_keys: list[tuple[Any, Any]] = []
    for body in bodies:
        event, _ = _parse(body)
        if not isinstance(event, dict):
            continue
        key = (event.get("tenant_id"), event.get("event_id"))
        if verdict(body) == "VALID":
            valid_keys.add(key)
        else:
            bad_keys.append(key)
    assert not valid_keys.intersection(bad_keys)


def test_every_listed_defect_is_generated(workload: tuple[list[bytes], GroundTruth]) -> None:
    bodies, _ = workload
    details = {problem for body in bodies for problem in problems(body)}
    expected = {
        ("INVALID_JSON", "not utf-8"),
        ("INVALID_JSON", "not json"),
        ("INVALID_JSON", "not an object"),
        ("INVALID_JSON", "duplicate key"),
        ("INVALID_ENVELOPE", "event_id missing"),
        ("INVALID_ENVELOPE", "event_id bad length"),
        ("INVALID_ENVELOPE", "event_version wrong type"),
        ("INVALID_ENVELOPE", "event_version out of range"),
        ("INVALID_ENVELOPE", "event_time bad format"),
        ("INVALID_ENVELOPE", "payload wrong type"),
        ("UNSUPPORTED_VERSION", "temp_humidity v3"),
        ("UNSUPPORTED_VERSION", "rfid_scan v2"),
        ("CONTRACT_VIOLATION", "temperature_c out of range"),
        ("CONTRACT_VIOLATION", "temperature_f out of range"),
        ("CONTRACT_VIOLATION", "humidity_pct out of range"),
        ("CONTRACT_VIOLATION", "temperature_c wrong type"),
        ("CONTRACT_VIOLATION", "humidity_pct missing"),
        ("CONTRACT_VIOLATION", "tag_id bad pattern"),
        ("CONTRACT_VIOLATION", "reader_zone not in enum"),
        ("CONTRACT_VIOLATION", "signal_dbm wrong type"),
        ("CONTRACT_VIOLATION", "signal_dbm out of range"),
        ("CONTRACT_VIOLATION", "battery_pct wrong type"),
    }
    assert expected <= details
    assert {b"[1,2]", b'"x"', b"42"} <= set(bodies)
    assert any(b.startswith(b"\xff\xfe") for b in bodies)


def test_oversized_body_is_just_over_the_limit(workload: tuple[list[bytes], GroundTruth]) -> None:
    bodies, _ = workload
    oversized = [b for b in bodies if len(b) > LIMIT]
    assert [len(b) for b in oversized] == [LIMIT + 1]
    assert problems(oversized[0]) == [("PAYLOAD_TOO_LARGE", f"{LIMIT + 1} bytes")]


def test_valid_events_look_realistic(workload: tuple[list[bytes], GroundTruth]) -> None:
    bodies, _ = workload
    events = [_event(b) for b in bodies if verdict(b) == "VALID"]
    kinds = Counter((e["event_type"], e["event_version"]) for e in events)
    temp = kinds["temp_humidity", 1] + kinds["temp_humidity", 2]
    assert 0.55 <= temp / len(events) <= 0.65
    assert 0.25 <= kinds["temp_humidity", 1] / temp <= 0.35
    assert {e["tenant_id"] for e in events} == TENANTS
    devices = Counter((e["tenant_id"], e["payload"]["device_id"][:2]) for e in events)
    assert len(devices) == 6
    assert len({e["payload"]["device_id"] for e in events if e["tenant_id"] == "acme"}) >= 30
    numbers = [e["payload"]["humidity_pct"] for e in events if e["event_type"] == "temp_humidity"]
    assert {type(n) for n in numbers} == {int, float}
    assert any("source_id" in e for e in events) and any("source_id" not in e for e in events)
    v2 = [e["payload"] for e in events if e["event_version"] == 2]
    assert any("battery_pct" not in p for p in v2) and any("battery_pct" in p for p in v2)
    assert any("firmware_version" not in p for p in v2)
    assert all(e["event_time"].endswith("Z") for e in events)
    times = [_event_time(e) for e in events]
    assert START - timedelta(minutes=31) <= min(times) and max(times) <= START


def test_same_event_id_in_two_tenants(workload: tuple[list[bytes], GroundTruth]) -> None:
    bodies, _ = workload
    tenants_by_id: dict[str, set[str]] = {}
    for body in bodies:
        if verdict(body) == "VALID":
            event = _event(body)
            tenants_by_id.setdefault(event["event_id"], set()).add(event["tenant_id"])
    assert any(len(tenants) > 1 for tenants in tenants_by_id.values())


def test_late_events_near_the_end(workload: tuple[list[bytes], GroundTruth]) -> None:
    bodies, truth = workload
    latest = START - timedelta(days=1)
    late_positions = []
    seen: set[bytes] = set()
    for position, body in enumerate(bodies):
        if verdict(body) != "VALID" or body in seen:
            continue
        seen.add(body)
        event_time = _event_time(_event(body))
        if event_time <= latest - timedelta(minutes=4):
            late_positions.append(position)
        latest = max(latest, event_time)
    assert 0.01 * truth.valid <= len(late_positions) <= 0.03 * truth.valid
    assert min(late_positions) >= 0.85 * len(bodies)


def test_duplicates_land_in_the_same_and_in_later_files(
    workload: tuple[list[bytes], GroundTruth],
) -> None:
    bodies, _ = workload
    files = 8
    first_file: dict[bytes, int] = {}
    same = later = 0
    for position, body in enumerate(bodies):
        file_number = position * files // len(bodies)
        if body in first_file and verdict(body) == "VALID":
            same += first_file[body] == file_number
            later += first_file[body] < file_number
        first_file.setdefault(body, file_number)
    assert same > 0 and later > 0


def test_write_landing_files_splits_in_order(tmp_path: Path) -> None:
    bodies = [f'{{"n":{n}}}'.encode() for n in range(10)] + [b"\xff\xfe{bad"]
    paths = write_landing_files(bodies, tmp_path / "landing", files=3)
    assert [p.name for p in paths] == [
        "events-00000.jsonl",
        "events-00001.jsonl",
        "events-00002.jsonl",
    ]
    assert sorted(p.name for p in (tmp_path / "landing").iterdir()) == [p.name for p in paths]
    contents = [p.read_bytes() for p in paths]
    assert all(c.endswith(b"\n") for c in contents)
    lines = [line for c in contents for line in c.split(b"\n")[:-1]]
    assert lines == bodies
    assert [len(c.split(b"\n")) - 1 for c in contents] == [3, 4, 4]


def test_write_landing_files_never_makes_more_files_than_bodies(tmp_path: Path) -> None:
    paths = write_landing_files([b"{}", b"[]"], tmp_path, files=8)
    assert [p.read_bytes() for p in paths] == [b"{}\n", b"[]\n"]
    with pytest.raises(ValueError, match="files"):
        write_landing_files([b"{}"], tmp_path, files=0)


def test_generate_workload_writes_every_body(tmp_path: Path) -> None:
    truth = generate_workload(tmp_path / "landing", events=1500, seed=5, files=4, start=START)
    bodies, expected = generate_bodies(1500, seed=5, start=START)
    paths = sorted((tmp_path / "landing").iterdir())
    assert [p.name for p in paths] == [f"events-{n:05d}.jsonl" for n in range(4)]
    assert b"".join(p.read_bytes() for p in paths) == b"".join(b + b"\n" for b in bodies)
    assert truth == expected
    assert truth.to_dict() == {
        "total": expected.total,
        "valid": expected.valid,
        "valid_by_event_type": expected.valid_by_event_type,
        "duplicates": expected.duplicates,
        "by_reason": expected.by_reason,
    }
