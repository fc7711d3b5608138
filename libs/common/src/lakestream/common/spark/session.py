"""One SparkSession per process, configured for lakestream (UTC, quiet, data sources registered)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

from lakestream.common.runtime.memory import cap_arenas, use_system_arrow_pool
from lakestream.common.settings import Settings
from lakestream.common.sources.base import registered_sources
from lakestream.common.spark.java import ensure_java
from lakestream.common.spark.python_sources import register_data_source
from lakestream.common.tables.cdf_source import DeltaChangeFeedSource

_LOG4J = Path(__file__).with_name("log4j2.properties")
MALLOC_ARENAS = 2
CODEGEN_CACHE_ENTRIES = 1000
"""Generated classes Spark keeps compiled (its default is 100; decision 0111).

One local process runs the plans of all three layers; together they need more than 100 classes
per cycle, so with the default every batch recompiled most of its stages (0.2-0.6 s a batch).
"""
DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"
DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog"


def get_spark(settings: Settings, app_name: str = "lakestream") -> SparkSession:
    """Return the active SparkSession, creating a local one when none runs (Databricks has one)."""
    active = SparkSession.getActiveSession()
    if active is not None:
        _register(active)
        return active
    ensure_java()
    # Few malloc arenas: the JVM's, the Python workers' and this driver's many threads otherwise
    # each grow their own, which adds hundreds of MB of resident memory on a local machine; and
    # Arrow on the system allocator, whose freed pages go back (decision 0103).
    os.environ.setdefault("MALLOC_ARENA_MAX", str(MALLOC_ARENAS))
    cap_arenas(MALLOC_ARENAS)
    use_system_arrow_pool()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    java_opts = f"-Dlog4j2.configurationFile={_LOG4J.as_uri()}"
    builder = SparkSession.builder
    for key, value in package_confs(settings.spark_packages).items():
        builder = builder.config(key, value)
    spark = (
        builder.appName(app_name)
        .master(settings.spark_master)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(settings.shuffle_partitions))
        .config("spark.default.parallelism", str(settings.shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.extraJavaOptions", java_opts)
        .config("spark.sql.streaming.stopGracefullyOnShutdown", "true")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.python.worker.reuse", "true")
        .config("spark.sql.codegen.cache.maxEntries", str(CODEGEN_CACHE_ENTRIES))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    _register(spark)
    return spark


def package_confs(packages: str | None) -> dict[str, str]:
    """Spark confs for ``LAKESTREAM_SPARK_PACKAGES`` (Maven coordinates, comma-separated).

    When Delta Lake (``io.delta:``) is among them, its session extension and catalog are enabled.
    """
    if not packages:
        return {}
    confs = {"spark.jars.packages": packages}
    if "io.delta:" in packages:
        confs["spark.sql.extensions"] = DELTA_EXTENSION
        confs["spark.sql.catalog.spark_catalog"] = DELTA_CATALOG
    return confs


def _register(spark: SparkSession) -> None:
    register_data_source(spark, DeltaChangeFeedSource)
    for source in registered_sources().values():
        for data_source in source.data_sources:
            register_data_source(spark, data_source)
