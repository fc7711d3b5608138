"""Streaming sources of raw event bodies: ``body`` (binary) plus ``source`` coordinates.

Each built-in source module registers its spec (``sources.base.register_source``) when this
package is imported; ``source_for(settings)`` picks the configured one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark.sql import DataFrame, SparkSession

from lakestream.common.settings import Settings
from lakestream.common.sources import eventhubs, files, kafka  # noqa: F401  (register themselves)
from lakestream.common.sources.base import source_for

if TYPE_CHECKING:
    from lakestream.common.runtime.batch import BatchContext


def open_source(spark: SparkSession, settings: Settings) -> DataFrame:
    """The configured raw-body stream (``LAKESTREAM_SOURCE``)."""
    return source_for(settings).stream(spark)


def check_source(settings: Settings) -> None:
    """Raise SourceUnavailableError when the configured source is gone while a job runs."""
    source_for(settings).probe()


def check_batch_input(ctx: BatchContext, read: set[str]) -> None:
    """Raise SourceUnavailableError when the batch lost planned input before its read.

    ``read`` holds the inputs (for ``files``: landing files) the batch's input rows came from.
    """
    source_for(ctx.runtime.settings).verify_batch(ctx, read)
