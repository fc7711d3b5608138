"""Timestamp ``format`` rules: the Spark datetime patterns ``try_to_timestamp`` can parse with.

An invalid pattern does not make ``try_to_timestamp`` return null: it fails the query, so silver
would fail every batch of the event type. Letter counts are the ones Spark 4 accepts for parsing
(checked on the JVM by ``tests/spark/test_config_on_the_jvm.py``); week-based and text-only
letters (``Y w u e c E F q Q``) and the reserved ``# { }`` are refused.
"""

from __future__ import annotations

_COUNTS: dict[str, frozenset[int]] = {
    letter: frozenset(counts)
    for letter, counts in {
        "G": range(1, 5),
        "y": range(1, 7),
        "D": range(1, 4),
        "M": range(1, 5),
        "L": range(1, 5),
        "d": (1, 2),
        "H": (1, 2),
        "h": (1, 2),
        "K": (1, 2),
        "k": (1, 2),
        "m": (1, 2),
        "s": (1, 2),
        "S": range(1, 10),
        "a": (1,),
        "z": range(1, 5),
        "V": (2,),
        "O": (1, 4),
        "X": range(1, 6),
        "x": range(1, 6),
        "Z": range(1, 6),
    }.items()
}


def format_problem(pattern: str) -> str | None:
    """Why Spark would refuse ``pattern`` as a parsing datetime pattern, or None."""
    i, optional = 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            end = pattern.find("'", i + 1)
            if end < 0:
                return f"the quote at position {i + 1} is not closed"
            i = end + 1
            continue
        if char == "[":
            optional += 1
        elif char == "]":
            if not optional:
                return f"']' at position {i + 1} closes no '['"
            optional -= 1
        elif char in "#{}":
            return f"{char!r} at position {i + 1} is reserved"
        elif char.isascii() and char.isalpha():
            rest = pattern[i:]
            run = len(rest) - len(rest.lstrip(char))
            allowed = _COUNTS.get(char)
            if allowed is None:
                return f"pattern letter {char!r} at position {i + 1} cannot be used for parsing"
            if run not in allowed:
                counts = ", ".join(map(str, sorted(allowed)))
                return f"{char * run!r} at position {i + 1}: {char!r} may appear {counts} times"
            i += run
            continue
        i += 1
    return None
