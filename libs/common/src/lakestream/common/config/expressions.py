"""Upcast expressions: which columns they read, and a refusal of anything but safe scalar SQL.

Not a SQL parser: a strict tokenizer. An expression may hold literals, columns, operators,
SQL keywords and calls of allowlisted built-in functions that are pure, deterministic and
bounded in cost. Everything else (subqueries, comments, qualified names, other functions such
as ``reflect`` or ``java_method`` that reach the JVM, files or randomness) is refused before
Spark ever sees the expression (decision 0080).
"""

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
        "TRY_CAST",
        "AS",
        "LIKE",
        "ILIKE",
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
_FUNCTION_GROUPS = (
    # math
    "abs acos asin atan atan2 bround cbrt ceil ceiling cos degrees exp expm1 floor greatest "
    "hypot least ln log log10 log1p log2 mod negative pmod positive pow power radians rint "
    "round sign signum sin sqrt tan try_add try_divide try_multiply try_subtract",
    # nulls and conditions
    "coalesce if ifnull isnan isnotnull isnull nanvl nullif nvl nvl2",
    # strings (none that can grow a value without bound, such as repeat or lpad)
    "ascii btrim char_length character_length chr concat concat_ws contains endswith "
    "initcap instr lcase left length locate lower ltrim octet_length position replace "
    "reverse right rtrim split_part startswith substr substring substring_index translate "
    "trim ucase upper md5 sha1 sha2 crc32",
    # dates and times (none that read the clock)
    "date_add date_diff date_format date_sub date_trunc datediff day dayofmonth dayofweek "
    "dayofyear from_unixtime from_utc_timestamp hour make_date make_timestamp minute month "
    "quarter second timestamp_micros timestamp_millis timestamp_seconds to_date to_timestamp "
    "to_unix_timestamp to_utc_timestamp trunc try_to_timestamp unix_micros unix_millis "
    "unix_seconds weekofyear year",
)
FUNCTIONS = frozenset(name for group in _FUNCTION_GROUPS for name in group.split())
"""Functions an upcast may call: pure, deterministic, scalar and bounded in cost."""

MAX_LENGTH = 4000
"""Longest accepted expression."""
MAX_DEPTH = 32
"""Deepest accepted nesting of parentheses (Spark's parser recurses on each)."""
_JVM_FUNCTIONS = frozenset({"java_method", "reflect", "try_reflect"})
_STATEMENT_WORDS = frozenset(
    word
    for line in (
        "SELECT FROM WHERE WITH TABLE VALUES EXISTS LATERAL JOIN UNION INTERSECT EXCEPT",
        "GROUP ORDER HAVING LIMIT OVER WINDOW INSERT UPDATE DELETE MERGE DROP CREATE ALTER SET",
    )
    for word in line.split()
)
_REGEX_WORDS = frozenset({"RLIKE", "REGEXP", "REGEXP_LIKE"})
_STRING = re.compile(r"""[rR]'[^']*'|[rR]"[^"]*"|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\"""", re.DOTALL)
_QUOTED_NAME = re.compile(r"`((?:[^`]|``)*)`")
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:BD|bd|[LlSsYyDdFf])?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATOR = re.compile(r"<=>|<>|!=|<=|>=|==|\|\||::|[-+*/%&|^~!<>=(),]")
_CALL = re.compile(r"\s*\(")
_HINT = "write a Spark SQL expression over fields of this version; see config/README.md"


class ExpressionError(ValueError):
    """The expression is empty, cannot be tokenized or uses something upcasts may not."""

    def __init__(self, message: str, hint: str = _HINT) -> None:
        super().__init__(message)
        self.hint = hint


def _check_call(name: str, position: int) -> None:
    """Refuse a call of ``name`` unless it is an allowlisted function."""
    lower = name.lower()
    if lower in FUNCTIONS:
        return
    if lower in _JVM_FUNCTIONS:
        raise ExpressionError(
            f"{name}() at position {position} calls Java code inside the Spark JVM",
            "upcasts may only compute from the payload; use arithmetic and built-in functions",
        )
    raise ExpressionError(
        f"function {name}() at position {position} is not allowed in an upcast",
        "use pure built-in functions (see config/README.md, 'Upcast expressions'); functions "
        "that reach the JVM, files, the clock or randomness, and user functions, are refused",
    )


def _check_word(word: str, position: int) -> None:
    """Refuse bare words that start a subquery or statement, or a regex match."""
    upper = word.upper()
    if upper in _STATEMENT_WORDS:
        raise ExpressionError(
            f"{word} at position {position}: subqueries and statements are not allowed",
            "write one scalar expression; quote a field with this name in backticks",
        )
    if upper in _REGEX_WORDS:
        raise ExpressionError(
            f"{word} at position {position}: regex matching is not allowed in an upcast",
            "use LIKE, startswith/endswith/contains, or move the rule to the contract's regex",
        )


def referenced_columns(expression: str) -> list[str]:
    """Column names ``expression`` reads, in order of first use.

    Raises ExpressionError for anything outside the safe subset (see the module docstring).
    """
    if not expression.strip():
        raise ExpressionError("the expression is empty")
    if len(expression) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(expression)} characters long (at most {MAX_LENGTH})",
            "split the computation over simpler expressions",
        )
    found: list[str] = []
    depth = i = 0
    while i < len(expression):
        char = expression[i]
        name: str | None = None
        if char.isspace():
            i += 1
        elif expression.startswith(("--", "/*"), i):
            raise ExpressionError(
                f"comment at position {i + 1}", "remove the comment; comments are not allowed"
            )
        elif (string := _STRING.match(expression, i)) is not None:
            i = string.end()
        elif char in "'\"":
            raise ExpressionError(f"unterminated string literal at position {i + 1}")
        elif char == "`":
            quoted = _QUOTED_NAME.match(expression, i)
            if quoted is None:
                raise ExpressionError(f"unterminated `quoted name` at position {i + 1}")
            name, i = quoted.group(1).replace("``", "`"), quoted.end()
            if _CALL.match(expression, i):
                _check_call(name, quoted.start() + 1)
                name = None
        elif (number := _NUMBER.match(expression, i)) is not None:
            i = number.end()
            if _NAME.match(expression, i):
                raise ExpressionError(f"malformed number at position {number.start() + 1}")
        elif (word := _NAME.match(expression, i)) is not None:
            i = word.end()
            _check_word(word.group(), word.start() + 1)
            if word.group().upper() in _KEYWORDS:
                continue
            if _CALL.match(expression, i):
                _check_call(word.group(), word.start() + 1)
                continue
            name = word.group()
        elif char == ".":
            raise ExpressionError(
                f"'.' at position {i + 1}: qualified names and struct fields are not allowed",
                "payload fields are flat: name them directly, quoting odd names in backticks",
            )
        elif (operator := _OPERATOR.match(expression, i)) is not None:
            i = operator.end()
            depth += {"(": 1, ")": -1}.get(operator.group(), 0)
            if depth < 0:
                raise ExpressionError(f"')' at position {i} closes no '('")
            if depth > MAX_DEPTH:
                raise ExpressionError(
                    f"parentheses nested more than {MAX_DEPTH} deep at position {i}",
                    "simplify the expression",
                )
        else:
            raise ExpressionError(
                f"unexpected character {char!r} at position {i + 1}",
                "use literals, field names, operators and allowed function calls only",
            )
        if name is not None and name not in found:
            found.append(name)
    if depth:
        raise ExpressionError(f"{depth} '(' not closed")
    return found
