"""SQL text helpers: literals are escaped, empty IN lists never match, messages arrays."""

from __future__ import annotations

import math

import pytest

from lakestream.common.sql import (
    in_list,
    is_json_integer,
    is_json_number,
    is_present,
    lit,
    messages,
    variant_kind,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("value", "sql"),
    [
        (None, "NULL"),
        (True, "TRUE"),
        (False, "FALSE"),
        (0, "0"),
        (-7, "-7"),
        (1.5, "1.5"),
        (-100.0, "-100.0"),
        ("acme", "'acme'"),
        ("", "''"),
        ("it's", "'it\\'s'"),
        ("a\\b", "'a\\\\b'"),
        ("\\'", "'\\\\\\''"),
        ("'; DROP TABLE x; --", "'\\'; DROP TABLE x; --'"),
        ('say "hi"', "'say \"hi\"'"),
        ("^\\d+\\.\\d+$", "'^\\\\d+\\\\.\\\\d+$'"),
        ("é😀", "'é😀'"),
    ],
)
def test_lit(value: object, sql: str) -> None:
    assert lit(value) == sql


@pytest.mark.parametrize(
    "text", ["it's", "a\\b", "\\'", "''", "\\\\'x", "end\\", "'; DROP TABLE t; --"]
)
def test_lit_string_cannot_be_escaped(text: str) -> None:
    """Undo Spark's string-literal escaping by hand: the literal decodes back to the input and
    holds no unescaped quote that could end it early."""
    sql = lit(text)
    assert sql.startswith("'") and sql.endswith("'")
    body = sql[1:-1]
    decoded, i = [], 0
    while i < len(body):
        char = body[i]
        assert char != "'", f"unescaped quote in {sql}"
        if char == "\\":
            i += 1
            char = body[i]
        decoded.append(char)
        i += 1
    assert "".join(decoded) == text


def test_bool_is_not_rendered_as_int() -> None:
    assert lit(True) != "1"
    assert in_list([True, 1]) == "(TRUE, 1)"


def test_in_list() -> None:
    assert in_list(["acme", "globex"]) == "('acme', 'globex')"
    assert in_list([1, 2]) == "(1, 2)"
    assert in_list(["it's"]) == "('it\\'s')"
    assert in_list(iter(["x"])) == "('x')"


def test_in_list_empty_is_null_never_true() -> None:
    assert in_list([]) == "(NULL)"
    assert in_list(iter(())) == "(NULL)"


def test_messages_empty_is_typed_empty_array() -> None:
    assert messages([]) == "CAST(array() AS array<string>)"


def test_messages_keeps_every_condition_in_order() -> None:
    sql = messages([("a > 1", "'big'"), ("b IS NULL", "'missing'")])
    assert sql == (
        "flatten(array("
        "CASE WHEN a > 1 THEN array('big') ELSE CAST(array() AS array<string>) END, "
        "CASE WHEN b IS NULL THEN array('missing') ELSE CAST(array() AS array<string>) END))"
    )


def test_variant_helpers_reference_the_expression() -> None:
    expr = "variant_get(_v, '$.x')"
    assert variant_kind(expr) == f"schema_of_variant({expr})"
    assert is_present(expr) == f"({expr} IS NOT NULL AND NOT is_variant_null({expr}))"
    for sql in (is_json_integer(expr), is_json_number(expr)):
        assert f"schema_of_variant({expr})" in sql
        assert "'BIGINT'" in sql
    assert "DECIMAL" in is_json_integer(expr)
    assert "'DOUBLE'" in is_json_number(expr)
    assert "'DOUBLE'" not in is_json_integer(expr)


@pytest.mark.parametrize(
    ("value", "sql"),
    [
        (math.nan, "CAST('NaN' AS DOUBLE)"),
        (math.inf, "CAST('Infinity' AS DOUBLE)"),
        (-math.inf, "CAST('-Infinity' AS DOUBLE)"),
    ],
)
def test_lit_non_finite_float_is_a_cast_not_a_bare_identifier(value: float, sql: str) -> None:
    """A bare ``nan``/``inf`` would be read as a column name (config allows enum: [.inf])."""
    assert lit(value) == sql
