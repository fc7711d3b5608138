"""Silver payload validation: every rule type, every failed rule listed, upcasts, device registry.

Each scenario builds one DataFrame with all its payloads and collects it once (module fixtures);
the tests then check one row each.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import functions as F

from lakestream.common.config import Registry, load_registry
from lakestream.silver.validation import VIOLATIONS, validate_payloads

pytestmark = pytest.mark.spark

INPUT_SCHEMA = (
    "tenant_id string, event_id string, event_type string, event_version int, payload_json string"
)
INPUT_COLUMNS = ["tenant_id", "event_id", "event_type", "event_version", "payload_json"]

Payload = dict[str, Any] | str | None
Spec = tuple[str, str, int | None, Payload]  # event_id, tenant_id, event_version, payload


def frame(spark: SparkSession, event_type: str, specs: list[Spec]) -> DataFrame:
    rows = [
        (
            tenant,
            event_id,
            event_type,
            version,
            p if p is None or isinstance(p, str) else json.dumps(p),
        )
        for event_id, tenant, version, p in specs
    ]
    return spark.createDataFrame(rows, INPUT_SCHEMA)


def validate(
    spark: SparkSession, registry: Registry, event_type: str, specs: list[Spec]
) -> dict[str, Row]:
    """Validate, render timestamps as UTC text (``<col>_utc``), collect once, key by event_id."""
    out = validate_payloads(frame(spark, event_type, specs), registry, event_type)
    for f in out.schema.fields:
        if f.dataType.simpleString() == "timestamp":
            out = out.withColumn(f"{f.name}_utc", F.date_format(f.name, "yyyy-MM-dd'T'HH:mm:ss"))
    rows = {r["event_id"]: r for r in out.collect()}
    assert len(rows) == len(specs), "every input row comes out exactly once"
    return rows


def fields_of(violations: list[str]) -> list[str]:
    """The field each violation message names (the text before the first ':')."""
    return [v.split(":")[0] for v in violations]


# ---- the shipped temp_humidity contract (v1 -> v2) ---------------------------------------------

OK2: dict[str, Any] = {"device_id": "th-1", "temperature_c": 21.5, "humidity_pct": 40}


def v2(**changes: Any) -> dict[str, Any]:
    body = dict(OK2)
    for key, value in changes.items():
        if value is ...:
            body.pop(key)
        else:
            body[key] = value
    return body


def v1(temperature_f: Any, **extra: Any) -> dict[str, Any]:
    return {"device_id": "th-1", "temperature_f": temperature_f, "humidity_pct": 55, **extra}


# event_id -> (version, payload, violated fields, fragments each violation must contain)
TH: dict[str, tuple[int, Payload, list[str], list[str]]] = {
    "valid": (2, OK2, [], []),
    "valid-int-and-decimal": (2, v2(temperature_c=21, humidity_pct=40.25), [], []),
    "valid-all-optional": (2, v2(battery_pct=0, firmware_version="1.2.3"), [], []),
    "valid-bounds-low": (2, v2(temperature_c=-60, humidity_pct=0, battery_pct=0), [], []),
    "valid-bounds-high": (2, v2(temperature_c=80, humidity_pct=100, battery_pct=100), [], []),
    "valid-optional-null": (2, v2(battery_pct=None, firmware_version=None), [], []),
    "valid-extra-field": (2, v2(colour="red"), [], []),
    "number-as-string": (2, v2(temperature_c="21.5"), ["temperature_c"], ["double", "STRING"]),
    "optional-number-as-string": (2, v2(battery_pct="90"), ["battery_pct"], ["double", "STRING"]),
    "optional-string-as-number": (
        2,
        v2(firmware_version=1.2),
        ["firmware_version"],
        ["string"],
    ),
    "string-as-number": (2, v2(device_id=5), ["device_id"], ["string"]),
    "number-as-bool": (2, v2(temperature_c=True), ["temperature_c"], ["BOOLEAN"]),
    "number-as-object": (2, v2(humidity_pct={"v": 1}), ["humidity_pct"], ["double"]),
    "required-missing": (2, v2(temperature_c=...), ["temperature_c"], ["missing"]),
    "required-null": (2, v2(temperature_c=None), ["temperature_c"], ["missing"]),
    "above-max": (2, v2(temperature_c=80.5), ["temperature_c"], ["80.5", "max 80"]),
    "below-min": (2, v2(temperature_c=-60.1), ["temperature_c"], ["-60.1", "min -60"]),
    "optional-above-max": (2, v2(battery_pct=100.01), ["battery_pct"], ["max 100"]),
    "regex-device": (2, v2(device_id="-bad"), ["device_id"], ["-bad", "does not match"]),
    "regex-firmware-short": (2, v2(firmware_version="1.2"), ["firmware_version"], ["1.2"]),
    "regex-firmware-prefix": (2, v2(firmware_version="v1.2.3"), ["firmware_version"], []),
    "regex-firmware-suffix": (2, v2(firmware_version="1.2.3-rc1"), ["firmware_version"], []),
    "three-at-once": (
        2,
        {"device_id": "th-1", "temperature_c": "hot", "humidity_pct": 101, "battery_pct": -1},
        ["temperature_c", "humidity_pct", "battery_pct"],
        [],
    ),
    "everything-wrong": (
        2,
        {"temperature_c": 100, "humidity_pct": -1, "firmware_version": "x"},
        ["device_id", "temperature_c", "humidity_pct", "firmware_version"],
        [],
    ),
    "empty-payload": (2, {}, ["device_id", "temperature_c", "humidity_pct"], ["missing"]),
    "null-payload": (2, None, ["device_id", "temperature_c", "humidity_pct"], ["missing"]),
    "v1-freezing": (1, v1(32), [], []),
    "v1-minus-40": (1, v1(-40), [], []),
    "v1-fifty": (1, v1(50.0), [], []),
    "v1-body": (1, v1(98.6), [], []),
    "v1-max": (1, v1(176), [], []),
    "v1-min": (1, v1(-76), [], []),
    "v1-above-max": (1, v1(177), ["temperature_f"], ["max 176"]),
    "v1-string": (1, v1("50"), ["temperature_f"], ["STRING"]),
    "v1-with-v2-field": (
        1,
        {"device_id": "th-1", "temperature_c": 10, "humidity_pct": 50},
        ["temperature_f"],
        ["missing"],
    ),
    "v1-extra-v2-optional": (1, v1(50, battery_pct=77), [], []),
    "v3-unknown": (3, OK2, ["no contract for temp_humidity v3 in the current configuration"], []),
    "v0-unknown": (0, OK2, ["no contract for temp_humidity v0 in the current configuration"], []),
}


@pytest.fixture(scope="module")
def th(spark: SparkSession, registry: Registry) -> dict[str, Row]:
    specs: list[Spec] = [(eid, "acme", version, p) for eid, (version, p, _, _) in TH.items()]
    return validate(spark, registry, "temp_humidity", specs)


@pytest.mark.parametrize("event_id", list(TH))
def test_temp_humidity_violations(th: dict[str, Row], event_id: str) -> None:
    _, _, expected_fields, fragments = TH[event_id]
    violations = th[event_id][VIOLATIONS]
    assert fields_of(violations) == expected_fields, violations
    for fragment in fragments:
        assert all(fragment in v for v in violations), (fragment, violations)


def test_output_columns(spark: SparkSession, registry: Registry) -> None:
    out = validate_payloads(frame(spark, "temp_humidity", []), registry, "temp_humidity")
    assert out.columns == [
        *INPUT_COLUMNS,
        "device_id",
        "temperature_c",
        "humidity_pct",
        "battery_pct",
        "firmware_version",
        VIOLATIONS,
    ]
    types = {f.name: f.dataType.simpleString() for f in out.schema.fields}
    assert types[VIOLATIONS] == "array<string>"
    assert types["temperature_c"] == "double"
    assert types["event_version"] == "int"


def test_input_columns_are_kept_unchanged(th: dict[str, Row]) -> None:
    row = th["v1-freezing"]
    assert (row["tenant_id"], row["event_type"], row["event_version"]) == (
        "acme",
        "temp_humidity",
        1,
    )
    assert json.loads(row["payload_json"]) == v1(32)


def test_typed_values_of_valid_rows(th: dict[str, Row]) -> None:
    row = th["valid-all-optional"]
    assert (row["device_id"], row["temperature_c"], row["humidity_pct"]) == ("th-1", 21.5, 40.0)
    assert (row["battery_pct"], row["firmware_version"]) == (0.0, "1.2.3")
    row = th["valid-int-and-decimal"]
    assert (row["temperature_c"], row["humidity_pct"]) == (21.0, 40.25)
    assert isinstance(row["temperature_c"], float)
    assert th["valid-optional-null"]["battery_pct"] is None


def test_wrong_type_is_null_typed_value_and_a_violation(th: dict[str, Row]) -> None:
    """Never a silent null: the typed column is null *and* the violation is recorded."""
    for event_id, column in [
        ("number-as-string", "temperature_c"),
        ("optional-number-as-string", "battery_pct"),
        ("string-as-number", "device_id"),
    ]:
        row = th[event_id]
        assert row[column] is None
        assert row[VIOLATIONS]


@pytest.mark.parametrize(
    ("event_id", "celsius"),
    [
        ("v1-freezing", 0.0),
        ("v1-minus-40", -40.0),
        ("v1-fifty", 10.0),
        ("v1-max", 80.0),
        ("v1-min", -60.0),
    ],
)
def test_upcast_v1_to_v2_exact(th: dict[str, Row], event_id: str, celsius: float) -> None:
    row = th[event_id]
    assert row["temperature_c"] == celsius
    assert (row["device_id"], row["humidity_pct"]) == ("th-1", 55.0)
    assert (row["battery_pct"], row["firmware_version"]) == (None, None)


def test_upcast_fractional_fahrenheit(th: dict[str, Row]) -> None:
    assert th["v1-body"]["temperature_c"] == pytest.approx(37.0, abs=1e-9)


def test_upcast_takes_nothing_from_v2_fields_in_a_v1_payload(th: dict[str, Row]) -> None:
    assert th["v1-with-v2-field"]["temperature_c"] is None
    assert th["v1-extra-v2-optional"]["battery_pct"] is None


def test_upcast_of_invalid_v1_row_still_lists_the_v1_violation(th: dict[str, Row]) -> None:
    row = th["v1-above-max"]
    assert row["temperature_c"] == pytest.approx((177 - 32) * 5 / 9)
    assert fields_of(row[VIOLATIONS]) == ["temperature_f"]


def test_unknown_version_gets_null_fields(th: dict[str, Row]) -> None:
    row = th["v3-unknown"]
    assert [row[c] for c in ("device_id", "temperature_c", "humidity_pct")] == [None] * 3


def test_violation_messages_show_the_value(th: dict[str, Row]) -> None:
    assert th["regex-device"][VIOLATIONS] == [
        "device_id: -bad does not match ^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
    ]
    assert th["required-missing"][VIOLATIONS] == ["temperature_c: required field is missing"]


def test_null_version_row_is_not_dropped(spark: SparkSession, registry: Registry) -> None:
    df = frame(spark, "temp_humidity", [("n1", "acme", None, OK2), ("n2", "acme", 2, OK2)])
    rows = validate_payloads(df, registry, "temp_humidity").collect()
    assert sorted(r["event_id"] for r in rows) == ["n1", "n2"]
    assert next(r for r in rows if r["event_id"] == "n1")[VIOLATIONS]


def test_payload_json_that_is_not_json_is_a_violation(
    spark: SparkSession, registry: Registry
) -> None:
    df = frame(spark, "temp_humidity", [("j1", "acme", 2, '{"device_id":'), ("j2", "acme", 2, OK2)])
    rows = {r["event_id"]: r for r in validate_payloads(df, registry, "temp_humidity").collect()}
    assert rows["j1"][VIOLATIONS][0] == "payload: not valid JSON"
    assert rows["j2"][VIOLATIONS] == []


# ---- the shipped rfid_scan contract ------------------------------------------------------------

TAG = "0123456789abcdefABCDEF00"
OKR: dict[str, Any] = {"device_id": "rf-1", "tag_id": TAG, "reader_zone": "dock", "signal_dbm": -40}

RF: dict[str, tuple[dict[str, Any], list[str]]] = {
    "valid": (OKR, []),
    "valid-aisle-0": ({**OKR, "reader_zone": "aisle", "signal_dbm": 0}, []),
    "valid-exit-min": ({**OKR, "reader_zone": "exit", "signal_dbm": -100}, []),
    # Documented behaviour: an integral decimal (-40.0) is accepted for an integer field.
    "integral-decimal": ({**OKR, "signal_dbm": -40.0}, []),
    "fraction": ({**OKR, "signal_dbm": 12.5}, ["signal_dbm"]),
    "integer-as-string": ({**OKR, "signal_dbm": "-40"}, ["signal_dbm"]),
    "integer-overflow": ({**OKR, "signal_dbm": 99999999999999999999}, ["signal_dbm"]),
    "below-min": ({**OKR, "signal_dbm": -101}, ["signal_dbm"]),
    "above-max": ({**OKR, "signal_dbm": 1}, ["signal_dbm"]),
    "tag-short": ({**OKR, "tag_id": TAG[:-1]}, ["tag_id"]),
    "tag-long": ({**OKR, "tag_id": TAG + "0"}, ["tag_id"]),
    "tag-not-hex": ({**OKR, "tag_id": "g" * 24}, ["tag_id"]),
    "enum-unknown": ({**OKR, "reader_zone": "roof"}, ["reader_zone"]),
    "enum-case": ({**OKR, "reader_zone": "DOCK"}, ["reader_zone"]),
    "enum-number": ({**OKR, "reader_zone": 1}, ["reader_zone"]),
    "three-at-once": (
        {"device_id": "rf-1", "tag_id": "xyz", "reader_zone": "roof", "signal_dbm": 12.5},
        ["tag_id", "reader_zone", "signal_dbm"],
    ),
}


@pytest.fixture(scope="module")
def rf(spark: SparkSession, registry: Registry) -> dict[str, Row]:
    return validate(spark, registry, "rfid_scan", [(k, "globex", 1, p) for k, (p, _) in RF.items()])


@pytest.mark.parametrize("event_id", list(RF))
def test_rfid_violations(rf: dict[str, Row], event_id: str) -> None:
    assert fields_of(rf[event_id][VIOLATIONS]) == RF[event_id][1], rf[event_id][VIOLATIONS]


def test_rfid_typed_values(rf: dict[str, Row]) -> None:
    assert rf["valid"]["signal_dbm"] == -40
    assert rf["integral-decimal"]["signal_dbm"] == -40
    assert rf["fraction"]["signal_dbm"] is None
    assert rf["integer-overflow"]["signal_dbm"] is None
    assert rf["enum-unknown"][VIOLATIONS] == ["reader_zone: roof not in ['dock', 'aisle', 'exit']"]
    assert "-101" in rf["below-min"][VIOLATIONS][0]


# ---- a custom contract with every other rule type ----------------------------------------------

TENANTS = {
    "acme": "devices: [d-1, d-2]\n",
    "globex": "",
}
GADGET_V1 = r"""event_type: gadget
version: 1
fields:
  device_id:
    type: string
    required: true
  name:
    type: string
    min_length: 2
    max_length: 5
  active:
    type: boolean
    required: true
  level:
    type: integer
    enum: [1, 2, 3]
  ratio:
    type: double
    enum: [0.5, 1, .inf]  # a non-finite enum value must still compile to valid SQL
  quoted:
    type: string
    enum: ["it's", 'back\slash']
  code:
    type: string
    regex: '^\d+''s$'
  seen_at:
    type: timestamp
    format: 'yyyy-MM-dd HH:mm:ss'
  at:
    type: timestamp
"""
METER = {
    1: """event_type: meter
version: 1
fields:
  device_id: {type: string, required: true}
  wh: {type: integer, required: true, min: 0}
upcast:
  to_version: 2
  set:
    kwh: wh / 1000
""",
    2: """event_type: meter
version: 2
fields:
  device_id: {type: string, required: true}
  kwh: {type: double, required: true}
  phase: {type: string, enum: [L1, L2, L3]}
upcast:
  to_version: 3
""",
    3: """event_type: meter
version: 3
fields:
  device_id: {type: string, required: true}
  kwh: {type: double, required: true}
  phase: {type: string, enum: [L1, L2, L3]}
  voltage: {type: double}
""",
}


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """tenants acme (with a device registry) and globex (without); contracts gadget, meter."""
    root = tmp_path_factory.mktemp("custom") / "config"
    (root / "tenants").mkdir(parents=True)
    for tenant, extra in TENANTS.items():
        (root / "tenants" / f"{tenant}.yml").write_text(
            f"tenant_id: {tenant}\ndisplay_name: {tenant.title()}\n"
            f"allowed_event_types: [gadget, meter]\n{extra}",
            encoding="utf-8",
        )
    (root / "contracts" / "gadget").mkdir(parents=True)
    (root / "contracts" / "gadget" / "v1.yml").write_text(GADGET_V1, encoding="utf-8")
    (root / "contracts" / "meter").mkdir(parents=True)
    for version, text in METER.items():
        (root / "contracts" / "meter" / f"v{version}.yml").write_text(text, encoding="utf-8")
    return load_registry(Path(root))


OKG: dict[str, Any] = {"device_id": "d-1", "active": True}

# event_id -> (tenant, payload, violated fields)
GADGET: dict[str, tuple[str, dict[str, Any], list[str]]] = {
    "valid": ("acme", OKG, []),
    "valid-false": ("acme", {**OKG, "active": False}, []),
    "bool-as-string": ("acme", {**OKG, "active": "true"}, ["active"]),
    "bool-as-number": ("acme", {**OKG, "active": 1}, ["active"]),
    "bool-null-required": ("acme", {**OKG, "active": None}, ["active"]),
    "length-ok-2": ("acme", {**OKG, "name": "ab"}, []),
    "length-ok-5": ("acme", {**OKG, "name": "abcde"}, []),
    "length-ok-5-multibyte": ("acme", {**OKG, "name": "ééééé"}, []),
    "length-short": ("acme", {**OKG, "name": "a"}, ["name"]),
    "length-empty": ("acme", {**OKG, "name": ""}, ["name"]),
    "length-long": ("acme", {**OKG, "name": "abcdef"}, ["name"]),
    "int-enum-ok": ("acme", {**OKG, "level": 2}, []),
    "int-enum-integral-decimal": ("acme", {**OKG, "level": 3.0}, []),
    "int-enum-out": ("acme", {**OKG, "level": 4}, ["level"]),
    "int-enum-fraction": ("acme", {**OKG, "level": 12.5}, ["level"]),
    "int-enum-string": ("acme", {**OKG, "level": "2"}, ["level"]),
    "double-enum-ok": ("acme", {**OKG, "ratio": 0.5}, []),
    "double-enum-int": ("acme", {**OKG, "ratio": 1}, []),
    "double-enum-out": ("acme", {**OKG, "ratio": 0.25}, ["ratio"]),
    "quoted-enum-quote": ("acme", {**OKG, "quoted": "it's"}, []),
    "quoted-enum-backslash": ("acme", {**OKG, "quoted": "back\\slash"}, []),
    "quoted-enum-out": ("acme", {**OKG, "quoted": "its"}, ["quoted"]),
    "quoted-enum-unescaped": ("acme", {**OKG, "quoted": "backslash"}, ["quoted"]),
    "regex-quote-ok": ("acme", {**OKG, "code": "12's"}, []),
    "regex-quote-out": ("acme", {**OKG, "code": "12s"}, ["code"]),
    "ts-format-ok": ("acme", {**OKG, "seen_at": "2026-11-25 10:00:30"}, []),
    "ts-format-iso": ("acme", {**OKG, "seen_at": "2026-11-25T10:00:30Z"}, ["seen_at"]),
    "ts-format-number": ("acme", {**OKG, "seen_at": 5}, ["seen_at"]),
    "ts-offset": ("acme", {**OKG, "at": "2026-11-25T12:00:30+02:00"}, []),
    "ts-zulu": ("acme", {**OKG, "at": "2026-11-25T10:00:30.5Z"}, []),
    "ts-garbage": ("acme", {**OKG, "at": "garbage"}, ["at"]),
    "ts-number": ("acme", {**OKG, "at": 1764064830}, ["at"]),
    "device-listed-2": ("acme", {**OKG, "device_id": "d-2"}, []),
    "device-unlisted": ("acme", {**OKG, "device_id": "d-9"}, ["device_id"]),
    "device-unlisted-other-tenant": ("globex", {**OKG, "device_id": "d-9"}, []),
    "four-at-once": (
        "acme",
        {"name": 5, "level": 12.5, "active": None},
        ["device_id", "name", "active", "level"],
    ),
}


@pytest.fixture(scope="module")
def gadget(spark: SparkSession, custom: Registry) -> dict[str, Row]:
    specs: list[Spec] = [(k, t, 1, p) for k, (t, p, _) in GADGET.items()]
    specs += [
        ("time-only", "acme", 1, {**OKG, "at": "10:00:30"}),
    ]
    return validate(spark, custom, "gadget", specs)


@pytest.mark.parametrize("event_id", list(GADGET))
def test_custom_rule_violations(gadget: dict[str, Row], event_id: str) -> None:
    violations = gadget[event_id][VIOLATIONS]
    assert fields_of(violations) == GADGET[event_id][2], violations


def test_custom_typed_values(gadget: dict[str, Row]) -> None:
    assert gadget["valid"]["active"] is True
    assert gadget["valid-false"]["active"] is False
    assert gadget["bool-as-string"]["active"] is None
    assert gadget["int-enum-integral-decimal"]["level"] == 3
    assert gadget["double-enum-int"]["ratio"] == 1.0
    assert gadget["quoted-enum-backslash"]["quoted"] == "back\\slash"
    assert gadget["ts-format-ok"]["seen_at_utc"] == "2026-11-25T10:00:30"
    assert gadget["ts-offset"]["at_utc"] == "2026-11-25T10:00:30"
    assert gadget["ts-zulu"]["at_utc"] == "2026-11-25T10:00:30"
    assert gadget["ts-garbage"]["at"] is None


def test_custom_messages(gadget: dict[str, Row]) -> None:
    assert gadget["length-short"][VIOLATIONS] == ["name: shorter than 2 characters"]
    assert gadget["length-long"][VIOLATIONS] == ["name: longer than 5 characters"]
    assert gadget["int-enum-out"][VIOLATIONS] == ["level: 4 not in [1, 2, 3]"]
    assert "BOOLEAN" not in gadget["bool-as-string"][VIOLATIONS][0]
    assert "boolean" in gadget["bool-as-string"][VIOLATIONS][0]
    assert gadget["device-unlisted"][VIOLATIONS] == [
        "device_id: d-9 is not in the device registry of tenant acme"
    ]


def test_timestamp_without_format_rejects_time_only(gadget: dict[str, Row]) -> None:
    assert fields_of(gadget["time-only"][VIOLATIONS]) == ["at"]


def test_timestamp_with_format_violation_names_the_format(gadget: dict[str, Row]) -> None:
    message = gadget["ts-format-iso"][VIOLATIONS][0]
    assert "yyyy-MM-dd HH:mm:ss" in message
    assert "RFC 3339" not in message


def test_upcast_chain_v1_v2_v3(spark: SparkSession, custom: Registry) -> None:
    rows = validate(
        spark,
        custom,
        "meter",
        [
            ("m1", "globex", 1, {"device_id": "x", "wh": 1500}),
            ("m1-bad", "globex", 1, {"device_id": "x", "wh": -1}),
            ("m2", "globex", 2, {"device_id": "x", "kwh": 2.25, "phase": "L2"}),
            ("m2-bad", "globex", 2, {"device_id": "x", "kwh": 2, "phase": "L4"}),
            ("m3", "globex", 3, {"device_id": "x", "kwh": 3, "phase": "L3", "voltage": 230}),
            ("m3-registry", "acme", 3, {"device_id": "x", "kwh": 3}),
        ],
    )

    def values(event_id: str) -> tuple[Any, ...]:
        r = rows[event_id]
        return (r["device_id"], r["kwh"], r["phase"], r["voltage"], list(r[VIOLATIONS]))

    assert values("m1") == ("x", 1.5, None, None, [])
    assert values("m1-bad") == ("x", -0.001, None, None, ["wh: -1 < min 0.0"])
    assert values("m2") == ("x", 2.25, "L2", None, [])
    assert values("m2-bad")[:2] == ("x", 2.0)
    assert fields_of(values("m2-bad")[4]) == ["phase"]
    assert values("m3") == ("x", 3.0, "L3", 230.0, [])
    assert fields_of(values("m3-registry")[4]) == ["device_id"]
    assert list(validate_payloads(frame(spark, "meter", []), custom, "meter").columns) == [
        *INPUT_COLUMNS,
        "device_id",
        "kwh",
        "phase",
        "voltage",
        VIOLATIONS,
    ]
