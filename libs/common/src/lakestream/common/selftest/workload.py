"""The self-test's workload: bodies of the reserved tenant built from the deployment's own
contracts (every event type, every version), and the rows each table must then hold.

Per event type and version: clean events with a payload that satisfies the contract, one
duplicate of the first event, and one body breaking the contract (a required field of the wrong
JSON type). One body of an unknown version goes to the bronze DLQ.
"""

from __future__ import annotations

import importlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lakestream.common.config import (
    SELFTEST_TENANT,
    ContractVersion,
    FieldSpec,
    FieldType,
    Registry,
)
from lakestream.common.reasons import ReasonCode, Stage

SRE_PARSE: Any = importlib.import_module("re._parser")
"""CPython's regex parser; typeshed has a stub for it in some releases only."""
UNKNOWN_VERSION = 999_999
"""``event_version`` of the body that bronze must dead-letter as unsupported."""


@dataclass
class Expected:
    """Rows of the self-test tenant each table must hold once the layers processed the bodies."""

    bronze: int = 0
    silver: Counter[str] = field(default_factory=Counter)
    dlq: Counter[tuple[str, str]] = field(default_factory=Counter)
    gold_events: Counter[str] = field(default_factory=Counter)
    """Per gold product: the sum of ``event_count`` over the tenant's rows."""


@dataclass
class Workload:
    """Bodies in sending order, the ground truth, and what could not be generated."""

    run_id: str
    bodies: list[bytes]
    expected: Expected
    skipped: dict[str, str] = field(default_factory=dict)
    gold_keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per gold product: the key values (besides the tenant) all of this run's rows share."""

    @property
    def event_id_prefix(self) -> str:
        """Every event id of this run starts with it."""
        return f"st-{self.run_id}-"


def _regex_example(pattern: str) -> str | None:
    """A short text that the portable contract regex ``pattern`` matches, or None."""

    def walk(items: Any) -> str | None:
        out = []
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                out.append(chr(arg))
            elif name == "ANY":
                out.append("a")
            elif name == "IN":
                found = _in_example(arg)
                if found is None:
                    return None
                out.append(found)
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, _, sub = arg
                part = walk(sub)
                if part is None:
                    return None
                out.append(part * low)
            elif name == "SUBPATTERN":
                part = walk(arg[-1])
                if part is None:
                    return None
                out.append(part)
            elif name == "BRANCH":
                part = walk(arg[1][0])
                if part is None:
                    return None
                out.append(part)
            elif name == "CATEGORY":
                out.append(_CATEGORY.get(str(arg), ""))
            elif name != "AT":
                return None
        return "".join(out)

    try:
        text = walk(SRE_PARSE.parse(pattern))
    except (re.error, ValueError):
        return None
    return text if text is not None and re.search(pattern, text) else None


_CATEGORY = {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}


def _in_example(items: Any) -> str | None:
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            return None
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY" and str(arg) in _CATEGORY:
            return _CATEGORY[str(arg)]
    return None


def _fits_text(spec: FieldSpec, text: str) -> bool:
    if spec.regex is not None and not re.search(spec.regex, text):
        return False
    if spec.min_length is not None and len(text) < spec.min_length:
        return False
    return spec.max_length is None or len(text) <= spec.max_length


def _number(spec: FieldSpec, integer: bool) -> float | int | None:
    low, high = spec.min, spec.max
    if low is not None and high is not None:
        value: float = (low + high) / 2
    elif low is not None:
        value = low + 1
    elif high is not None:
        value = high - 1
    else:
        value = 1
    if not integer:
        return value
    whole = math.floor(value)
    if (low is not None and whole < low) or (high is not None and whole > high):
        whole = math.ceil(value)
    if (low is not None and whole < low) or (high is not None and whole > high):
        return None
    return int(whole)


def sample_value(spec: FieldSpec, hint: str, moment: datetime) -> Any:
    """A value of ``spec`` that its rules accept (``hint`` first for text), or None."""
    if spec.enum is not None:
        return spec.enum[0]
    if spec.type is FieldType.STRING:
        for text in (hint, _regex_example(spec.regex) if spec.regex else None, "a"):
            if text is not None and _fits_text(spec, text):
                return text
        if spec.min_length and not spec.regex:
            return "a" * spec.min_length
        return None
    if spec.type in (FieldType.INTEGER, FieldType.DOUBLE):
        return _number(spec, spec.type is FieldType.INTEGER)
    if spec.type is FieldType.BOOLEAN:
        return True
    if spec.format is None:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


def sample_payload(
    contract: ContractVersion, hint: str, moment: datetime
) -> tuple[dict[str, Any] | None, str]:
    """A payload every rule of ``contract`` accepts, or None and the field that stopped it."""
    payload: dict[str, Any] = {}
    for spec in contract.fields:
        value = sample_value(spec, hint, moment)
        if value is None and spec.required:
            return None, spec.name
        if value is not None:
            payload[spec.name] = value
    return payload, ""


def _wrong_type(payload: dict[str, Any], contract: ContractVersion) -> dict[str, Any] | None:
    for spec in contract.fields:
        if spec.required:
            wrong = 12345 if spec.type in (FieldType.STRING, FieldType.TIMESTAMP) else "x"
            return {**payload, spec.name: wrong}
    return None


def build(registry: Registry, run_id: str, now: datetime, per_version: int = 5) -> Workload:
    """The self-test bodies of ``run_id`` for every event type and version of ``registry``."""
    bodies: list[bytes] = []
    expected = Expected()
    skipped: dict[str, str] = {}
    serial = 0

    def body(event_type: str, version: int, payload: dict[str, Any], event_id: str) -> bytes:
        envelope = {
            "event_id": event_id,
            "tenant_id": SELFTEST_TENANT,
            "event_type": event_type,
            "event_version": version,
            "event_time": (now - timedelta(seconds=serial % 600)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source_id": f"lakestream-selftest-{run_id}",
            "payload": payload,
        }
        return json.dumps(envelope, separators=(",", ":")).encode()

    products = {p.source_event_type: name for name, p in registry.products.items()}
    key_values: dict[str, list[dict[str, Any]]] = {}
    for event_type in registry.event_types():
        for version in registry.versions(event_type):
            contract = registry.contract(event_type, version)
            assert contract is not None
            payload, blocking = sample_payload(contract, f"st{run_id}", now)
            if payload is None:
                skipped[f"{event_type} v{version}"] = (
                    f"no value of required field {blocking!r} could be generated"
                )
                continue
            if event_type in products:
                keys = registry.products[products[event_type]].keys
                key_values.setdefault(products[event_type], []).append(
                    {k: payload.get(k) for k in keys if k != "tenant_id"}
                )
            first = None
            for _ in range(per_version):
                serial += 1
                encoded = body(event_type, version, payload, f"st-{run_id}-{serial}")
                first = first or encoded
                bodies.append(encoded)
                expected.silver[event_type] += 1
                if event_type in products:
                    expected.gold_events[products[event_type]] += 1
            assert first is not None
            bodies.append(first)
            broken = _wrong_type(payload, contract)
            if broken is not None:
                serial += 1
                bodies.append(body(event_type, version, broken, f"st-{run_id}-{serial}"))
                expected.dlq[(Stage.SILVER.value, ReasonCode.CONTRACT_VIOLATION.value)] += 1
            expected.bronze += per_version + 1 + (broken is not None)
    if bodies:
        serial += 1
        first_type = registry.event_types()[0]
        bodies.append(body(first_type, UNKNOWN_VERSION, {}, f"st-{run_id}-{serial}"))
        expected.dlq[(Stage.BRONZE.value, ReasonCode.UNSUPPORTED_VERSION.value)] += 1
    gold_keys = {
        product: values[0]
        for product, values in key_values.items()
        if all(v == values[0] and None not in v.values() for v in values)
    }
    for product in set(expected.gold_events) - set(gold_keys):
        del expected.gold_events[product]
        skipped[f"gold/{product}"] = (
            "the run's events share no key values, so its rows are not checked"
        )
    return Workload(run_id, bodies, expected, skipped, gold_keys)
