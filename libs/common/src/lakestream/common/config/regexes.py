"""Contract regexes: a portable subset of Java and Python regex, checked for backtracking risk.

Silver evaluates ``regex`` rules with Spark SQL ``RLIKE``, that is ``java.util.regex`` and
``Matcher.find``; config validation runs in Python before any JVM starts. A pattern is accepted
only when it is written in a subset that both engines read alike, and when its backtracking is
bounded (decision 0081):

- a repeat of a sub-pattern that can match the same text in several ways (``(a+)+``,
  ``(a|ab)*``, ``(a{1,3}){1,16}``) is refused unless the ways are few;
- two unbounded repeats that can take the same characters one after the other (``\\d+\\d*``,
  ``.*x.*``) are refused, since a failing match tries every split;
- a group whose matches vary in length may repeat at most ``MAX_GROUP_REPEAT`` times: Java
  recurses once per repetition of such a group and overflows its stack on long values;
- without a leading ``^``, ``find`` restarts at each character: an unbounded repeat that can
  consume a character a match can start with (``\\w+@``) is refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, NoReturn

MAX_LENGTH = 1000
"""Longest accepted pattern."""
MAX_REPEAT = 1000
"""Largest accepted repeat count in ``{n,m}``."""
MAX_GROUP_REPEAT = 100
"""Largest repeat count of a group whose matches vary in length."""
MAX_DEPTH = 20
"""Deepest accepted nesting of groups."""
_MAX_WAYS = 10_000
"""Most ways a repeated sub-pattern may split the same text."""
_SAMPLE = "".join(map(chr, range(128))) + "\u00a0\u00e9\u00df\u0663\u2028\u4e2d\U0001f600"
"""Characters that stand for the alphabet when sets of characters are compared."""
_COUNT = re.compile(r"\{(\d+)(,(\d*))?\}")
_PORTABLE = (
    "use \\d \\w \\s (or \\D \\W \\S), \\b \\B \\A, \\t \\n \\r \\f, or a backslash before "
    "punctuation; back-references, \\p{..}, \\x, \\u, \\Q..\\E, \\z and \\Z differ between "
    "Java and Python"
)


class RegexError(ValueError):
    """A contract regex is refused; carries the fix hint."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class _Node:
    """A parsed piece of a pattern: atom (one character of ``chars``), anchor, seq, alt, repeat."""

    kind: Literal["atom", "anchor", "seq", "alt", "repeat"]
    text: str
    chars: frozenset[str] = frozenset()
    items: tuple[_Node, ...] = ()
    low: int = 1
    high: int | None = 1


class _Parser:
    """Recursive descent over the portable subset; refuses everything else with a position."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.flags = re.IGNORECASE if pattern.startswith("(?i)") else 0
        self.i = 4 if self.flags else 0
        self.depth = 0

    def fail(self, what: str, hint: str, at: int | None = None) -> NoReturn:
        raise RegexError(f"{what} at position {(self.i if at is None else at) + 1}", hint)

    def peek(self, ahead: int = 0) -> str:
        j = self.i + ahead
        return self.pattern[j] if j < len(self.pattern) else ""

    def atom(self, text: str) -> _Node:
        try:
            compiled = re.compile(text, self.flags | re.DOTALL)
        except (re.error, OverflowError) as exc:
            self.fail(f"{text!r} does not compile: {exc}", _PORTABLE)
        return _Node("atom", text, frozenset(c for c in _SAMPLE if compiled.fullmatch(c)))

    def parse(self) -> _Node:
        node = self.alternation()
        if self.i < len(self.pattern):
            self.fail("unbalanced ')'", "escape a literal parenthesis as \\)")
        return node

    def alternation(self) -> _Node:
        start = self.i
        branches = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence())
        if len(branches) == 1:
            return branches[0]
        return _Node("alt", self.pattern[start : self.i], items=tuple(branches))

    def sequence(self) -> _Node:
        start = self.i
        items: list[_Node] = []
        while self.peek() not in ("", "|", ")"):
            item = self.quantified()
            items.extend(item.items if item.kind == "seq" else (item,))
        return _Node("seq", self.pattern[start : self.i], items=tuple(items))

    def quantified(self) -> _Node:
        start = self.i
        node = self.single()
        bounds = self.quantifier()
        if bounds is None:
            return node
        if node.kind == "anchor":
            self.fail("a repeated anchor", "remove the quantifier after the anchor", start)
        if self.peek() in ("*", "+", "?", "{"):
            self.fail("a repeat of a repeat", "group the inner repeat: (?:a{2}){3}")
        low, high = bounds
        return _Node("repeat", self.pattern[start : self.i], items=(node,), low=low, high=high)

    def quantifier(self) -> tuple[int, int | None] | None:
        char = self.peek()
        bounds: tuple[int, int | None]
        if char in ("*", "+", "?"):
            bounds = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
            self.i += 1
        elif char == "{":
            match = _COUNT.match(self.pattern, self.i)
            if match is None:
                self.fail("'{' that is not a repeat count", "write {n}, {n,} or {n,m}, or \\{")
            low = int(match.group(1))
            high = None if match.group(2) and not match.group(3) else int(match.group(3) or low)
            if max(low, high or 0) > MAX_REPEAT:
                self.fail(f"a repeat count above {MAX_REPEAT}", "use a smaller count")
            if high is not None and high < low:
                self.fail(f"{{{low},{high}}} has max below min", "write {min,max}")
            bounds = (low, high)
            self.i = match.end()
        else:
            return None
        if self.peek() in ("?", "+"):
            self.i += 1
        return bounds

    def single(self) -> _Node:
        char, start = self.peek(), self.i
        if char == "(":
            if self.pattern.startswith("(?:", self.i):
                self.i += 3
            elif self.peek(1) == "?":
                self.fail(
                    "group syntax (?...) is not supported",
                    "use (...) or (?:...); lookarounds, named and atomic groups, comments and "
                    "inline flags other than a leading (?i) differ between Java and Python",
                )
            else:
                self.i += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self.fail(f"groups nested more than {MAX_DEPTH} deep", "flatten the groups", start)
            inner = self.alternation()
            self.depth -= 1
            if self.peek() != ")":
                self.fail("'(' without ')'", "close the group, or escape it as \\(", start)
            self.i += 1
            return inner
        if char == "[":
            return self.char_class()
        if char == "\\":
            return self.escape()
        self.i += 1
        if char in ("^", "$"):
            return _Node("anchor", char)
        if char in ("*", "+", "?"):
            self.fail("nothing to repeat", f"escape it as \\{char}", start)
        if char in ("{", "}", "]"):
            self.fail(f"an unescaped '{char}'", f"escape it as \\{char}", start)
        return self.atom(re.escape(char) if char != "." else char)

    def escape(self) -> _Node:
        start = self.i
        char = self.peek(1)
        self.i += 2
        if not char:
            self.fail("a trailing backslash", "escape a backslash as \\\\", start)
        if char in "bBA":
            return _Node("anchor", "\\" + char)
        if char in "dDwWsStnrf" or (char.isascii() and not char.isalnum()):
            return self.atom("\\" + char)
        self.fail(f"\\{char} is not supported", _PORTABLE, start)

    def char_class(self) -> _Node:
        start = self.i
        self.i += 2 if self.peek(1) == "^" else 1
        if self.peek() == "]":
            self.fail("an empty class or a leading ']'", "escape ']' inside a class as \\]")
        first, previous = self.i, ""
        while self.peek() != "]":
            char = self.peek()
            if not char:
                self.fail("'[' without ']'", "close the class, or escape it as \\[", start)
            if char == "[":
                self.fail("'[' inside a class", "escape it as \\[ (Java reads a nested class)")
            if self.pattern.startswith("&&", self.i):
                self.fail("'&&' inside a class", "Java reads an intersection; write \\&\\&")
            if char == "-" and self.i != first and self.peek(1) != "]":
                if not previous:
                    self.fail("a '-' that is not a range", "escape it as \\-, or put it last")
                self.range(previous)
                previous = ""
                continue
            previous = self.class_member()
        self.i += 1
        return self.atom(self.pattern[start : self.i])

    def class_member(self) -> str:
        """Consume one member; return the literal character, or "" for a class escape."""
        char = self.peek()
        self.i += 1
        if char != "\\":
            return char
        escaped = self.peek()
        self.i += 1
        if escaped in ("d", "D", "w", "W", "s", "S"):
            return ""
        if escaped in ("t", "n", "r", "f"):
            return {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}[escaped]
        if escaped.isascii() and escaped and not escaped.isalnum():
            return escaped
        self.fail(f"\\{escaped} is not supported inside a class", _PORTABLE, self.i - 2)

    def range(self, low: str) -> None:
        dash = self.i
        self.i += 1
        high = self.class_member()
        if not high:
            self.fail("a range that ends in a class escape", "escape the '-' as \\-", dash)
        if high < low:
            self.fail(f"the range {low}-{high} is reversed", f"write {high}-{low}", dash)


def _nullable(node: _Node) -> bool:
    if node.kind in ("atom", "anchor"):
        return node.kind == "anchor"
    if node.kind == "seq":
        return all(map(_nullable, node.items))
    if node.kind == "alt":
        return any(map(_nullable, node.items))
    return node.low == 0 or _nullable(node.items[0])


def _first(node: _Node) -> frozenset[str]:
    """Characters a match of ``node`` can start with."""
    if node.kind != "seq":
        return node.chars.union(*map(_first, node.items))
    found: frozenset[str] = frozenset()
    for item in node.items:
        found |= _first(item)
        if not _nullable(item):
            break
    return found


def _chars(node: _Node) -> frozenset[str]:
    """Characters a match of ``node`` can consume."""
    return node.chars.union(*map(_chars, node.items))


def _walk(node: _Node) -> Iterator[_Node]:
    yield node
    for item in node.items:
        yield from _walk(item)


def _stops_before(item: _Node, after: _Node | None) -> bool:
    """Whether repeat ``item`` of a single-way part must end where ``after`` starts."""
    return (
        item.kind == "repeat"
        and after is not None
        and _ways(item.items[0]) == 1
        and not _nullable(after)
        and not _first(after) & _chars(item)
    )


def _ways(node: _Node) -> float:
    """Upper bound of the ways ``node`` can match one piece of text (inf when unbounded)."""
    if node.kind in ("atom", "anchor"):
        return 1
    if node.kind == "seq":
        return math.prod(
            1 if _stops_before(item, after) else _ways(item)
            for item, after in zip(node.items, (*node.items[1:], None), strict=True)
        )
    if node.kind == "alt":
        firsts = [_first(branch) for branch in node.items]
        disjoint = sum(map(len, firsts)) == len(frozenset().union(*firsts))
        if disjoint and not any(map(_nullable, node.items)):
            return max(map(_ways, node.items))
        return sum(map(_ways, node.items))
    if node.high is None:
        return math.inf
    ways = _ways(node.items[0]) ** node.high * (node.high - node.low + 1)
    return ways if ways <= _MAX_WAYS else math.inf


def _fixed(node: _Node) -> bool:
    """Whether every match of ``node`` has the same length (Java then repeats it in a loop)."""
    if node.kind == "alt" or (node.kind == "repeat" and node.low != node.high):
        return False
    return all(map(_fixed, node.items))


def _check_repeats(root: _Node) -> None:
    for node in _walk(root):
        if node.kind != "repeat" or node.high == 1:
            continue
        body = node.items[0]
        if node.high is None and _nullable(body):
            raise RegexError(
                f"{node.text!r} repeats something that can match empty text",
                "make the repeated part match at least one character",
            )
        ways = _ways(body)
        if ways > 1 and (node.high is None or ways**node.high > _MAX_WAYS):
            raise RegexError(
                f"{node.text!r} repeats a part that can match the same text in several ways",
                "do not nest repeats: '(a+)+' -> 'a+', '(\\w+\\s?)*' -> '[\\w\\s]*'; make "
                "alternatives start differently: '(ab|ac)*' -> '(a[bc])*'",
            )
        if not _fixed(body) and (node.high is None or node.high > MAX_GROUP_REPEAT):
            raise RegexError(
                f"{node.text!r} repeats a variable-length group without a bound of at most "
                f"{MAX_GROUP_REPEAT}: Java recurses once per repetition, so a long value "
                "overflows its stack and fails the batch",
                f"bound the repeat, e.g. {{0,{MAX_GROUP_REPEAT}}}, or repeat single characters",
            )


def _within(node: _Node, allowed: frozenset[str]) -> bool:
    """Whether ``node`` can match some text made only of ``allowed`` characters."""
    if node.kind in ("atom", "anchor"):
        return node.kind == "anchor" or bool(node.chars & allowed)
    if node.kind == "alt":
        return any(_within(item, allowed) for item in node.items)
    if node.kind == "repeat" and node.low == 0:
        return True
    return all(_within(item, allowed) for item in node.items)


def _clashes(first: _Node, second: _Node) -> bool:
    """Whether unbounded repeats ``first`` and ``second`` can both take one long run of text."""
    common = _chars(first) & _chars(second)
    return _within(first.items[0], common) and _within(second.items[0], common)


def _barrier(node: _Node, taken: frozenset[str]) -> bool:
    """Whether ``node`` must start with a character outside ``taken``."""
    return not _nullable(node) and not _first(node) & taken


def _reached(node: _Node, repeat: _Node) -> _Node | None:
    """An unbounded repeat in ``node`` that ``repeat`` can run into without a barrier between."""
    if node.kind == "repeat" and node.high is None and _clashes(repeat, node):
        return node
    if node.kind == "seq":
        for item in node.items:
            found = _reached(item, repeat)
            if found is not None or _barrier(item, _chars(repeat)):
                return found
        return None
    return next(filter(None, (_reached(item, repeat) for item in node.items)), None)


def _check_neighbours(root: _Node) -> None:
    for node in _walk(root):
        if node.kind != "seq":
            continue
        for index, item in enumerate(node.items):
            if item.kind != "repeat" or item.high is not None:
                continue
            for after in node.items[index + 1 :]:
                clash = _reached(after, item)
                if clash is not None:
                    raise RegexError(
                        f"{item.text!r} and {clash.text!r} can take the same characters, so a "
                        "failing match tries every split between them",
                        "separate them by a character the first cannot match, or merge them: "
                        "'\\d+\\d*' -> '\\d+', '.*x.*' -> '[^x]*x.*'",
                    )
                if _barrier(after, _chars(item)):
                    break


def _check_restarts(root: _Node) -> None:
    for branch in root.items if root.kind == "alt" else (root,):
        head = branch.items[0] if branch.kind == "seq" and branch.items else branch
        if head.kind == "anchor" and head.text in ("^", "\\A"):
            continue
        starts = frozenset(_SAMPLE) if _nullable(branch) else _first(branch)
        for node in _walk(branch):
            if node.kind == "repeat" and node.high is None and _chars(node) & starts:
                raise RegexError(
                    f"unanchored {node.text!r}: the match restarts at every character it "
                    "consumed, which is quadratic on long values",
                    "anchor the pattern: start it (and each top-level alternative) with ^",
                )


def regex_problem(pattern: str) -> RegexError | None:
    """Why ``pattern`` is refused as a contract regex, or None when it is accepted."""
    if len(pattern) > MAX_LENGTH:
        return RegexError(
            f"the pattern is {len(pattern)} characters long (at most {MAX_LENGTH})",
            "shorten it, or use enum or min_length/max_length",
        )
    try:
        root = _Parser(pattern).parse()
        _check_repeats(root)
        _check_neighbours(root)
        _check_restarts(root)
    except RegexError as exc:
        return exc
    return None
