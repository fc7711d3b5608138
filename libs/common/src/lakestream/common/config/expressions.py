"""Which columns a Spark SQL upcast expression reads: a small tokenizer, not a SQL parser."""

from __future__ import annotations

import re

_KEYWORDS = frozenset(
    [
        # operators and literals
        "AND",
        "OR",
        "NOT",
        "CASE",
        "WHEN",
        "THEN",
        "ELSE",
        "END",
        "NULL",
        "TRUE",
        "FALSE",
        "IS",
        "IN",
        "CAST",
        "AS",
        "LIKE",
        "ILIKE",
        "RLIKE",
        "REGEXP",
        "BETWEEN",
        "DISTINCT",
        "DIV",
        "ESCAPE",
        "INTERVAL",
        # type names
        "STRING",
        "VARCHAR",
        "CHAR",
        "INT",
        "INTEGER",
        "BIGINT",
        "SMALLINT",
        "TINYINT",
        "LONG",
        "SHORT",
        "BYTE",
        "DOUBLE",
        "FLOAT",
        "REAL",
        "DECIMAL",
        "DEC",
        "NUMERIC",
        "BOOLEAN",
        "TIMESTAMP",
        "TIMESTAMP_NTZ",
        "TIMESTAMP_LTZ",
        "DATE",
        "BINARY",
        # interval units
        "YEAR",
        "YEARS",
        "MONTH",
        "MONTHS",
        "WEEK",
        "WEEKS",
        "DAY",
        "DAYS",
        "HOUR",
        "HOURS",
        "MINUTE",
        "MINUTES",
        "SECOND",
        "SECONDS",
        "MILLISECOND",
        "MILLISECONDS",
        "MICROSECOND",
        "MICROSECONDS",
    ]
)
_STRING = re.compile(r"""[rRxX]?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""", re.DOTALL)
_QUOTED_NAME = re.compile(r"`((?:[^`]|``)*)`")
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[A-Za-z]*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CALL = re.compile(r"\s*\(")


class ExpressionError(ValueError):
    """The expression cannot be tokenized (empty, or an unterminated literal or quoted name)."""


def referenced_columns(expression: str) -> list[str]:
    """Column names ``expression`` reads, in order of first use.

    String literals, numbers, SQL keywords, type names, function names (a name followed by
    ``(``) and struct field accesses (a name after ``.``) are skipped.
    """
    if not expression.strip():
        raise ExpressionError("the expression is empty")
    found: list[str] = []
    after_dot = False
    i = 0
    while i < len(expression):
        char = expression[i]
        name: str | None = None
        dot = False
        if (string := _STRING.match(expression, i)) is not None:
            i = string.end()
        elif char in "'\"":
            raise ExpressionError(f"unterminated string literal at position {i + 1}")
        elif char == "`":
            quoted = _QUOTED_NAME.match(expression, i)
            if quoted is None:
                raise ExpressionError(f"unterminated `quoted name` at position {i + 1}")
            name, i = quoted.group(1).replace("``", "`"), quoted.end()
        elif (number := _NUMBER.match(expression, i)) is not None:
            i = number.end()
        elif (word := _NAME.match(expression, i)) is not None:
            i = word.end()
            is_call = _CALL.match(expression, i) is not None
            name = None if is_call or word.group().upper() in _KEYWORDS else word.group()
        else:
            i += 1
            if char.isspace():
                continue
            dot = char == "."
        if name is not None and not after_dot and name not in found:
            found.append(name)
        after_dot = dot
    return found
