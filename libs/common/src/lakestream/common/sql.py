"""Tiny helpers for building Spark SQL expression text safely."""

from __future__ import annotations

import math
from collections.abc import Iterable


def lit(value: object) -> str:
    """A SQL literal for a str, int, float, bool or None."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and not math.isfinite(value):
        name = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return f"CAST('{name}' AS DOUBLE)"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def in_list(values: Iterable[object]) -> str:
    """``(v1, v2, ...)`` for an IN predicate; ``(NULL)`` when empty (never true)."""
    items = [lit(v) for v in values]
    return f"({', '.join(items)})" if items else "(NULL)"


def messages(conditions: list[tuple[str, str]]) -> str:
    """Array of the messages whose failure condition holds, in rule order.

    Built with ``flatten`` over one-element arrays: ``array_compact`` and ``filter`` rewrite to a
    lambda, which Spark cannot code-generate, and that drops the whole projection to
    interpreted evaluation.

    ``conditions`` pairs a boolean SQL failure condition with a SQL string expression.
    """
    if not conditions:
        return "CAST(array() AS array<string>)"
    items = ", ".join(
        f"CASE WHEN {cond} THEN array({msg}) ELSE CAST(array() AS array<string>) END"
        for cond, msg in conditions
    )
    return f"flatten(array({items}))"


def variant_kind(expr: str) -> str:
    """The JSON type name of a VARIANT value (e.g. STRING, BIGINT, DECIMAL(3,1), OBJECT<...>)."""
    return f"schema_of_variant({expr})"


def kind_is_integer(kind: str) -> str:
    """True when ``kind`` (a ``variant_kind`` value) names an integral JSON number."""
    integral = "'^DECIMAL\\\\(\\\\d+,0\\\\)$'"
    return f"({kind} IN ('BIGINT', 'INT', 'SMALLINT', 'TINYINT') OR {kind} RLIKE {integral})"


def kind_is_number(kind: str) -> str:
    """True when ``kind`` (a ``variant_kind`` value) names any JSON number."""
    return (
        f"({kind} IN ('BIGINT', 'INT', 'SMALLINT', 'TINYINT', 'DOUBLE', 'FLOAT')"
        f" OR {kind} LIKE 'DECIMAL(%')"
    )


def is_json_integer(expr: str) -> str:
    """True when a VARIANT holds an integral JSON number."""
    return kind_is_integer(variant_kind(expr))


def is_json_number(expr: str) -> str:
    """True when a VARIANT holds any JSON number."""
    return kind_is_number(variant_kind(expr))


RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
"""An RFC 3339 timestamp string, for ``RLIKE`` (envelope ``event_time``, timestamp fields)."""

MIN_TIMESTAMP_MICROS = -62_135_596_800_000_000
"""0001-01-01T00:00:00Z in microseconds since the epoch."""
MAX_TIMESTAMP_MICROS = 253_402_300_799_999_999
"""9999-12-31T23:59:59.999999Z in microseconds since the epoch."""


def in_timestamp_range(expr: str) -> str:
    """True when a timestamp lies in years 0001..9999 UTC (what Delta, Arrow and Python hold).

    Compared as epoch microseconds, so the session time zone does not matter.
    """
    return f"(unix_micros({expr}) BETWEEN {MIN_TIMESTAMP_MICROS} AND {MAX_TIMESTAMP_MICROS})"


def is_present(expr: str) -> str:
    """True when a VARIANT field exists and is not JSON null."""
    return f"({expr} IS NOT NULL AND NOT is_variant_null({expr}))"
