"""What config validation accepts, checked against the JVM that runs it.

Every accepted contract regex compiles in ``java.util.regex`` and stays fast on hostile input;
every function an upcast may call is a Spark built-in and every accepted expression parses;
Spark parses with every accepted timestamp format and fails on every refused one.
"""

from __future__ import annotations

import time

import pytest
from py4j.protocol import Py4JJavaError
from pyspark.sql import SparkSession

from lakestream.common.config.expressions import FUNCTIONS
from tests.unit.test_config_datetimes import ACCEPTED_FORMATS, REFUSED_FORMATS
from tests.unit.test_config_expressions import ACCEPTED_EXPRESSIONS
from tests.unit.test_config_regexes import ACCEPTED

pytestmark = pytest.mark.spark

HOSTILE = [c * 20_000 + "!" for c in "a0 .-_@xb\t"] + ["a." * 10_000 + "!", "ab" * 10_000 + "!"]
"""Long runs of the characters accepted patterns repeat, each ending in a mismatch."""


@pytest.fixture(scope="module")
def pattern_class(spark: SparkSession) -> object:
    return spark.sparkContext._jvm.java.util.regex.Pattern  # type: ignore[union-attr]


def test_accepted_regexes_compile_in_java_and_stay_fast(pattern_class: object) -> None:
    failed: dict[str, str] = {}
    for pattern in ACCEPTED:
        compiled = pattern_class.compile(pattern)  # type: ignore[attr-defined]
        for text in HOSTILE:
            started = time.monotonic()
            try:
                compiled.matcher(text).find()
            except Py4JJavaError as exc:
                failed[pattern] = str(exc.java_exception)
            took = time.monotonic() - started
            if took > 0.5:
                failed[pattern] = f"{took:.1f}s on {text[:8]!r}..."
    assert not failed, failed


def test_accepted_expressions_parse_in_spark(spark: SparkSession) -> None:
    parser = spark._jsparkSession.sessionState().sqlParser()
    failed = []
    for expression, _ in ACCEPTED_EXPRESSIONS:
        try:
            parser.parseExpression(expression)
        except Py4JJavaError as exc:
            failed.append(f"{expression}: {str(exc.java_exception)[:200]}")
    assert failed == []


def test_upcast_functions_are_spark_builtins(spark: SparkSession) -> None:
    builtins = {row.function for row in spark.sql("SHOW SYSTEM FUNCTIONS").collect()}
    assert not FUNCTIONS - builtins, sorted(FUNCTIONS - builtins)


def _format_fails(spark: SparkSession, pattern: str) -> bool:
    try:
        spark.sql("SELECT try_to_timestamp('2024-01-02', :f) AS t", args={"f": pattern}).collect()
    except Exception:
        return True
    return False


def test_timestamp_formats_agree_with_spark(spark: SparkSession) -> None:
    assert [p for p in ACCEPTED_FORMATS if _format_fails(spark, p)] == []
    assert [p for p, _ in REFUSED_FORMATS if not _format_fails(spark, p)] == []
