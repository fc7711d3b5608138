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
    """Array of the messages whose failure condition holds, NULLs removed.

    ``array_compact`` (not a ``filter`` lambda) keeps the expression code-generated.

    ``conditions`` pairs a boolean SQL failure condition with a SQL string expression.
    """
    if not conditions:
        return "CAST(array() AS array<string>)"
    items = ", ".join(f"CASE WHEN {cond} THEN {msg} END" for cond, msg in conditions)
    return f"array_compact(array({items}))"


def variant_kind(expr: str) -> str:
    """The JSON type name of a VARIANT value (e.g. STRING, BIGINT, DECIMAL(3,1), OBJECT<...>)."""
    return f"schema_of_variant({expr})"


def is_json_integer(expr: str) -> str:
    """True when a VARIANT holds an integral JSON number."""
    kind = variant_kind(expr)
    integral = "'^DECIMAL\\\\(\\\\d+,0\\\\)$'"
    return f"({kind} IN ('BIGINT', 'INT', 'SMALLINT', 'TINYINT') OR {kind} RLIKE {integral})"


def is_json_number(expr: str) -> str:
    """True when a VARIANT holds any JSON number."""
    kind = variant_kind(expr)
    return (
        f"({kind} IN ('BIGINT', 'INT', 'SMALLINT', 'TINYINT', 'DOUBLE', 'FLOAT')"
        f" OR {kind} LIKE 'DECIMAL(%')"
    )


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
