"""A Spark Python streaming data source over a Delta table's change data feed.

Offsets are table versions: ``{"version": V}`` means every commit up to V was delivered.
Options: ``endingVersion`` caps the latest offset, so a run reads no commit after it;
``maxVersionsPerTrigger`` bounds a micro-batch to that many commits after the previous one
(``afterVersion``: where the query's checkpoint left off, for its first batch after a start);
``changeFiles`` makes the stream carry the files of each commit's changes instead of their rows
(for a local table, whose files Spark reads itself: decision 0104).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition
from pyspark.sql.types import (
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

if TYPE_CHECKING:
    from lakestream.common.tables.delta_log import DataFile

CHANGE_FEED_FORMAT = "lakestream_delta_cdf"
ENDING_VERSION = "endingVersion"
MAX_VERSIONS = "maxVersionsPerTrigger"
AFTER_VERSION = "afterVersion"
CHANGE_FILES = "changeFiles"
_STORAGE_PREFIX = "storage."

CHANGE_FILES_SCHEMA = StructType(
    [
        StructField("path", StringType()),
        StructField("partition_values", StringType()),
        StructField("change_type", StringType()),
        StructField("commit_version", LongType()),
        StructField("commit_timestamp", TimestampType()),
    ]
)
"""One row per file of a commit's changes; ``change_type`` is NULL for a change-data file,
whose rows carry their own."""


class VersionRange(InputPartition):
    """Commits ``first..last`` (inclusive) of one table."""

    def __init__(self, first: int, last: int) -> None:
        self.first = first
        self.last = last


class ChangeFeedReader(DataSourceStreamReader):
    """Plans one partition per slice of new commits and reads their changes."""

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
        self.ending = _int(by_name.get(ENDING_VERSION.lower()))
        self.max_versions = _int(by_name.get(MAX_VERSIONS.lower()))
        self.after = _int(by_name.get(AFTER_VERSION.lower()))
        self.files = by_name.get(CHANGE_FILES.lower()) == "true"

    def _table(self) -> Any:
        from deltalake import DeltaTable

        return DeltaTable(self.path, storage_options=self.storage or None)

    def initialOffset(self) -> dict[str, int]:
        """Before the first commit."""
        return {"version": -1}

    def latestOffset(self) -> dict[str, int]:
        """The table's current version, capped by ``endingVersion`` and the per-trigger bound."""
        if self.files:
            from lakestream.common.tables.delta_log import latest_version, local_path

            latest = latest_version(local_path(self.path))
        else:
            latest = int(self._table().version())
        if self.ending is not None:
            latest = min(latest, self.ending)
        if self.max_versions is not None:
            latest = min(latest, (-1 if self.after is None else self.after) + self.max_versions)
        return {"version": latest}

    def partitions(self, start: dict[str, int], end: dict[str, int]) -> list[InputPartition]:
        """Split commits ``start+1..end`` into at most ``maxPartitions`` contiguous ranges.

        Change files are listed from the log in one range: that is a read of a few JSON files.
        """
        first, last = int(start["version"]) + 1, int(end["version"])
        self.after = max(last, first - 1)
        if last < first:
            return []
        count = last - first + 1
        slices = 1 if self.files else min(self.max_partitions, count)
        size = -(-count // slices)
        return [VersionRange(lo, min(lo + size - 1, last)) for lo in range(first, last + 1, size)]

    def read(self, partition: InputPartition) -> Iterator[Any]:
        """Yield the partition's change files, or its change rows as Arrow batches."""
        assert isinstance(partition, VersionRange)
        if self.files:
            yield from change_files(Path(self.path), partition)
            return
        from lakestream.common.tables.arrow import arrow_schema, conform

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


def _int(value: str | None) -> int | None:
    return int(value) if value is not None else None


def change_files(table: Path, partition: VersionRange) -> Iterator[tuple[Any, ...]]:
    """Rows of ``CHANGE_FILES_SCHEMA`` for the commits of ``partition``, as the Delta protocol
    defines a commit's changes: its change-data files when it has any, else its added files
    (inserts) and removed files (deletes) that change data."""
    from datetime import UTC, datetime

    from lakestream.common.tables.delta_log import local_path, read_commit

    root = local_path(str(table))
    for version in range(partition.first, partition.last + 1):
        commit = read_commit(root, version)
        if commit is None:
            raise FileNotFoundError(f"{root}: commit {version} of the change feed is missing")
        at = datetime.fromtimestamp(commit.timestamp_ms / 1000, UTC)
        kinds: list[tuple[DataFile, str | None]] = [(f, None) for f in commit.changes]
        if not commit.changes:
            kinds = [(f, "insert") for f in commit.added]
            kinds += [(f, "delete") for f in commit.removed]
        for file, change_type in kinds:
            values = json.dumps(file.partition_values)
            yield (str(file.path), values, change_type, version, at)


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
