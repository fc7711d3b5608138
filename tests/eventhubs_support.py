"""Test support for the Event Hubs source: run a stream to the end and collect its rows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pyspark.errors import StreamingQueryException
from pyspark.sql import DataFrame, SparkSession

from lakestream.common.sources.eventhubs import EVENTHUBS_FORMAT, forward_secret
from lakestream.devtools.eventhubs_local import LocalEventHubsServer

CONN_ENV = "LAKESTREAM_TEST_EVENTHUBS_CONNECTION_STRING"


def source_options(server: LocalEventHubsServer, **extra: str) -> dict[str, str]:
    """Options for the local server; the connection string is passed by environment variable."""
    os.environ[CONN_ENV] = server.connection_string
    return {
        "connectionStringEnv": CONN_ENV,
        "receiveTimeout": "20",
        "maxRetries": "1",
        "retryBackoff": "0.2",
        **extra,
    }


class Collector:
    """A ``foreachBatch`` function that keeps every batch's rows (driver side)."""

    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        self.batches.append([r.asDict(recursive=True) for r in batch.collect()])

    @property
    def rows(self) -> list[dict[str, Any]]:
        """All rows in batch order."""
        return [r for b in self.batches for r in b]


def drain(
    spark: SparkSession, options: dict[str, str], checkpoint: Path, *, rate_limited: bool = False
) -> Collector:
    """Run an ``eventhubs`` stream until everything available is processed, then stop it."""
    collector = Collector()
    stream = (
        spark.readStream.format(EVENTHUBS_FORMAT).options(**forward_secret(spark, options)).load()
    )
    writer = stream.writeStream.foreachBatch(collector).option(
        "checkpointLocation", str(checkpoint)
    )
    try:
        if rate_limited:
            query = writer.trigger(processingTime="0 seconds").start()
            try:
                query.processAllAvailable()
            finally:
                query.stop()
        else:
            writer.trigger(availableNow=True).start().awaitTermination()
    except StreamingQueryException as exc:
        raise RuntimeError(str(exc)) from None
    return collector
