"""Contract regexes: the portable subset of Java and Python regex, and the backtracking checks.

``tests/spark/test_config_on_the_jvm.py`` compiles every accepted pattern with
``java.util.regex`` and times it on hostile input: the JVM agrees with these tables.
"""

from __future__ import annotations

import pytest

from lakestream.common.config.regexes import MAX_LENGTH, regex_problem

ACCEPTED = [
    "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$",
    "^\\d+\\.\\d+\\.\\d+$",
    "^[0-9A-Fa-f]{24}$",
    "^(\\d{1,3}\\.){3}\\d{1,3}$",
    "^[a-z]+@[a-z]+\\.[a-z]{2,}$",
    "^(?:[a-z0-9-]{1,63}\\.){0,100}[a-z]{2,}$",
    "^([a-z]+\\.){0,100}com$",
    "^[0-9]+(\\.[0-9]+)?$",
    "^(ab|cd){1,100}$",
    "^(a*b){0,100}$",
    "^(?:ab)+$",
    "^(a)+$",
    "^a*b*$",
    "^\\s*\\S+$",
    "^(a+)?$",
    "^(a{1})+$",
    "^(?:abc)*x+",
    "^\\(a+\\)+",
    "(?i)^[a-f0-9]{8}$",
    "^[^\\]]*$",
    "^[-a]$",
    "^[a-]$",
    "^\\w{1000}$",
    "^é+$",
    "abc\\d+x",
    "^(dock|aisle|exit)$",
    "\\bdock\\b",
    "^\\t\\n\\r\\f$",
    "^a|^b+",
]

REFUSED = [
    # Python reads these, Java refuses them (or the reverse, or they mean different things)
    ("a{", "'{' that is not a repeat count"),
    ("^{\\d+}$", "'{' that is not a repeat count"),
    ("x{,3}", "'{' that is not a repeat count"),
    ("[[]", "'[' inside a class"),
    ("[a-z&&[^e]]", "'&&' inside a class"),
    ("(?P<name>a)", "group syntax (?...)"),
    ("(?<name>a)", "group syntax (?...)"),
    ("(?=a)b", "group syntax (?...)"),
    ("(?#comment)", "group syntax (?...)"),
    ("a(?i)b", "group syntax (?...)"),
    ("\\p{L}", "\\p is not supported"),
    ("\\z", "\\z is not supported"),
    ("\\Z", "\\Z is not supported"),
    ("(a)\\1", "\\1 is not supported"),
    ("\\0", "\\0 is not supported"),
    ("\\x41", "\\x is not supported"),
    ("\\Q*\\E", "\\Q is not supported"),
    ("[\\b]", "\\b is not supported inside a class"),
    ("[\\w-.]", "'-' that is not a range"),
    ("[a-z-0]", "'-' that is not a range"),
    ("[]a]", "a leading ']'"),
    ("a{1,2}{3}", "a repeat of a repeat"),
    ("a**", "a repeat of a repeat"),
    ("}", "unescaped '}'"),
    # broken in both
    ("^[0-9A-Fa-f{24}$", "'[' without ']'"),
    ("(ab", "'(' without ')'"),
    ("ab)", "unbalanced ')'"),
    ("a|*", "nothing to repeat"),
    ("^*", "a repeated anchor"),
    ("ab\\", "a trailing backslash"),
    ("[z-a]", "reversed"),
    ("x{3,2}", "max below min"),
    ("x{99999999999}", "above 1000"),
    ("(" * 25 + ")" * 25, "nested more than 20 deep"),
    ("a" * (MAX_LENGTH + 1), "characters long"),
    # catastrophic backtracking
    ("^(a+)+$", "in several ways"),
    ("^(a*)*$", "can match empty text"),
    ("^(a?)+$", "can match empty text"),
    ("^(a|a)*$", "in several ways"),
    ("^(a|ab)*$", "in several ways"),
    ("^(\\w+\\s?)*$", "in several ways"),
    ("^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+$", "in several ways"),
    ("^(a{1,3}){1,16}$", "in several ways"),
    ("^(a+){2}$", "in several ways"),
    ("^\\d+\\d*$", "can take the same characters"),
    ("^.*x.*y$", "can take the same characters"),
    ("^\\w+\\s*\\w+$", "can take the same characters"),
    ("^\\d+x?\\d+$", "can take the same characters"),
    ("^(ab)*[ab]*$", "can take the same characters"),
    ("^([a-z]+\\.)*com$", "overflows its stack"),
    ("^(ab|cd)+$", "overflows its stack"),
    ("^(a*b){0,101}$", "overflows its stack"),
    ("\\w+@", "unanchored"),
    (".*x", "unanchored"),
    ("^a|b+c", "unanchored"),
]


@pytest.mark.unit
@pytest.mark.parametrize("pattern", ACCEPTED)
def test_accepted(pattern: str) -> None:
    assert regex_problem(pattern) is None


@pytest.mark.unit
@pytest.mark.parametrize(("pattern", "message"), REFUSED)
def test_refused(pattern: str, message: str) -> None:
    problem = regex_problem(pattern)
    assert problem is not None, pattern
    assert message in str(problem)
    assert problem.hint
