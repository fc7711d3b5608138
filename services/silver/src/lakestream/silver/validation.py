"""Payload validation against versioned contracts, compiled to Spark SQL (no per-row Python).

For each (event_type, version): every field's presence, JSON type and rules become boolean
failure conditions with a message; rows then go through the upcast chain to the latest version.
The result holds the input columns, the latest version's typed fields and ``_violations``
(every failed rule; empty when the payload is valid).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from itertools import pairwise

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from lakestream.common.config import ContractVersion, FieldSpec, FieldType, Registry
from lakestream.common.sql import (
    RFC3339,
    in_timestamp_range,
    is_present,
    kind_is_integer,
    kind_is_number,
    lit,
    messages,
    variant_kind,
)
from lakestream.common.tables.schemas import SPARK_TYPES

VIOLATIONS = "_violations"
_IN = "_in"
_NOT_JSON = "_not_json"
_SQL_TYPE = {
    FieldType.STRING: "string",
    FieldType.INTEGER: "bigint",
    FieldType.DOUBLE: "double",
    FieldType.BOOLEAN: "boolean",
    FieldType.TIMESTAMP: "timestamp",
}


@dataclass(frozen=True)
class _Slot:
    """Columns holding one payload field, extracted once per row: its VARIANT and JSON type."""

    raw: str
    kind: str


def _slots(contract: ContractVersion) -> dict[str, _Slot]:
    return {f.name: _Slot(f"_r{i}", f"_k{i}") for i, f in enumerate(contract.fields)}


def _type_ok(field: FieldSpec, slot: _Slot) -> str:
    if field.type is FieldType.STRING:
        return f"{slot.kind} = 'STRING'"
    if field.type is FieldType.INTEGER:
        return (
            f"({kind_is_integer(slot.kind)} AND "
            f"try_variant_get({slot.raw}, '$', 'bigint') IS NOT NULL)"
        )
    if field.type is FieldType.DOUBLE:
        return kind_is_number(slot.kind)
    if field.type is FieldType.BOOLEAN:
        return f"{slot.kind} = 'BOOLEAN'"
    return f"({slot.kind} = 'STRING' AND {_parse_timestamp(field, slot)} IS NOT NULL)"


def _parse_timestamp(field: FieldSpec, slot: _Slot) -> str:
    """SQL: the field's timestamp, NULL unless it parses and lies in years 0001..9999 UTC."""
    text = f"variant_get({slot.raw}, '$', 'string')"
    if field.format:
        parsed = f"try_to_timestamp({text}, {lit(field.format)})"
    else:
        parsed = (
            f"CASE WHEN {text} RLIKE {lit(RFC3339)} THEN try_cast(upper({text}) AS timestamp) END"
        )
    return f"CASE WHEN {in_timestamp_range(parsed)} THEN {parsed} END"


def _typed(field: FieldSpec, slot: _Slot) -> str:
    value = (
        _parse_timestamp(field, slot)
        if field.type is FieldType.TIMESTAMP
        else f"variant_get({slot.raw}, '$', '{_SQL_TYPE[field.type]}')"
    )
    return f"CASE WHEN {is_present(slot.raw)} AND {_type_ok(field, slot)} THEN {value} END"


def _describe(field: FieldSpec) -> str:
    if field.type is not FieldType.TIMESTAMP:
        return f"a JSON {field.type.value}"
    if field.format:
        return f"a timestamp string in format {field.format}"
    return "an RFC 3339 timestamp string"


def field_rules(field: FieldSpec, raw: str, kind: str) -> list[tuple[str, str]]:
    """(failure condition, message) pairs for one field.

    ``raw`` and ``kind`` name the columns holding the field's VARIANT and its JSON type; the
    typed value is column ``name``.
    """
    name, slot = field.name, _Slot(raw, kind)
    value = f"`{name}`"
    shown = f"coalesce(CAST({value} AS string), 'null')"
    rules: list[tuple[str, str]] = []
    if field.required:
        rules.append((f"NOT {is_present(raw)}", lit(f"{name}: required field is missing")))
    rules.append(
        (
            f"{is_present(raw)} AND NOT ({_type_ok(field, slot)})",
            f"concat({lit(f'{name}: expected {_describe(field)}, got ')}, {kind})",
        )
    )
    for bound, op, word in ((field.min, "<", "min"), (field.max, ">", "max")):
        if bound is not None:
            rules.append(
                (
                    f"{value} {op} {bound!r}",
                    f"concat({lit(name + ': ')}, {shown}, ' {op} {word} {bound!r}')",
                )
            )
    if field.regex is not None:
        rules.append(
            (
                f"NOT ({value} RLIKE {lit(field.regex)})",
                f"concat({lit(name + ': ')}, {shown}, {lit(' does not match ' + field.regex)})",
            )
        )
    if field.enum is not None:
        allowed = ", ".join(lit(v) for v in field.enum)
        rules.append(
            (
                f"NOT ({value} IN ({allowed}))",
                f"concat({lit(name + ': ')}, {shown}, {lit(f' not in {list(field.enum)}')})",
            )
        )
    if field.min_length is not None:
        rules.append(
            (
                f"char_length({value}) < {field.min_length}",
                lit(f"{name}: shorter than {field.min_length} characters"),
            )
        )
    if field.max_length is not None:
        rules.append(
            (
                f"char_length({value}) > {field.max_length}",
                lit(f"{name}: longer than {field.max_length} characters"),
            )
        )
    return rules


def _device_registry_rule(registry: Registry, contract: ContractVersion) -> list[tuple[str, str]]:
    if contract.field("device_id") is None:
        return []
    listed = {t.tenant_id: t.devices for t in registry.tenants.values() if t.devices}
    if not listed:
        return []
    cases = " ".join(
        f"WHEN {lit(t)} THEN device_id IN ({', '.join(lit(d) for d in devices)})"
        for t, devices in sorted(listed.items())
    )
    return [
        (
            f"device_id IS NOT NULL AND NOT (CASE tenant_id {cases} ELSE TRUE END)",
            "concat('device_id: ', device_id, ' is not in the device registry of tenant ', "
            "tenant_id)",
        )
    ]


def _validate_version(df: DataFrame, registry: Registry, contract: ContractVersion) -> DataFrame:
    """Typed fields and violations of one contract version.

    Each field's VARIANT and JSON type are extracted once into their own columns; the rules
    then read those columns instead of walking the payload again for every rule.
    """
    inputs = df.columns
    slots = _slots(contract)
    extracted = df.withColumn("_p", F.expr("try_parse_json(payload_json)")).select(
        F.struct(*inputs).alias(_IN),
        F.col("tenant_id"),
        F.expr("payload_json IS NOT NULL AND _p IS NULL").alias(_NOT_JSON),
        *[
            column
            for f in contract.fields
            for column in (
                F.expr(f"variant_get(_p, {lit('$.' + f.name)})").alias(slots[f.name].raw),
                F.expr(variant_kind(f"variant_get(_p, {lit('$.' + f.name)})")).alias(
                    slots[f.name].kind
                ),
            )
        ],
    )
    slot_columns = [c for slot in slots.values() for c in (slot.raw, slot.kind)]
    typed = extracted.select(
        _IN,
        "tenant_id",
        _NOT_JSON,
        *slot_columns,
        *[F.expr(_typed(f, slots[f.name])).alias(f.name) for f in contract.fields],
    )
    # A payload_json that is not JSON (not written by bronze) is a violation, never a failed batch.
    rules = [(_NOT_JSON, lit("payload: not valid JSON"))]
    rules += [
        r for f in contract.fields for r in field_rules(f, slots[f.name].raw, slots[f.name].kind)
    ]
    rules += _device_registry_rule(registry, contract)
    return typed.select(_IN, *contract.field_names, F.expr(messages(rules)).alias(VIOLATIONS))


def _upcast(df: DataFrame, source: ContractVersion, target: ContractVersion) -> DataFrame:
    assert source.upcast is not None
    columns: list[Column] = []
    for field in target.fields:
        dtype = SPARK_TYPES[field.type]
        if field.name in source.upcast.set:
            value = F.expr(source.upcast.set[field.name])
        elif source.field(field.name) is not None:
            value = F.col(field.name)
        else:
            value = F.lit(None)
        columns.append(value.cast(dtype).alias(field.name))
    return df.select(_IN, *columns, VIOLATIONS)


def validate_payloads(df: DataFrame, registry: Registry, event_type: str) -> DataFrame:
    """Validate and upcast rows of one event type (columns ``event_version``, ``payload_json``).

    Rows whose version has no contract in the current configuration get a violation.
    """
    latest = registry.latest(event_type)
    parts = []
    for version in registry.versions(event_type):
        chain = registry.upcast_chain(event_type, version)
        part = _validate_version(df.where(F.col("event_version") == version), registry, chain[0])
        for source, target in pairwise(chain):
            part = _upcast(part, source, target)
        parts.append(part)
    known = F.coalesce(F.col("event_version").isin(registry.versions(event_type)), F.lit(False))
    unknown = df.where(~known).select(
        F.struct(*df.columns).alias(_IN),
        *[F.lit(None).cast(SPARK_TYPES[f.type]).alias(f.name) for f in latest.fields],
        F.array(
            F.concat(
                F.lit(f"no contract for {event_type} v"),
                F.coalesce(F.col("event_version").cast("string"), F.lit("(none)")),
                F.lit(" in the current configuration"),
            )
        ).alias(VIOLATIONS),
    )
    merged = reduce(DataFrame.unionByName, parts, unknown)
    return merged.select(f"{_IN}.*", *latest.field_names, VIOLATIONS)
