"""Static safety check of contract regexes: nested quantifiers risk catastrophic backtracking."""

from __future__ import annotations

import re

_BRACES = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")


def _quantifier_at(pattern: str, i: int) -> tuple[int, bool, bool] | None:
    """``(end, repeats, unbounded)`` of the quantifier starting at ``i``, or None if none does."""
    char = pattern[i]
    if char in "*+":
        end, high = i + 1, None
    elif char == "?":
        end, high = i + 1, 1
    else:
        match = _BRACES.match(pattern, i)
        if char != "{" or match is None or (not match.group(1) and match.group(2) is None):
            return None
        high_text = match.group(3) if match.group(2) else match.group(1) or "0"
        high = int(high_text) if high_text else None
        end = match.end()
    if end < len(pattern) and pattern[end] in "?+":
        end += 1
    return end, high is None or high > 1, high is None


def _class_end(pattern: str, i: int) -> int:
    """Index just past the character class that opens at ``i``."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def find_nested_quantifier(pattern: str) -> str | None:
    """Return the first group repeated without bound that itself holds a repeat (``(a+)+``).

    ``pattern`` must already compile. Returns the offending text, or None when the pattern is safe.
    """
    opened: list[tuple[int, bool]] = []
    closed: tuple[int, bool] | None = None
    i = 0
    while i < len(pattern):
        quantifier = _quantifier_at(pattern, i)
        if quantifier is not None:
            end, repeats, unbounded = quantifier
            if closed is not None and closed[1] and unbounded:
                return pattern[closed[0] : end]
            if repeats and opened:
                opened[-1] = (opened[-1][0], True)
            closed = None
            i = end
            continue
        closed = None
        char = pattern[i]
        if char == "\\":
            i += 2
        elif char == "[":
            i = _class_end(pattern, i)
        elif char == "(":
            opened.append((i, False))
            i += 2 if pattern.startswith("(?", i) else 1
        elif char == ")" and opened:
            start, has_repeat = opened.pop()
            if has_repeat and opened:
                opened[-1] = (opened[-1][0], True)
            closed = (start, has_repeat)
            i += 1
        else:
            i += 1
    return None
