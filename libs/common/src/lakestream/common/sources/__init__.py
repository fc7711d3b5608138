"""Streaming sources of raw event bodies: ``body`` (binary) plus ``source`` coordinates."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from lakestream.common.settings import Settings
from lakestream.common.sources.files import landing_files


def open_source(spark: SparkSession, settings: Settings) -> DataFrame:
    """The configured raw-body stream (``LAKESTREAM_SOURCE``)."""
    return landing_files(spark, settings.landing_path, settings.max_files_per_trigger)
