"""Timestamp ``format`` rules (``tests/spark/test_config_on_the_jvm.py`` runs both on Spark)."""

from __future__ import annotations

import pytest

from lakestream.common.config.datetimes import format_problem

ACCEPTED_FORMATS = [
    "yyyy-MM-dd HH:mm:ss",
    "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
    "dd-MMM-yyyy hh:mm a",
    "dd-LLL-yy",
    "yyyy-MM-dd [HH:mm]",
    "yyyy-MM-dd [HH",
    "yyyy-MM-dd ''",
    "G yyyy D",
    "yyyy-MM-dd z O VV",
    "yyyy-MM-dd HH:mm:ss.SSSSSSSSS Z",
    "yyyy/MM/dd kk:mm KK!@$%&*()_+=|;<>,.? ~^`",
]
REFUSED_FORMATS = [
    ("'", "not closed"),
    ("yyyy-MM-dd 'T", "not closed"),
    ("YYYY-MM-dd", "'Y'"),
    ("yyyy-ww", "'w'"),
    ("uuuu-MM-dd", "'u'"),
    ("EEE, dd MMM yyyy", "'E'"),
    ("qqq yyyy", "'q'"),
    ("yyyy-MM-dd n", "'n'"),
    ("yyyy-MM-dd B", "'B'"),
    ("yyyy-MM-dd VVVV", "'V' may appear 2 times"),
    ("MMMMMM yyyy", "'M' may appear"),
    ("yyyyyyyyyyy", "'y' may appear"),
    ("yyyy-MM-dd HH:mm:ss.SSSSSSSSSS", "'S' may appear"),
    ("yyyy-MM-dd OO", "'O' may appear 1, 4 times"),
    ("yyyy-MM-dd#", "reserved"),
    ("yyyy-MM-dd{}", "reserved"),
    ("yyyy-MM-dd ]", "closes no '['"),
]


@pytest.mark.unit
@pytest.mark.parametrize("pattern", ACCEPTED_FORMATS)
def test_accepted_formats(pattern: str) -> None:
    assert format_problem(pattern) is None


@pytest.mark.unit
@pytest.mark.parametrize(("pattern", "message"), REFUSED_FORMATS)
def test_refused_formats(pattern: str, message: str) -> None:
    problem = format_problem(pattern)
    assert problem is not None and message in problem, problem
