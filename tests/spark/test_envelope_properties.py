"""Property-based hostile input for bronze: Spark's verdict equals an independent Python oracle.

Bodies are random bytes, or envelopes whose every field is valid, missing or a JSON value of a
random type, sometimes with trailing data. For each body the bronze reason (or admission) from
``parse_envelope`` must equal the first bronze reason the oracle in ``test_demo_workload`` finds.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import SparkSession

from lakestream.bronze.envelope import parse_envelope
from lakestream.common.config import Registry
from tests.unit.test_demo_workload import problems

pytestmark = pytest.mark.spark

BRONZE_ORDER = (
    "PAYLOAD_TOO_LARGE",
    "INVALID_JSON",
    "INVALID_ENVELOPE",
    "UNKNOWN_TENANT",
    "UNKNOWN_EVENT_TYPE",
    "UNSUPPORTED_VERSION",
)
ADMITTED = "ADMITTED"
MISSING = object()

UTF8 = st.characters(codec="utf-8")
"""Any character UTF-8 can encode (no lone surrogates)."""
text = st.text(alphabet=UTF8, max_size=40)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | text
    | st.floats(allow_nan=False, allow_infinity=False, width=32).filter(
        lambda f: not f.is_integer()
    )
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3)
)
times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.isoformat().replace("+00:00", "Z"))
payloads = st.fixed_dictionaries(
    {
        "device_id": st.just("th-1"),
        "temperature_c": st.integers(-60, 80),
        "humidity_pct": st.just(40),
    }
)


def field(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field value: valid (most often), missing, or any JSON value."""
    return st.one_of(valid, valid, st.just(MISSING), json_values)


envelopes = st.fixed_dictionaries(
    {
        "event_id": field(st.text(alphabet=UTF8, min_size=1, max_size=140)),
        "tenant_id": field(st.sampled_from(["acme", "globex", "initech", "hooli"])),
        "event_type": field(st.sampled_from(["temp_humidity", "rfid_scan", "door_open"])),
        "event_version": field(st.sampled_from([1, 2, 3, 0, -1])),
        "event_time": field(times),
        "source_id": st.one_of(st.just(MISSING), text, json_values),
        "payload": field(payloads),
    }
)


def encode(envelope: dict[str, Any], trailing: str, ascii_only: bool) -> bytes:
    """Serialise the envelope without its missing fields, plus optional trailing data."""
    present = {k: v for k, v in envelope.items() if v is not MISSING}
    return (json.dumps(present, ensure_ascii=ascii_only) + trailing).encode("utf-8")


bodies = st.one_of(
    st.binary(max_size=64),
    st.builds(
        encode, envelopes, st.sampled_from(["", "", "", " ", "\n", " x", "{}"]), st.booleans()
    ),
)


def expected(body: bytes) -> str:
    """The first bronze reason the independent oracle finds, or admission."""
    found = {reason for reason, _ in problems(body)}
    return next((reason for reason in BRONZE_ORDER if reason in found), ADMITTED)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(bodies, min_size=1, max_size=40))
def test_every_body_gets_the_oracles_bronze_verdict(
    spark: SparkSession, registry: Registry, batch: list[bytes]
) -> None:
    frame = spark.createDataFrame([(b,) for b in batch], "body binary")
    rows = parse_envelope(frame, registry, 1_048_576).select("body", "reason_code").collect()
    assert len(rows) == len(batch)
    for row in rows:
        body = bytes(row["body"])
        assert (row["reason_code"] or ADMITTED) == expected(body), body
