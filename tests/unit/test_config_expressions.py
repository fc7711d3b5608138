"""Upcast expressions: the columns they read, and refusal of anything but safe scalar SQL."""

from __future__ import annotations

import pytest

from lakestream.common.config import ExpressionError, referenced_columns

ACCEPTED_EXPRESSIONS = [
    ("(temperature_f - 32) * 5 / 9", ["temperature_f"]),
    ("temperature_f", ["temperature_f"]),
    ("42", []),
    ("1.5e3 * x + .5 - 10L", ["x"]),
    ("round((a - 32) / 1.8, 2)", ["a"]),
    ("ROUND (a, 2)", ["a"]),
    ("CAST(a AS DOUBLE)", ["a"]),
    ("cast(a as decimal(10, 2))", ["a"]),
    ("CASE WHEN a > 1 THEN 'hot' ELSE b END", ["a", "b"]),
    ("case when a is not null and b in (1, 2) then true else false end", ["a", "b"]),
    ("coalesce(a, b, a)", ["a", "b"]),
    ("concat('a b', \"c\", 'it\\'s', d)", ["d"]),
    ("concat('it''s', d)", ["d"]),
    ("`odd name` + 1", ["odd name"]),
    ("a LIKE 'y%' OR startswith(b, 'x')", ["a", "b"]),
    ("if(a > 1, a::double, nvl(b, 0D))", ["a", "b"]),
    ("concat(r'\\', a)", ["a"]),
    ("to_timestamp(ts, 'yyyy-MM-dd') + INTERVAL 1 DAY", ["ts"]),
    ("DATE '2024-01-01'", []),
]
"""(expression, columns it reads); ``tests/spark/test_config_on_the_jvm.py`` parses each."""


@pytest.mark.unit
@pytest.mark.parametrize(("expression", "columns"), ACCEPTED_EXPRESSIONS)
def test_referenced_columns(expression: str, columns: list[str]) -> None:
    assert referenced_columns(expression) == columns


@pytest.mark.unit
@pytest.mark.parametrize(
    ("expression", "message"),
    [("", "empty"), ("   ", "empty"), ("'open", "unterminated string"), ("`open", "quoted")],
)
def test_untokenizable_expressions(expression: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        referenced_columns(expression)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("reflect('java.lang.Runtime', 'getRuntime')", "calls Java code"),
        ("java_method('java.lang.System', 'exit', 0)", "calls Java code"),
        ("TRY_REFLECT('java.lang.Thread', 'sleep', 99999L)", "calls Java code"),
        ("`reflect`('java.lang.Runtime', 'getRuntime')", "calls Java code"),
        ("system.builtin.reflect('a', 'b')", "qualified names"),
        ("r'\\' || reflect('a', 'b') || r'\\'", "calls Java code"),
        ("/* ' */ java_method('a', 'b') /* ' */", "comment"),
        ("a -- reflect('a', 'b')", "comment"),
        ("(SELECT max(a) FROM parquet.`/etc`)", "subqueries"),
        ("exists(a, x -> x)", "subqueries"),
        ("input_file_name()", "not allowed"),
        ("current_timestamp()", "not allowed"),
        ("rand() * a", "not allowed"),
        ("uuid()", "not allowed"),
        ("repeat(a, 1000000000)", "not allowed"),
        ("my_catalog_udf(a)", "not allowed"),
        ("a RLIKE '(a+)+$'", "regex matching"),
        ("regexp_replace(a, '(x+)+', '')", "not allowed"),
        ("a; DROP TABLE t", "unexpected character ';'"),
        ("a[0]", "unexpected character '\\['"),
        ("${a}", "unexpected character '\\$'"),
        ("a ? b", "unexpected character '?'"),
        ("nested.inner", "qualified names"),
        ("1x + a", "malformed number"),
        ("a + ñ", "unexpected character"),
        ("(a + 1", "1 '\\(' not closed"),
        ("a + 1)", "closes no"),
        ("(" * 33 + "a" + ")" * 33, "nested more than 32 deep"),
        ("a + " * 1000 + "a", "characters long"),
    ],
)
def test_unsafe_expressions_are_refused(expression: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message) as caught:
        referenced_columns(expression)
    assert caught.value.hint
