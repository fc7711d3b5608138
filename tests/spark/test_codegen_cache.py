"""The session keeps enough generated classes that a layer's plan is not recompiled per batch."""

from __future__ import annotations

import pytest
from pyspark.sql import DataFrame, SparkSession

from lakestream.common.spark.session import CODEGEN_CACHE_ENTRIES

pytestmark = pytest.mark.spark


def _compiles(spark: SparkSession) -> int:
    metrics = spark.sparkContext._jvm.org.apache.spark.metrics.source.CodegenMetrics  # type: ignore[union-attr]
    return int(metrics.METRIC_COMPILATION_TIME().getCount())


def _plan(df: DataFrame) -> None:
    """Generate and compile the frame's code without running a job."""
    df._jdf.queryExecution().toRdd()


def test_a_plan_stays_compiled_while_more_than_sparks_default_of_others_compile(
    spark: SparkSession,
) -> None:
    def hot() -> DataFrame:
        return spark.range(4).selectExpr(
            "id * 31 + 7 AS hot_column", "sha2(CAST(id AS string), 256)"
        )

    _plan(hot())
    others = 150
    assert others < CODEGEN_CACHE_ENTRIES
    before = _compiles(spark)
    for i in range(others):
        _plan(spark.range(4).selectExpr(f"id * {i + 1000} + 3 AS other_{i}"))
    assert _compiles(spark) - before >= others, "each distinct plan compiles once"
    again = _compiles(spark)
    _plan(hot())
    assert _compiles(spark) == again, "the first plan was evicted and compiled again"
