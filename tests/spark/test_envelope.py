"""Bronze admission: every reason code, their precedence, the parsed envelope values.

All bodies of the shipped-config cases go through ``parse_envelope`` in one DataFrame, collected
once per module; each test then looks at its own row.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from typing import Any

import pytest
from pyspark.sql import Row, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StringType, TimestampType

from lakestream.bronze.envelope import ENVELOPE_COLUMNS, MAX_DEPTH, MAX_EVENT_ID, parse_envelope
from lakestream.common.config import Registry, load_registry

pytestmark = pytest.mark.spark

LIMIT = 4096
DROP = object()
PAYLOAD: dict[str, Any] = {"device_id": "th-1", "temperature_c": 21.5, "humidity_pct": 40}
VALID: dict[str, Any] = {
    "event_id": "e1",
    "tenant_id": "acme",
    "event_type": "temp_humidity",
    "event_version": 2,
    "event_time": "2026-11-25T10:00:30Z",
    "payload": PAYLOAD,
}
HEAD = (
    b'"tenant_id":"acme","event_type":"temp_humidity","event_version":2,'
    b'"event_time":"2026-11-25T10:00:30Z"'
)


def env(**changes: Any) -> dict[str, Any]:
    """The valid envelope with fields changed (``DROP`` removes one)."""
    body = dict(VALID)
    for key, value in changes.items():
        if value is DROP:
            body.pop(key)
        else:
            body[key] = value
    return body


def enc(**changes: Any) -> bytes:
    return json.dumps(env(**changes), separators=(",", ":"), ensure_ascii=False).encode()


def raw(event_id: bytes = b'"e1"', payload: bytes = b"{}", version: bytes = b"2") -> bytes:
    """A body assembled from raw JSON text, for what json.dumps cannot write."""
    head = HEAD.replace(b'"event_version":2', b'"event_version":' + version)
    return b'{"event_id":' + event_id + b"," + head + b',"payload":' + payload + b"}"


def nested(depth: int) -> bytes:
    """A valid envelope nesting exactly ``depth`` levels (the body and payload are two)."""
    inner = depth - 2
    return raw(payload=b'{"x":' + b"[" * inner + b"]" * inner + b"}")


def sized(n: int) -> bytes:
    """A valid envelope of exactly ``n`` bytes (padding in source_id)."""
    base = enc(source_id="")
    body = enc(source_id="s" * (n - len(base)))
    assert len(body) == n
    return body


@dataclass(frozen=True)
class Case:
    id: str
    body: bytes
    reason: str | None
    detail: tuple[str, ...] = ()


def case(id: str, body: bytes, reason: str | None, *detail: str) -> Case:
    return Case(id, body, reason, detail)


NOT_UTF8 = "body is not valid UTF-8"
NOT_JSON = "body is not valid JSON"
NOT_OBJECT = "body is JSON but not an object"
SURROGATE = "unpaired surrogate"
DEEP = f"deeper than {MAX_DEPTH} levels"
INFINITE = "beyond the double range"

CASES: list[Case] = [
    # ---- admitted --------------------------------------------------------------------------
    case("valid", enc(), None),
    case("valid-source-id", enc(source_id="gw-7"), None),
    case("valid-source-id-null", enc(source_id=None), None),
    case("valid-leading-whitespace", b" \t\r\n" + enc(), None),
    case("valid-trailing-newline", enc() + b"\n", None),
    case("valid-unicode-escapes", raw(event_id=b'"\\u00e9\\ud83d\\ude00"'), None),
    case("valid-utf8-literal", enc(event_id="é😀"), None),
    case("valid-event-id-128", enc(event_id="x" * MAX_EVENT_ID), None),
    case("valid-event-id-128-emoji", enc(event_id="😀" * MAX_EVENT_ID), None),
    case("valid-offset-fraction", enc(event_time="2026-11-25T12:00:30.123456+02:00"), None),
    case("valid-negative-offset", enc(event_time="2026-11-25T23:30:00-05:30"), None),
    case("valid-nanoseconds", enc(event_time="2026-11-25T10:00:30.123456789Z"), None),
    case("valid-v1", enc(event_version=1), None),
    case("valid-rfid", enc(event_type="rfid_scan", event_version=1), None),
    case("valid-globex", enc(tenant_id="globex"), None),
    case("valid-version-2.0", raw(version=b"2.0"), None),
    case("valid-version-2.00", raw(version=b"2.00"), None),
    case("valid-empty-payload", raw(payload=b"{}"), None),
    case(
        "valid-numbers",
        raw(payload=b'{"i":21,"d":40.25,"neg":-0.5,"big":12345678901234567890,"s":"\\"}"}'),
        None,
    ),
    case("valid-at-limit", sized(LIMIT), None),
    # ---- PAYLOAD_TOO_LARGE (first, whatever else is wrong) ---------------------------------
    case(
        "too-large-valid", sized(LIMIT + 1), "PAYLOAD_TOO_LARGE", f"{LIMIT + 1} bytes", str(LIMIT)
    ),
    case("too-large-invalid-json", b"{" + b"x" * LIMIT, "PAYLOAD_TOO_LARGE", f"{LIMIT + 1} bytes"),
    case("too-large-invalid-utf8", b"\xff" * (LIMIT + 5), "PAYLOAD_TOO_LARGE", f"{LIMIT + 5}"),
    case(
        "too-large-counts-bytes-not-chars",
        enc(source_id="é" * (LIMIT // 2)),
        "PAYLOAD_TOO_LARGE",
        "bytes",
    ),
    # ---- INVALID_JSON ----------------------------------------------------------------------
    case("utf8-ff-fe", b"\xff\xfe", "INVALID_JSON", NOT_UTF8),
    case(
        "utf8-in-valid-envelope",
        enc(source_id="x").replace(b'"x"', b'"\xc3\x28"'),
        "INVALID_JSON",
        NOT_UTF8,
    ),
    case("utf8-overlong", raw(event_id=b'"\xc0\xaf"'), "INVALID_JSON", NOT_UTF8),
    case("utf8-surrogate", raw(event_id=b'"\xed\xa0\x80"'), "INVALID_JSON", NOT_UTF8),
    case("utf8-bom", b"\xef\xbb\xbf" + enc(), "INVALID_JSON"),
    case("truncated", enc()[:-1], "INVALID_JSON", NOT_JSON),
    case("truncated-half", enc()[:20], "INVALID_JSON", NOT_JSON),
    case("empty", b"", "INVALID_JSON", NOT_JSON),
    case("whitespace-only", b" \t\r\n ", "INVALID_JSON", NOT_JSON),
    case("array", b"[1,2]", "INVALID_JSON", NOT_OBJECT),
    case("array-of-envelope", b"[" + enc() + b"]", "INVALID_JSON", NOT_OBJECT),
    case("string", b'"acme"', "INVALID_JSON", NOT_OBJECT),
    case("number", b"42", "INVALID_JSON", NOT_OBJECT),
    case("null", b"null", "INVALID_JSON", NOT_OBJECT),
    case("true", b"true", "INVALID_JSON", NOT_OBJECT),
    case("false", b" false", "INVALID_JSON", NOT_OBJECT),
    case("duplicate-key", enc()[:-1] + b',"tenant_id":"globex"}', "INVALID_JSON", NOT_JSON),
    case("duplicate-key-in-payload", raw(payload=b'{"a":1,"a":2}'), "INVALID_JSON", NOT_JSON),
    case("duplicate-key-nested", raw(payload=b'{"a":[{"b":1,"b":2}]}'), "INVALID_JSON", NOT_JSON),
    case("single-quotes", b"{'event_id':'e1'}", "INVALID_JSON", NOT_JSON),
    case("trailing-comma", raw(payload=b'{"a":1,}'), "INVALID_JSON", NOT_JSON),
    case("nan", raw(payload=b'{"a":NaN}'), "INVALID_JSON", NOT_JSON),
    case("leading-zero", raw(payload=b'{"a":01}'), "INVALID_JSON", NOT_JSON),
    case("raw-control-char", raw(event_id=b'"a\nb"'), "INVALID_JSON", NOT_JSON),
    case("nul-prefix", b"\x00" + enc(), "INVALID_JSON"),
    case(
        "trailing-garbage",
        enc() + b" trailing",
        "INVALID_JSON",
        NOT_JSON,
    ),
    case(
        "two-objects",
        enc() + enc(event_id="e2"),
        "INVALID_JSON",
        NOT_JSON,
    ),
    # ---- refused although the parser accepts it (decision 0086) ---------------------------
    case("trailing-bracket", enc() + b"]", "INVALID_JSON", NOT_JSON),
    case("trailing-bracket-object", enc() + b' ] {"a":1}', "INVALID_JSON", NOT_JSON),
    case("trailing-bracket-comma", enc() + b"],[1", "INVALID_JSON", NOT_JSON),
    case("trailing-brace", enc() + b"}", "INVALID_JSON", NOT_JSON),
    case("valid-arrays-in-payload", raw(payload=b'{"a":[1,[2,{"b":[]}]]}'), None),
    case("surrogate-lone-high", raw(event_id=b'"x\\ud800"'), "INVALID_JSON", SURROGATE),
    case("surrogate-lone-low", raw(event_id=b'"x\\uDC00y"'), "INVALID_JSON", SURROGATE),
    case("surrogate-reversed", raw(event_id=b'"\\ude00\\ud83d"'), "INVALID_JSON", SURROGATE),
    case("surrogate-in-payload", raw(payload=b'{"a":"\\udbff"}'), "INVALID_JSON", SURROGATE),
    case("surrogate-in-key", raw(payload=b'{"\\ud800":1}'), "INVALID_JSON", SURROGATE),
    case(
        "surrogate-after-escaped-backslash",
        raw(event_id=b'"x\\\\\\ud800"'),
        "INVALID_JSON",
        SURROGATE,
    ),
    case("valid-escaped-backslash-then-ud800", raw(event_id=b'"x\\\\ud800"'), None),
    case("depth-limit", nested(MAX_DEPTH), None),
    case("depth-over-limit", nested(MAX_DEPTH + 1), "INVALID_JSON", DEEP),
    case("depth-objects", raw(payload=b'{"a":' * 70 + b"1" + b"}" * 70), "INVALID_JSON", DEEP),
    case("depth-beyond-parser", nested(1500), "INVALID_JSON", NOT_JSON),
    case(
        "valid-many-shallow-brackets",
        raw(payload=b'{"a":[' + b",".join([b"[]"] * 99) + b"]}"),
        None,
    ),
    case("valid-brackets-in-strings", raw(payload=b'{"a":"' + b"[{" * 99 + b'\\"\\\\"}'), None),
    case("number-1e309", raw(payload=b'{"temperature_c":1e309}'), "INVALID_JSON", INFINITE),
    case("number-minus-1e309", raw(payload=b'{"a":[-1e309]}'), "INVALID_JSON", INFINITE),
    case("number-400-digits", raw(payload=b'{"device_id":' + b"9" * 400 + b"}"), "INVALID_JSON"),
    case("valid-number-1e308", raw(payload=b'{"a":1e308,"b":-1e308,"c":1e-400,"d":-0}'), None),
    case("valid-string-infinity", raw(payload=b'{"a":"Infinity","b":["-Infinity"]}'), None),
    # ---- INVALID_ENVELOPE, one broken field at a time --------------------------------------
    case("event-id-missing", enc(event_id=DROP), "INVALID_ENVELOPE", "event_id"),
    case("event-id-null", enc(event_id=None), "INVALID_ENVELOPE", "event_id"),
    case("event-id-empty", enc(event_id=""), "INVALID_ENVELOPE", "event_id", "1..128"),
    case("event-id-129", enc(event_id="x" * 129), "INVALID_ENVELOPE", "event_id", "1..128"),
    case("event-id-129-emoji", enc(event_id="😀" * 129), "INVALID_ENVELOPE", "event_id"),
    case("event-id-number", enc(event_id=5), "INVALID_ENVELOPE", "event_id", "string"),
    case("event-id-object", enc(event_id={"a": 1}), "INVALID_ENVELOPE", "event_id"),
    case("tenant-missing", enc(tenant_id=DROP), "INVALID_ENVELOPE", "tenant_id", "string"),
    case("tenant-null", enc(tenant_id=None), "INVALID_ENVELOPE", "tenant_id"),
    case("tenant-number", enc(tenant_id=1), "INVALID_ENVELOPE", "tenant_id"),
    case("tenant-array", enc(tenant_id=["acme"]), "INVALID_ENVELOPE", "tenant_id"),
    case("type-missing", enc(event_type=DROP), "INVALID_ENVELOPE", "event_type", "string"),
    case("type-bool", enc(event_type=True), "INVALID_ENVELOPE", "event_type"),
    case("version-missing", enc(event_version=DROP), "INVALID_ENVELOPE", "event_version"),
    case("version-string", enc(event_version="2"), "INVALID_ENVELOPE", "event_version", "integer"),
    case("version-zero", enc(event_version=0), "INVALID_ENVELOPE", "event_version", ">= 1"),
    case("version-negative", enc(event_version=-1), "INVALID_ENVELOPE", "event_version"),
    case("version-fraction", enc(event_version=1.5), "INVALID_ENVELOPE", "event_version"),
    case("version-bool", enc(event_version=True), "INVALID_ENVELOPE", "event_version"),
    case("version-exponent", raw(version=b"2e0"), "INVALID_ENVELOPE", "event_version"),
    # Documented behaviour: beyond a 32-bit int the version is rejected as an envelope error.
    case("version-huge", raw(version=b"99999999999"), "INVALID_ENVELOPE", "event_version"),
    case("time-missing", enc(event_time=DROP), "INVALID_ENVELOPE", "event_time", "RFC 3339"),
    case("time-no-offset", enc(event_time="2026-11-25T10:00:30"), "INVALID_ENVELOPE", "event_time"),
    case("time-date-only", enc(event_time="2026-11-25"), "INVALID_ENVELOPE", "event_time"),
    case("time-number", enc(event_time=1764064830), "INVALID_ENVELOPE", "event_time"),
    case("time-space", enc(event_time="2026-11-25 10:00:30Z"), "INVALID_ENVELOPE", "event_time"),
    case("time-feb-30", enc(event_time="2026-02-30T10:00:30Z"), "INVALID_ENVELOPE", "event_time"),
    case(
        "time-offset-25h",
        enc(event_time="2026-11-25T10:00:30+25:00"),
        "INVALID_ENVELOPE",
        "event_time",
    ),
    case(
        "time-10-fraction-digits",
        enc(event_time="2026-11-25T10:00:30.1234567891Z"),
        "INVALID_ENVELOPE",
        "event_time",
    ),
    case("time-time-only", enc(event_time="10:00:30"), "INVALID_ENVELOPE", "event_time"),
    case(
        "time-lowercase-t-z",
        enc(event_time="2026-11-25t10:00:30z"),
        None,
    ),
    case("time-year-0", enc(event_time="0000-01-01T00:00:00Z"), "INVALID_ENVELOPE", "event_time"),
    case(
        "time-year-1-east",
        enc(event_time="0001-01-01T00:00:00+01:00"),
        "INVALID_ENVELOPE",
        "event_time",
        "0001..9999",
    ),
    case(
        "time-year-9999-west",
        enc(event_time="9999-12-31T23:59:59-14:00"),
        "INVALID_ENVELOPE",
        "event_time",
    ),
    case(
        "time-leap-second", enc(event_time="2016-12-31T23:59:60Z"), "INVALID_ENVELOPE", "event_time"
    ),
    case("valid-time-first", enc(event_time="0001-01-01T00:00:00Z"), None),
    case("valid-time-last", enc(event_time="9999-12-31T23:59:59.999999999Z"), None),
    case("source-id-number", enc(source_id=5), "INVALID_ENVELOPE", "source_id", "string"),
    case("source-id-object", enc(source_id={}), "INVALID_ENVELOPE", "source_id"),
    case("payload-missing", enc(payload=DROP), "INVALID_ENVELOPE", "payload", "object"),
    case("payload-array", enc(payload=[PAYLOAD]), "INVALID_ENVELOPE", "payload", "object"),
    case("payload-string", enc(payload=json.dumps(PAYLOAD)), "INVALID_ENVELOPE", "payload"),
    case("payload-null", enc(payload=None), "INVALID_ENVELOPE", "payload"),
    case("payload-number", enc(payload=1), "INVALID_ENVELOPE", "payload"),
    # ---- UNKNOWN_TENANT / UNKNOWN_EVENT_TYPE / UNSUPPORTED_VERSION ---------------------------
    case("tenant-unknown", enc(tenant_id="umbrella"), "UNKNOWN_TENANT", "umbrella", "onboarded"),
    case("tenant-case", enc(tenant_id="ACME"), "UNKNOWN_TENANT", "ACME"),
    case("tenant-empty", enc(tenant_id=""), "UNKNOWN_TENANT"),
    case("type-unknown", enc(event_type="door_open"), "UNKNOWN_EVENT_TYPE", "door_open", "acme"),
    case("type-case", enc(event_type="TEMP_HUMIDITY"), "UNKNOWN_EVENT_TYPE", "TEMP_HUMIDITY"),
    case("type-empty", enc(event_type=""), "UNKNOWN_EVENT_TYPE", "acme"),
    case("version-3", enc(event_version=3), "UNSUPPORTED_VERSION", "temp_humidity", "v3"),
    case(
        "version-rfid-2",
        enc(event_type="rfid_scan", event_version=2),
        "UNSUPPORTED_VERSION",
        "no contract for rfid_scan v2",
    ),
    # ---- precedence --------------------------------------------------------------------------
    case(
        "prec-envelope-over-tenant",
        enc(tenant_id="umbrella", event_id=""),
        "INVALID_ENVELOPE",
        "event_id",
    ),
    case(
        "prec-envelope-over-version",
        enc(event_version=3, payload=[]),
        "INVALID_ENVELOPE",
        "payload",
    ),
    case(
        "prec-tenant-over-type-and-version",
        enc(tenant_id="umbrella", event_type="door_open", event_version=9),
        "UNKNOWN_TENANT",
        "umbrella",
    ),
    case(
        "prec-type-over-version",
        enc(event_type="door_open", event_version=9),
        "UNKNOWN_EVENT_TYPE",
        "door_open",
    ),
]
BY_ID = {c.id: c for c in CASES}
# The multi-byte case is over the limit in bytes only: in characters it fits.
assert len(BY_ID["too-large-counts-bytes-not-chars"].body.decode()) < LIMIT
assert len(BY_ID) == len(CASES), "case ids must be unique"


def params(cases: list[Case]) -> list[Any]:
    return [pytest.param(c, id=c.id) for c in cases]


@pytest.fixture(scope="module")
def parsed(spark: SparkSession, registry: Registry) -> dict[str, Row]:
    """Every case through parse_envelope, once; event_time as UTC text.

    As text because PySpark cannot hand 0001-01-01T00:00:00Z to Python (``fromtimestamp``).
    """
    df = spark.createDataFrame([(c.id, c.body) for c in CASES], "id string, body binary")
    out = (
        parse_envelope(df, registry, LIMIT)
        .withColumn("event_time_utc", F.date_format("event_time", "yyyy-MM-dd'T'HH:mm:ss.SSSSSS"))
        .withColumn("event_time", F.col("event_time").cast("string"))
    )
    rows = {r["id"]: r for r in out.collect()}
    assert len(rows) == len(CASES)
    return rows


@pytest.mark.parametrize("c", params(CASES))
def test_reason_code(parsed: dict[str, Row], c: Case) -> None:
    row = parsed[c.id]
    assert row["reason_code"] == c.reason, (row["reason_code"], row["reason_detail"])
    if c.reason is None:
        assert row["reason_detail"] is None
    else:
        assert row["reason_detail"], "every rejection explains itself"
    detail = str(row["reason_detail"])
    for fragment in c.detail:
        assert fragment in detail, detail


@pytest.mark.parametrize(
    "c",
    params([c for c in CASES if c.reason == "INVALID_ENVELOPE" and not c.id.startswith("prec")]),
)
def test_single_envelope_error_names_only_its_field(parsed: dict[str, Row], c: Case) -> None:
    detail = parsed[c.id]["reason_detail"]
    field = c.detail[0]
    assert detail.startswith(f"{field}: "), detail
    assert "; " not in detail, f"one broken field must give one message: {detail}"


def test_body_is_kept_and_output_columns(spark: SparkSession, registry: Registry) -> None:
    df = spark.createDataFrame([(b"x",)], "body binary")
    out = parse_envelope(df, registry, LIMIT)
    assert sorted(out.columns) == sorted(["body", *ENVELOPE_COLUMNS])
    types = {f.name: f.dataType for f in out.schema.fields}
    assert types["event_version"] == IntegerType()
    assert types["event_time"] == TimestampType()
    assert types["payload_json"] == StringType()


def test_several_broken_fields_are_all_listed(spark: SparkSession, registry: Registry) -> None:
    body = json.dumps(
        {"event_id": 5, "tenant_id": "acme", "event_version": "2", "source_id": 1, "payload": []}
    ).encode()
    df = spark.createDataFrame([(body,)], "body binary")
    row = parse_envelope(df, registry, LIMIT).collect()[0]
    assert row["reason_code"] == "INVALID_ENVELOPE"
    messages = row["reason_detail"].split("; ")
    assert [m.split(":")[0] for m in messages] == [
        "event_id",
        "event_type",
        "event_version",
        "event_time",
        "source_id",
        "payload",
    ]


def test_empty_object_body(spark: SparkSession, registry: Registry) -> None:
    df = spark.createDataFrame([(b"{}",), (b'{"a":1}',)], "body binary")
    for row in parse_envelope(df, registry, LIMIT).collect():
        assert row["reason_code"] == "INVALID_ENVELOPE"
        fields = [m.split(":")[0] for m in row["reason_detail"].split("; ")]
        assert fields == [
            "event_id",
            "tenant_id",
            "event_type",
            "event_version",
            "event_time",
            "payload",
        ]


def test_admitted_values(parsed: dict[str, Row]) -> None:
    row = parsed["valid"]
    assert row["tenant_id"] == "acme"
    assert row["event_type"] == "temp_humidity"
    assert row["event_version"] == 2
    assert row["event_id"] == "e1"
    assert row["event_time_utc"] == "2026-11-25T10:00:30.000000"
    assert row["source_id"] is None
    assert json.loads(row["payload_json"]) == PAYLOAD
    assert parsed["valid-source-id"]["source_id"] == "gw-7"
    assert parsed["valid-source-id-null"]["source_id"] is None
    assert parsed["valid-rfid"]["event_type"] == "rfid_scan"
    assert parsed["valid-v1"]["event_version"] == 1


def test_leading_whitespace_does_not_change_values(parsed: dict[str, Row]) -> None:
    a, b = parsed["valid"], parsed["valid-leading-whitespace"]
    keys = [c for c in ENVELOPE_COLUMNS if c != "reason_detail"]
    assert [a[k] for k in keys] == [b[k] for k in keys]


@pytest.mark.parametrize(
    ("case_id", "utc"),
    [
        ("valid-offset-fraction", "2026-11-25T10:00:30.123456"),
        ("valid-negative-offset", "2026-11-26T05:00:00.000000"),
        # Spark keeps microseconds: the 7th-9th fraction digits are truncated, not rounded.
        ("valid-nanoseconds", "2026-11-25T10:00:30.123456"),
    ],
)
def test_event_time_is_converted_to_utc(parsed: dict[str, Row], case_id: str, utc: str) -> None:
    assert parsed[case_id]["reason_code"] is None
    assert parsed[case_id]["event_time_utc"] == utc


def test_edge_event_times_are_kept(parsed: dict[str, Row]) -> None:
    assert parsed["valid-time-first"]["event_time_utc"] == "0001-01-01T00:00:00.000000"
    assert parsed["valid-time-last"]["event_time_utc"] == "9999-12-31T23:59:59.999999"
    assert parsed["time-year-9999-west"]["event_time"] is None


def test_unicode_event_ids(parsed: dict[str, Row]) -> None:
    assert parsed["valid-unicode-escapes"]["event_id"] == "é😀"
    assert parsed["valid-utf8-literal"]["event_id"] == "é😀"
    assert parsed["valid-event-id-128-emoji"]["event_id"] == "😀" * MAX_EVENT_ID


@pytest.mark.parametrize("case_id", ["valid-version-2.0", "valid-version-2.00"])
def test_integral_decimal_version_is_accepted_as_integer(
    parsed: dict[str, Row], case_id: str
) -> None:
    """Documented behaviour: 2.0 (an integral JSON decimal) counts as the integer 2; 2e0 (a JSON
    double) and 1.5 do not."""
    assert parsed[case_id]["reason_code"] is None
    assert parsed[case_id]["event_version"] == 2
    assert parsed["version-exponent"]["event_version"] is None
    assert parsed["version-fraction"]["event_version"] is None


def test_payload_numbers_keep_integer_and_decimal(parsed: dict[str, Row]) -> None:
    payload = json.loads(parsed["valid-numbers"]["payload_json"])
    assert payload == {"i": 21, "d": 40.25, "neg": -0.5, "big": 12345678901234567890, "s": '"}'}
    assert type(payload["i"]) is int
    assert type(payload["big"]) is int
    assert type(payload["d"]) is float
    assert json.loads(parsed["valid-empty-payload"]["payload_json"]) == {}


def test_rejected_bodies_extract_nothing_they_cannot_trust(parsed: dict[str, Row]) -> None:
    for case_id in ("too-large-valid", "utf8-ff-fe", "array", "duplicate-key", "empty"):
        row = parsed[case_id]
        values = [row[c] for c in ENVELOPE_COLUMNS if c not in ("reason_code", "reason_detail")]
        assert values == [None] * len(values), case_id


def test_envelope_error_keeps_the_good_fields(parsed: dict[str, Row]) -> None:
    """For the DLQ: what could be read is still reported (tenant, type, version)."""
    row = parsed["event-id-empty"]
    assert (row["tenant_id"], row["event_type"], row["event_version"]) == (
        "acme",
        "temp_humidity",
        2,
    )
    assert parsed["version-string"]["event_version"] is None
    assert parsed["event-id-number"]["event_id"] is None


def test_limit_is_a_parameter(spark: SparkSession, registry: Registry) -> None:
    body = enc()
    df = spark.createDataFrame([(body,)], "body binary")
    at = parse_envelope(df, registry, len(body)).collect()[0]
    below = parse_envelope(df, registry, len(body) - 1).collect()[0]
    assert at["reason_code"] is None
    assert below["reason_code"] == "PAYLOAD_TOO_LARGE"
    assert below["reason_detail"] == (f"body is {len(body)} bytes; the limit is {len(body) - 1}")


@pytest.fixture(scope="module")
def narrow_registry(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Registry:
    """The shipped config, except that initech may only send temp_humidity."""
    config = tmp_path_factory.mktemp("config") / "config"
    shutil.copytree(registry.config_dir, config)
    tenant = config / "tenants" / "initech.yml"
    text = tenant.read_text(encoding="utf-8")
    old = "allowed_event_types: [temp_humidity, rfid_scan]"
    assert old in text
    tenant.write_text(text.replace(old, "allowed_event_types: [temp_humidity]"), encoding="utf-8")
    return load_registry(config)


def test_event_type_not_allowed_for_tenant(spark: SparkSession, narrow_registry: Registry) -> None:
    bodies = {
        "initech-rfid": enc(tenant_id="initech", event_type="rfid_scan", event_version=1),
        "initech-rfid-v9": enc(tenant_id="initech", event_type="rfid_scan", event_version=9),
        "initech-th": enc(tenant_id="initech"),
        "acme-rfid": enc(tenant_id="acme", event_type="rfid_scan", event_version=1),
        "globex-rfid": enc(tenant_id="globex", event_type="rfid_scan", event_version=1),
    }
    df = spark.createDataFrame(list(bodies.items()), "id string, body binary")
    rows = {r["id"]: r for r in parse_envelope(df, narrow_registry, LIMIT).collect()}
    assert rows["initech-rfid"]["reason_code"] == "UNKNOWN_EVENT_TYPE"
    assert rows["initech-rfid"]["reason_detail"] == (
        "event_type rfid_scan is not allowed for tenant initech"
    )
    assert rows["initech-rfid-v9"]["reason_code"] == "UNKNOWN_EVENT_TYPE"
    for ok in ("initech-th", "acme-rfid", "globex-rfid"):
        assert rows[ok]["reason_code"] is None, (ok, rows[ok]["reason_detail"])
