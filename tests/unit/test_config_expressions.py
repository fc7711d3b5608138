"""Identifier extraction from upcast expressions, and the regex backtracking check."""

from __future__ import annotations

import re

import pytest

from lakestream.common.config import ExpressionError, referenced_columns
from lakestream.common.config.regexes import find_nested_quantifier


@pytest.mark.unit
@pytest.mark.parametrize(
    ("expression", "columns"),
    [
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
        ("nested.inner + other", ["nested", "other"]),
        ("a RLIKE '^x+$' OR a LIKE 'y%'", ["a"]),
        ("to_timestamp(ts, 'yyyy-MM-dd') + INTERVAL 1 DAY", ["ts"]),
        ("DATE '2024-01-01'", []),
    ],
)
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
    ("pattern", "offender"),
    [
        ("(a+)+", "(a+)+"),
        ("^(a*)*$", "(a*)*"),
        ("(?:\\d+x)*", "(?:\\d+x)*"),
        ("^((ab)+c)+$", "((ab)+c)+"),
        ("((a+)?)+", "((a+)?)+"),
        ("(x{2,})+", "(x{2,})+"),
        ("(\\w{1,3})+?", "(\\w{1,3})+?"),
        ("([a-z]+\\.)*com", "([a-z]+\\.)*"),
        ("(a+){2,}", "(a+){2,}"),
    ],
)
def test_nested_quantifiers_are_found(pattern: str, offender: str) -> None:
    re.compile(pattern)
    assert find_nested_quantifier(pattern) == offender


@pytest.mark.unit
@pytest.mark.parametrize(
    "pattern",
    [
        "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$",
        "^\\d+\\.\\d+\\.\\d+$",
        "^[0-9A-Fa-f]{24}$",
        "(ab)+",
        "(a+)?",
        "(a+){3}",
        "(\\d{1,3}\\.){3}\\d{1,3}",
        "[(a+)]+",
        "\\(a+\\)+",
        "[]+)]+",
        "(?:abc)*x+",
        "a{}+",
        "(a{1})+",
    ],
)
def test_safe_patterns_pass(pattern: str) -> None:
    re.compile(pattern)
    assert find_nested_quantifier(pattern) is None
