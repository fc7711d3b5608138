"""The embedded backend's data plane on local tables: Spark's executors write and read the files.

Writes: Spark writes a batch's Parquet files (partitioned like the table) into a hidden staging
directory of the table; each file is then moved into its partition directory under a unique name
and described as a Delta add action (size, partition values, statistics read from its footer), so
that delta-rs only commits actions. Reads: the files a snapshot or a commit names are read by
Spark's Parquet reader, and each row gets its file's partition values (and any per-file columns)
through a broadcast join on the file name (decision 0104).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyarrow.parquet as pq
from deltalake.transaction import AddAction
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from lakestream.common.tables.schemas import TableSpec

STAGING_DIR = "_lakestream_staging"
"""Hidden directory of a table where Spark writes a batch's files before they are moved in."""
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
OUTPUT_TIMESTAMP_CONF = "spark.sql.parquet.outputTimestampType"
MAX_STRING_STATS = 64
"""Longest string kept as a min/max statistic (longer ones are left out, never truncated)."""
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.:+-]{1,128}$")
_FILE = "_lakestream_file"


def _column(spec: TableSpec, name: str) -> Any:
    return F.col(name).cast(spec.schema[name].dataType).alias(name)


def _partition_values(relative: Path) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for part in relative.parent.parts:
        key, _, value = part.partition("=")
        text = unquote(value)
        values[key] = None if text == NULL_PARTITION else text
    return values


def _partition_dir(spec: TableSpec, values: Mapping[str, str | None]) -> Path:
    """``k=v/...`` for the values; a value with other characters gets a stable hashed name.

    Delta takes partition values from the add action, never from the path, so any directory
    name is valid; plain names keep the table readable for people and tools.
    """
    parts = []
    for key in spec.partition_by:
        value = values.get(key)
        if value is None:
            parts.append(f"{key}={NULL_PARTITION}")
        elif _SAFE_VALUE.match(value):
            parts.append(f"{key}={value}")
        else:
            parts.append(f"{key}=v{uuid.uuid5(uuid.NAMESPACE_URL, value).hex}")
    return Path(*parts) if parts else Path()


def _stat_value(value: Any, is_max: bool) -> Any:
    """A Parquet footer statistic as a Delta stats JSON value, or None to leave it out.

    Timestamps are written in milliseconds, rounded outwards, so the bounds still hold.
    """
    if isinstance(value, datetime):
        floor = value.replace(microsecond=value.microsecond // 1000 * 1000)
        bound = floor + timedelta(milliseconds=1) if is_max and floor != value else floor
        return bound.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return value if len(value) <= MAX_STRING_STATS else None
    return None


def file_stats(path: Path) -> str:
    """Delta ``stats`` JSON of a Parquet file: row count, and per top-level column min/max/nulls."""
    metadata = pq.read_metadata(path)
    stats: dict[str, Any] = {
        "numRecords": metadata.num_rows,
        "minValues": {},
        "maxValues": {},
        "nullCount": {},
    }
    groups = [metadata.row_group(i) for i in range(metadata.num_row_groups)]
    for index in range(metadata.num_columns):
        name = metadata.schema.column(index).path
        if "." in name:
            continue
        chunks = [group.column(index).statistics for group in groups]
        if not chunks or any(c is None for c in chunks):
            continue
        if all(c.has_null_count for c in chunks):
            stats["nullCount"][name] = sum(c.null_count for c in chunks)
        if all(c.has_min_max for c in chunks):
            low = _stat_value(min(c.min for c in chunks), is_max=False)
            high = _stat_value(max(c.max for c in chunks), is_max=True)
            if low is not None and high is not None:
                stats["minValues"][name] = low
                stats["maxValues"][name] = high
    return json.dumps(stats, separators=(",", ":"))


def write_files(df: DataFrame, spec: TableSpec, table: Path, label: str) -> list[AddAction]:
    """Let Spark write ``df`` (conformed to ``spec``) as Parquet files of the table at ``table``.

    Returns their add actions; nothing is committed. Files with no rows are dropped. A crash
    leaves only files no commit references: staged ones (removed by ``lakestream maintain``) or
    moved ones (vacuumed by it).
    """
    spark = df.sparkSession
    staging = table / STAGING_DIR / f"{label}-{uuid.uuid4().hex}"
    writer = df.select(*[_column(spec, name) for name in spec.schema.fieldNames()]).write
    if spec.partition_by:
        writer = writer.partitionBy(*spec.partition_by)
    spark.conf.set(OUTPUT_TIMESTAMP_CONF, "TIMESTAMP_MICROS")
    try:
        writer.option("compression", "snappy").parquet(str(staging))
        return [
            action
            for staged in sorted(staging.rglob("part-*.parquet"))
            if (action := _publish(spec, table, staging, staged)) is not None
        ]
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _publish(spec: TableSpec, table: Path, staging: Path, staged: Path) -> AddAction | None:
    values = _partition_values(staged.relative_to(staging))
    stats = file_stats(staged)
    if json.loads(stats)["numRecords"] == 0:
        return None
    relative = _partition_dir(spec, values) / f"part-{uuid.uuid4()}.c000.snappy.parquet"
    target = table / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    staged.replace(target)
    info = target.stat()
    return AddAction(
        path=relative.as_posix(),
        size=info.st_size,
        partition_values=values,
        modification_time=int(info.st_mtime * 1000),
        data_change=True,
        stats=stats,
    )


def remove_stale_staging(table: Path, older_than_s: float, dry_run: bool = False) -> int:
    """Delete the files of crashed writes' staging directories older than ``older_than_s``.

    Returns how many files were deleted (or, on a dry run, would be).
    """
    root = table / STAGING_DIR
    if not root.is_dir():
        return 0
    removed = 0
    for entry in root.iterdir():
        if time.time() - entry.stat().st_mtime >= older_than_s:
            removed += sum(1 for f in entry.rglob("*") if f.is_file())
            if not dry_run:
                shutil.rmtree(entry, ignore_errors=True)
    return removed


@dataclass(frozen=True)
class FileRead:
    """One data file to read and the values its rows get for the partition and extra columns."""

    path: Path
    partition_values: Mapping[str, str | None]
    extra: tuple[Any, ...] = ()
    has_change_type: bool = False
    """True for a change-data file, whose rows carry their own ``_change_type``."""


@dataclass(frozen=True)
class ReadPlan:
    """Files to read as rows of ``spec`` plus ``extra`` columns (one value per file each)."""

    spec: TableSpec
    files: Sequence[FileRead]
    extra: StructType = field(default_factory=StructType)


def _scan_groups(files: Sequence[FileRead]) -> list[list[FileRead]]:
    """Files split into scans of one kind (data or change files) with distinct file names.

    Rows find their file through the file name, so a name may occur only once per scan; the
    files the backends write have unique names, so this is one scan per kind in practice.
    """
    groups: list[list[FileRead]] = []
    names: list[set[str]] = []
    for has_change_type in (False, True):
        first = len(groups)
        for file in (f for f in files if f.has_change_type == has_change_type):
            slot = next(
                (i for i in range(first, len(groups)) if file.path.name not in names[i]), None
            )
            if slot is None:
                groups.append([])
                names.append(set())
                slot = len(groups) - 1
            groups[slot].append(file)
            names[slot].add(file.path.name)
    return groups


def read_files(spark: SparkSession, plan: ReadPlan) -> DataFrame:
    """The rows of ``plan.files`` in ``spec``'s columns followed by the extra columns.

    A file lacking a column (written before the column was added) reads it as null.
    """
    spec = plan.spec
    partitions = [f for f in spec.schema.fields if f.name in spec.partition_by]
    data = StructType([f for f in spec.schema.fields if f.name not in spec.partition_by])
    columns = [*spec.schema.fieldNames(), *plan.extra.fieldNames()]
    mapping_schema = StructType(
        [
            StructField(_FILE, StringType()),
            *[StructField(f.name, StringType()) for f in partitions],
            *plan.extra.fields,
        ]
    )
    frames = []
    for group in _scan_groups(plan.files):
        has_change_type = group[0].has_change_type
        schema = data
        if has_change_type:
            schema = StructType([*data.fields, StructField("_change_type", StringType())])
        rows = [
            (f.path.name, *[f.partition_values.get(p.name) for p in partitions], *f.extra)
            for f in group
        ]
        mapping = spark.createDataFrame(rows, mapping_schema)
        if has_change_type:
            mapping = mapping.drop("_change_type")
        scan = (
            spark.read.schema(schema)
            .parquet(*[str(f.path) for f in group])
            .withColumn(_FILE, F.col("_metadata.file_name"))
        )
        joined = scan.join(F.broadcast(mapping), _FILE)
        typed = [
            _column(spec, name) if name in spec.partition_by else F.col(name)
            for name in spec.schema.fieldNames()
        ]
        frames.append(joined.select(*typed, *plan.extra.fieldNames()))
    if not frames:
        empty = StructType([*spec.schema.fields, *plan.extra.fields])
        return spark.createDataFrame([], empty)
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame)
    return result.select(*columns)
