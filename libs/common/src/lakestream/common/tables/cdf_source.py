"""A Spark Python streaming data source over a Delta table's change data feed, read by delta-rs.

Offsets are table versions: ``{"version": V}`` means every commit up to V was delivered.
Option ``endingVersion`` caps the latest offset, so a run reads no commit after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition
from pyspark.sql.types import StructType

CHANGE_FEED_FORMAT = "lakestream_delta_cdf"
ENDING_VERSION = "endingVersion"
_STORAGE_PREFIX = "storage."


class VersionRange(InputPartition):
    """Commits ``first..last`` (inclusive) of one table."""

    def __init__(self, first: int, last: int) -> None:
        self.first = first
        self.last = last


class ChangeFeedReader(DataSourceStreamReader):
    """Plans one partition per slice of new commits and reads them with ``load_cdf``."""

    def __init__(self, schema: StructType, options: dict[str, str]) -> None:
        self.schema = schema
        self.path = options["path"]
        self.storage = {
            k[len(_STORAGE_PREFIX) :]: v
            for k, v in options.items()
            if k.startswith(_STORAGE_PREFIX)
        }
        by_name = {k.lower(): v for k, v in options.items()}
        self.max_partitions = int(by_name.get("maxpartitions", "4"))
        ending = by_name.get(ENDING_VERSION.lower())
        self.ending = int(ending) if ending is not None else None

    def _table(self) -> Any:
        from deltalake import DeltaTable

        return DeltaTable(self.path, storage_options=self.storage or None)

    def initialOffset(self) -> dict[str, int]:
        """Before the first commit."""
        return {"version": -1}

    def latestOffset(self) -> dict[str, int]:
        """The table's current version (at most ``endingVersion``)."""
        latest = int(self._table().version())
        return {"version": latest if self.ending is None else min(latest, self.ending)}

    def partitions(self, start: dict[str, int], end: dict[str, int]) -> list[InputPartition]:
        """Split commits ``start+1..end`` into at most ``maxPartitions`` contiguous ranges."""
        first, last = int(start["version"]) + 1, int(end["version"])
        if last < first:
            return []
        count = last - first + 1
        slices = min(self.max_partitions, count)
        size = -(-count // slices)
        return [VersionRange(lo, min(lo + size - 1, last)) for lo in range(first, last + 1, size)]

    def read(self, partition: InputPartition) -> Iterator[pa.RecordBatch]:
        """Yield the partition's change rows as Arrow batches in the declared schema."""
        from lakestream.common.tables.arrow import arrow_schema, conform

        assert isinstance(partition, VersionRange)
        target = arrow_schema(self.schema)
        reader = self._table().load_cdf(
            starting_version=partition.first, ending_version=partition.last
        )
        stream = pa.RecordBatchReader.from_stream(reader)
        for batch in stream:
            if batch.num_rows:
                yield from conform(pa.Table.from_batches([batch]), target).to_batches()

    def commit(self, end: dict[str, int]) -> None:
        """Nothing to release: offsets live in the Spark checkpoint."""


class DeltaChangeFeedSource(DataSource):
    """``spark.readStream.format("lakestream_delta_cdf").schema(...).option("path", ...)``."""

    @classmethod
    def name(cls) -> str:
        """Format name to use in ``readStream.format``."""
        return CHANGE_FEED_FORMAT

    def schema(self) -> StructType:
        """The schema must be given by the caller (table columns plus CDF columns)."""
        raise ValueError(f"{CHANGE_FEED_FORMAT}: pass the schema with .schema(...)")

    def streamReader(self, schema: StructType) -> DataSourceStreamReader:
        """Reader over the change feed at option ``path``."""
        return ChangeFeedReader(schema, dict(self.options))
