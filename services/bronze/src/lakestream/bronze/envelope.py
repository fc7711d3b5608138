"""Envelope parsing and bronze admission rules, compiled to Spark SQL (DESIGN.md, "Event envelope").

Every body gets exactly one outcome: admitted (reason_code NULL) or one bronze reason code, in
the order of DESIGN.md's table, with ``reason_detail`` naming every failed envelope rule.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakestream.common.config import Registry
from lakestream.common.reasons import ReasonCode
from lakestream.common.sql import (
    RFC3339,
    in_list,
    in_timestamp_range,
    is_present,
    kind_is_integer,
    lit,
    messages,
    variant_kind,
)

MAX_EVENT_ID = 128
MAX_DEPTH = 64
"""Deepest nesting of arrays and objects a body may have (decision 0086)."""
BOUND_TENANTS = "bound_tenants"  # optional input column: tenants the source is bound to

ENVELOPE_COLUMNS = (
    "tenant_id",
    "event_type",
    "event_version",
    "event_id",
    "event_time",
    "source_id",
    "payload_json",
    "reason_code",
    "reason_detail",
)


_SCALARS = ("event_id", "tenant_id", "event_type", "event_version", "event_time", "source_id")


def _raw(name: str) -> str:
    """Column holding envelope field ``name`` as a VARIANT (extracted once per row)."""
    return f"_r_{name}"


def _kind(name: str) -> str:
    """Column holding the JSON type of envelope field ``name``."""
    return f"_k_{name}"


def _text(name: str) -> str:
    """Column holding envelope field ``name`` when it is a JSON string, else NULL."""
    return f"_s_{name}"


_BACKSLASH_PAIR = r"\\\\"
_ESCAPED_QUOTE = r'\\"'
_STRING = r'"[^"]*"'
_NOT_BRACKET = r"[^\[\]{}]"
_EMPTY_PAIR = r"\[\]|\{\}"
_SURROGATE = r"(?i)\\ud[89a-f][0-9a-f]{2}"
_SURROGATE_PAIR = r"(?i)\\ud[89ab][0-9a-f]{2}\\ud[c-f][0-9a-f]{2}"


def _too_deep(text: str) -> str:
    """SQL: the JSON text nests arrays/objects deeper than ``MAX_DEPTH`` (for valid JSON only).

    Escaped backslashes, escaped quotes, strings and every non-bracket character are removed;
    each pass then drops every innermost ``[]``/``{}`` pair, so brackets remain after
    ``MAX_DEPTH`` passes exactly when the depth exceeds it. Only bodies with more than
    ``MAX_DEPTH`` opening brackets are examined. Simple patterns only: no regex recursion.
    """
    opening = f"octet_length({text}) - octet_length(replace(replace({text}, '[', ''), '{{', ''))"
    brackets = text
    for pattern in (_BACKSLASH_PAIR, _ESCAPED_QUOTE, _STRING, _NOT_BRACKET):
        brackets = f"regexp_replace({brackets}, {lit(pattern)}, '')"
    for _ in range(MAX_DEPTH):
        brackets = f"regexp_replace({brackets}, {lit(_EMPTY_PAIR)}, '')"
    return f"({opening} > {MAX_DEPTH} AND {brackets} != '')"


def _lone_surrogate(text: str) -> str:
    """SQL: the JSON text has a ``\\uD800``..``\\uDFFF`` escape that is not part of a pair.

    Such a code point has no UTF-8 form: the parser would turn it into ``?`` and distinct event
    ids would merge. Escaped backslashes are removed first, so ``\\\\ud800`` is plain text.
    """
    unescaped = f"regexp_replace({text}, {lit(_BACKSLASH_PAIR)}, '')"
    unpaired = f"regexp_replace({unescaped}, {lit(_SURROGATE_PAIR)}, '')"
    escaped = f"contains({text}, {lit(chr(92))})"
    return f"({escaped} AND {text} RLIKE {lit(_SURROGATE)} AND {unpaired} RLIKE {lit(_SURROGATE)})"


def _infinite_number(payload: str, text: str) -> str:
    """SQL: the payload holds a number beyond the double range (it parsed as +-Infinity).

    ``to_json`` writes such a double as the string ``"Infinity"`` (``text`` is that rendering),
    so re-parsing it changes the JSON type at that place; a payload without it is not re-parsed.
    """
    return (
        f"(contains({text}, 'Infinity\"') AND "
        f"schema_of_variant({payload}) != schema_of_variant(parse_json({text})))"
    )


def _refused(text: str, json: str, payload_text: str) -> str:
    """SQL: why valid JSON is still refused as INVALID_JSON (decision 0086), or NULL."""
    surrogate = r"body has an unpaired surrogate escape (\ud800..\udfff), which UTF-8 cannot encode"
    deep = f"body nests arrays and objects deeper than {MAX_DEPTH} levels"
    infinite = "payload has a number beyond the double range (about 1.8e308)"
    payload = f"variant_get({json}, '$.payload')"
    return f"""CASE
        WHEN {json} IS NULL THEN NULL
        WHEN {_lone_surrogate(text)} THEN {lit(surrogate)}
        WHEN {_too_deep(text)} THEN {lit(deep)}
        WHEN {_infinite_number(payload, payload_text)} THEN {lit(infinite)}
    END"""


def _tenant_rules(registry: Registry) -> tuple[str, str, str]:
    tenants = sorted(registry.tenants)
    allowed = " ".join(
        f"WHEN {lit(t)} THEN event_type IN {in_list(registry.tenants[t].allowed_event_types)}"
        for t in tenants
    )
    versions = " ".join(
        f"WHEN {lit(et)} THEN event_version IN {in_list(registry.versions(et))}"
        for et in registry.event_types()
    )
    known_tenant = f"tenant_id IN {in_list(tenants)}"
    allowed_type = f"(CASE tenant_id {allowed} ELSE FALSE END)" if tenants else "FALSE"
    known_version = f"(CASE event_type {versions} ELSE FALSE END)" if versions else "FALSE"
    return known_tenant, allowed_type, known_version


def parse_envelope(df: DataFrame, registry: Registry, max_body_bytes: int) -> DataFrame:
    """Add the envelope columns plus ``reason_code``/``reason_detail`` to a frame with ``body``.

    Pure Spark SQL: VARIANT parsing, type checks by JSON type, no Python per row.
    """
    envelope_rules = [
        (
            f"NOT coalesce(char_length({_text('event_id')}) BETWEEN 1 AND {MAX_EVENT_ID}, FALSE)",
            lit(f"event_id: required string of 1..{MAX_EVENT_ID} characters"),
        ),
        (f"{_text('tenant_id')} IS NULL", lit("tenant_id: required string")),
        (f"{_text('event_type')} IS NULL", lit("event_type: required string")),
        (
            "NOT coalesce(event_version >= 1, FALSE)",
            lit("event_version: required integer >= 1"),
        ),
        (
            f"NOT coalesce({_text('event_time')} RLIKE {lit(RFC3339)} AND "
            f"{in_timestamp_range('_time')}, FALSE)",
            lit("event_time: required RFC 3339 timestamp string, 0001..9999 in UTC"),
        ),
        (
            f"{is_present(_raw('source_id'))} AND {_kind('source_id')} != 'STRING'",
            lit("source_id: optional, must be a string"),
        ),
        (
            "NOT coalesce(startswith(payload_json, '{'), FALSE)",
            lit("payload: required JSON object"),
        ),
    ]
    envelope_failed = " OR ".join(f"({condition})" for condition, _ in envelope_rules)
    known_tenant, allowed_type, known_version = _tenant_rules(registry)
    parsed = (
        df.withColumn("_size", F.expr("octet_length(body)"))
        .withColumn(
            "_text", F.expr(f"CASE WHEN _size <= {max_body_bytes} THEN CAST(body AS string) END")
        )
        .withColumn("_utf8", F.expr("is_valid_utf8(_text)"))
        .withColumn(
            "_wrapped", F.expr("CASE WHEN _utf8 THEN try_parse_json(concat('[', _text, ']')) END")
        )
        .withColumn(
            "_json",
            F.expr(
                "CASE WHEN variant_get(_wrapped, '$[1]') IS NULL AND (NOT contains(_text, ']')"
                """ OR try_parse_json(concat('{"k":', _text, '}')) IS NOT NULL)"""
                " THEN variant_get(_wrapped, '$[0]') END"
            ),
        )
        .withColumn("_payload_text", F.expr("to_json(variant_get(_json, '$.payload'))"))
        .withColumn("_refused", F.expr(_refused("_text", "_json", "_payload_text")))
        .withColumn("_v", F.expr("CASE WHEN _refused IS NULL THEN _json END"))
        .withColumn(
            "_object",
            F.expr("_v IS NOT NULL AND startswith(trim(LEADING ' \\t\\r\\n' FROM _text), '{')"),
        )
        .withColumns({_raw(n): F.expr(f"variant_get(_v, {lit('$.' + n)})") for n in _SCALARS})
        .withColumns({_kind(n): F.expr(variant_kind(_raw(n))) for n in _SCALARS})
        .withColumn("payload_json", F.expr("CASE WHEN _refused IS NULL THEN _payload_text END"))
        .withColumns(
            {
                _text(n): F.expr(
                    f"CASE WHEN {_kind(n)} = 'STRING' "
                    f"THEN variant_get({_raw(n)}, '$', 'string') END"
                )
                for n in _SCALARS
                if n != "event_version"
            }
        )
        .withColumn(
            "event_version",
            F.expr(
                f"CASE WHEN {kind_is_integer(_kind('event_version'))} "
                f"THEN try_variant_get({_raw('event_version')}, '$', 'int') END"
            ),
        )
        .withColumn("_time", F.expr(f"try_cast(upper({_text('event_time')}) AS timestamp)"))
        .withColumn("event_time", F.expr(f"CASE WHEN {in_timestamp_range('_time')} THEN _time END"))
        .withColumn("_envelope_failed", F.expr(f"_object AND ({envelope_failed})"))
        .withColumn(
            "_envelope_errors",
            F.expr(f"CASE WHEN _envelope_failed THEN {messages(envelope_rules)} END"),
        )
        .withColumns(
            {n: F.col(_text(n)) for n in ("tenant_id", "event_type", "event_id", "source_id")}
        )
    )
    mismatch, mismatch_detail = "FALSE", "NULL"
    if BOUND_TENANTS in df.columns:
        mismatch = f"{BOUND_TENANTS} IS NOT NULL AND NOT array_contains({BOUND_TENANTS}, tenant_id)"
        mismatch_detail = (
            f"concat('tenant_id ', tenant_id, ' is not bound to this source (bound: ', "
            f"array_join({BOUND_TENANTS}, ', '), ')')"
        )
    reason = f"""CASE
        WHEN _size > {max_body_bytes} THEN '{ReasonCode.PAYLOAD_TOO_LARGE}'
        WHEN NOT _utf8 OR NOT _object THEN '{ReasonCode.INVALID_JSON}'
        WHEN _envelope_failed THEN '{ReasonCode.INVALID_ENVELOPE}'
        WHEN {mismatch} THEN '{ReasonCode.TENANT_MISMATCH}'
        WHEN NOT ({known_tenant}) THEN '{ReasonCode.UNKNOWN_TENANT}'
        WHEN NOT {allowed_type} THEN '{ReasonCode.UNKNOWN_EVENT_TYPE}'
        WHEN NOT {known_version} THEN '{ReasonCode.UNSUPPORTED_VERSION}'
    END"""
    detail = f"""CASE
        WHEN reason_code IS NULL THEN NULL
        WHEN _size > {max_body_bytes}
            THEN concat('body is ', _size, ' bytes; the limit is {max_body_bytes}')
        WHEN NOT _utf8 THEN 'body is not valid UTF-8'
        WHEN _json IS NULL THEN 'body is not valid JSON (syntax error, duplicate key, data after'
            ' the value, or nesting beyond 1000 levels)'
        WHEN _refused IS NOT NULL THEN _refused
        WHEN NOT _object THEN 'body is JSON but not an object'
        WHEN _envelope_failed THEN array_join(_envelope_errors, '; ')
        WHEN {mismatch} THEN {mismatch_detail}
        WHEN NOT ({known_tenant}) THEN concat('tenant_id ', tenant_id, ' is not onboarded')
        WHEN NOT {allowed_type}
            THEN concat('event_type ', event_type, ' is not allowed for tenant ', tenant_id)
        WHEN NOT {known_version} THEN concat('no contract for ', event_type, ' v', event_version)
    END"""
    return (
        parsed.withColumn("reason_code", F.expr(reason))
        .withColumn("reason_detail", F.expr(detail))
        .drop("_size", "_text", "_utf8", "_wrapped", "_json", "_payload_text", "_refused", "_v")
        .drop("_object", "_envelope_failed", "_envelope_errors", "_time")
        .drop(*[c for n in _SCALARS for c in (_raw(n), _kind(n), _text(n))])
    )
