"""Streaming sources of raw event bodies: ``body`` (binary) plus ``source`` coordinates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark.sql import DataFrame, SparkSession

from lakestream.common.settings import Settings
from lakestream.common.sources.files import check_batch_files, check_landing, landing_files

if TYPE_CHECKING:
    from lakestream.common.runtime.batch import BatchContext


def open_source(spark: SparkSession, settings: Settings) -> DataFrame:
    """The configured raw-body stream (``LAKESTREAM_SOURCE``)."""
    if settings.source == "eventhubs":
        from lakestream.common.sources.eventhubs import eventhubs_stream, options_from_settings

        return eventhubs_stream(spark, options_from_settings(settings), settings.bound_tenants)
    if settings.source == "kafka":
        from lakestream.common.sources.kafka import kafka_stream

        return kafka_stream(spark, settings)
    return landing_files(spark, settings.landing_path, settings.max_files_per_trigger)


def check_source(settings: Settings) -> None:
    """Raise SourceUnavailableError when the configured source is gone while a job runs.

    Only the ``files`` source needs this; the ``eventhubs`` source retries and fails by itself.
    """
    if settings.source == "files":
        check_landing(settings.landing_path)


def check_batch_input(ctx: BatchContext, read: set[str]) -> None:
    """Raise SourceUnavailableError when a ``files`` batch lost a planned file before its read.

    ``read`` holds the landing files the batch's input rows came from.
    """
    if ctx.runtime.settings.source != "files":
        return
    checkpoint = ctx.runtime.layout.checkpoint(ctx.service.name, ctx.flow)
    check_batch_files(checkpoint, ctx.batch_id, read)
