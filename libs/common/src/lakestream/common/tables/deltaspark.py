"""The native table backend: Spark's own Delta Lake (Databricks, or any Spark with the Delta jars).

Tables are addressed by path or by Unity Catalog name (``TableSpec.by_name``). Writes run on the
executors; idempotency is Delta's own app transaction (``txnAppId``/``txnVersion`` writer options
for appends, the ``spark.databricks.delta.write.txn*`` session confs around a MERGE) plus the
commit's ``userMetadata`` holding the same key, which is how a replay finds its commit.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import reduce
from typing import Any

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, DataFrameReader, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming.readwriter import DataStreamReader

from lakestream.common.tables.arrow import with_cdf_columns
from lakestream.common.tables.backend import (
    TXN_HISTORY_SCAN,
    TXN_METADATA_KEY,
    CompactionResult,
    FileStats,
    Filter,
    TableBackend,
    Txn,
    VacuumResult,
    WriteConflictError,
    WriteResult,
)
from lakestream.common.tables.filters import where
from lakestream.common.tables.schemas import CDF_ENABLED, TableSpec
from lakestream.common.tables.storage import guarded

TXN_APP_ID_CONF = "spark.databricks.delta.write.txnAppId"
TXN_VERSION_CONF = "spark.databricks.delta.write.txnVersion"
USER_METADATA_CONF = "spark.databricks.delta.commitInfo.userMetadata"
OPTIMIZE_MAX_FILE_SIZE_CONF = "spark.databricks.delta.optimize.maxFileSize"
RETENTION_CHECK_CONF = "spark.databricks.delta.retentionDurationCheck.enabled"
VACUUM_LOGGING_CONF = "spark.databricks.delta.vacuum.logging.enabled"


def txn_metadata(txn: Txn) -> str:
    """The commit ``userMetadata`` that marks the commit of ``txn``."""
    return f"{TXN_METADATA_KEY}={txn.key}"


def sql_ref(spec: TableSpec) -> str:
    """The table as a SQL identifier: a quoted catalog name or ``delta.`<path>```."""
    if spec.by_name:
        return ".".join(f"`{part}`" for part in spec.location.split("."))
    return f"delta.`{spec.location}`"


@contextmanager
def session_confs(spark: SparkSession, confs: Mapping[str, str]) -> Iterator[None]:
    """Set Spark session confs for one statement, then restore what was there before."""
    previous = {key: spark.conf.get(key, None) for key in confs}
    for key, value in confs.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, before in previous.items():
            if before is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, before)


@contextmanager
def _conflicts_as(spec: TableSpec) -> Iterator[None]:
    """Turn Delta's concurrent-modification exceptions into WriteConflictError."""
    try:
        yield
    except Exception as exc:
        if "Concurrent" not in type(exc).__name__ and "CONCURRENT" not in str(exc)[:200]:
            raise
        raise WriteConflictError(f"{spec.name}: {type(exc).__name__}") from exc


class DeltaSparkBackend(TableBackend):
    """``format("delta")`` reads and writes, ``DeltaTable.merge``, ``readChangeFeed`` streams."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark

    @staticmethod
    def _table(spark: SparkSession, spec: TableSpec) -> Any:
        if spec.by_name:
            return DeltaTable.forName(spark, spec.location)
        return DeltaTable.forPath(spark, spec.location)

    @staticmethod
    def _load(reader: DataFrameReader, spec: TableSpec) -> DataFrame:
        return reader.table(spec.location) if spec.by_name else reader.load(spec.location)

    def exists(self, spec: TableSpec) -> bool:
        """``tableExists`` for a catalog name, ``isDeltaTable`` for a path."""
        if spec.by_name:
            return bool(self.spark.catalog.tableExists(spec.location))
        return bool(DeltaTable.isDeltaTable(self.spark, spec.location))

    @guarded
    def ensure(self, spec: TableSpec) -> None:
        """Create the table (CDF on, partitioned), or add the nullable columns it lacks."""
        if self.exists(spec):
            present = set(self._table(self.spark, spec).toDF().columns)
            missing = [f for f in spec.schema.fields if f.name not in present]
            if missing:
                columns = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in missing)
                self.spark.sql(f"ALTER TABLE {sql_ref(spec)} ADD COLUMNS ({columns})")
            return
        builder = DeltaTable.createIfNotExists(self.spark)
        if spec.by_name:
            builder = builder.tableName(spec.location)
        else:
            builder = builder.location(spec.location)
        builder = builder.addColumns(spec.schema)
        for key, value in CDF_ENABLED.items():
            builder = builder.property(key, value)
        if spec.partition_by:
            builder = builder.partitionedBy(*spec.partition_by)
        builder.execute()

    def _txn_commit(self, spark: SparkSession, spec: TableSpec, txn: Txn) -> int | None:
        found = (
            self._table(spark, spec)
            .history(TXN_HISTORY_SCAN)
            .where(F.col("userMetadata") == txn_metadata(txn))
            .select("version")
            .first()
        )
        return None if found is None else int(found[0])

    @guarded
    def committed(self, spec: TableSpec, txn: Txn) -> WriteResult | None:
        """The commit whose ``userMetadata`` names ``txn`` (recent history), else None."""
        if not self.exists(spec):
            return None
        version = self._txn_commit(self.spark, spec, txn)
        return None if version is None else WriteResult(version, replayed=True)

    @staticmethod
    def _conform(spec: TableSpec, df: DataFrame) -> DataFrame:
        return df.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in spec.schema])

    def _to_write(
        self, spark: SparkSession, spec: TableSpec, df: DataFrame, txn: Txn
    ) -> DataFrame | WriteResult:
        """The conformed rows of a write of ``txn``, or its result when there is nothing to
        write: the commit that already carries ``txn``, or no commit for no rows."""
        done = self._txn_commit(spark, spec, txn)
        if done is not None:
            return WriteResult(done, replayed=True)
        data = self._conform(spec, df)
        return WriteResult(None) if data.isEmpty() else data

    @staticmethod
    def _written(version: int | None) -> WriteResult:
        # No commit carries the key although rows were written: Delta skipped the write because
        # the app transaction was committed before the scanned history.
        return WriteResult(version, replayed=version is None)

    @guarded
    def append(
        self, spec: TableSpec, df: DataFrame, txn: Txn, rows: int | None = None
    ) -> WriteResult:
        """Append with Delta's ``txnAppId``/``txnVersion`` (skipped once committed)."""
        spark = df.sparkSession
        data = self._to_write(spark, spec, df, txn)
        if isinstance(data, WriteResult):
            return data
        writer = (
            data.write.format("delta")
            .mode("append")
            .option("txnAppId", txn.app_id)
            .option("txnVersion", str(txn.version))
            .option("userMetadata", txn_metadata(txn))
        )
        if spec.by_name:
            writer.saveAsTable(spec.location)
        else:
            writer.save(spec.location)
        return self._written(self._txn_commit(spark, spec, txn))

    @guarded
    def append_rows(
        self, spec: TableSpec, rows: Sequence[tuple[Any, ...]], txn: Txn
    ) -> WriteResult:
        """Append rows built in Python through ``append``."""
        return self.append(spec, self.spark.createDataFrame(list(rows), spec.schema), txn)

    @staticmethod
    @contextmanager
    def _txn_confs(spark: SparkSession, txn: Txn) -> Iterator[None]:
        """Delta's idempotent-DML session confs, set for one statement.

        In ``foreachBatch`` the batch's session is the query's own clone, so concurrent queries
        of one process do not see each other's confs.
        """
        confs = {
            TXN_APP_ID_CONF: txn.app_id,
            TXN_VERSION_CONF: str(txn.version),
            USER_METADATA_CONF: txn_metadata(txn),
        }
        with session_confs(spark, confs):
            yield

    def _merge(self, spec: TableSpec, df: DataFrame, txn: Txn, update: bool) -> WriteResult:
        spark = df.sparkSession
        source = self._to_write(spark, spec, df, txn)
        if isinstance(source, WriteResult):
            return source
        terms = [F.col(f"t.{k}") == F.col(f"s.{k}") for k in spec.keys]
        for key in spec.key_partitions:
            values = [row[0] for row in source.select(key).distinct().collect()]
            terms.append(F.col(f"t.{key}").isin(values))
        merger = (
            self._table(spark, spec)
            .alias("t")
            .merge(source.alias("s"), reduce(operator.and_, terms))
        )
        if update:
            merger = merger.whenMatchedUpdateAll()
        merger = merger.whenNotMatchedInsertAll()
        with self._txn_confs(spark, txn), _conflicts_as(spec):
            merger.execute()
        return self._written(self._txn_commit(spark, spec, txn))

    @guarded
    def update_matched(self, spec: TableSpec, df: DataFrame, updates: Mapping[str, str]) -> None:
        """Matched-only MERGE on ``spec.keys``; Delta's concurrent-modification errors raise
        WriteConflictError."""
        if df.isEmpty():
            return
        spark = df.sparkSession
        condition = reduce(operator.and_, [F.col(f"t.{k}") == F.col(f"s.{k}") for k in spec.keys])
        merger = self._table(spark, spec).alias("t").merge(df.alias("s"), condition)
        with _conflicts_as(spec):
            merger.whenMatchedUpdate(set={c: F.expr(e) for c, e in updates.items()}).execute()

    @guarded
    def delete_rows(self, spec: TableSpec, column: str, value: str) -> int:
        """``DeltaTable.delete`` of ``column = value``, counted from its commit's metrics."""
        if not self.exists(spec):
            return 0
        table = self._table(self.spark, spec)
        with _conflicts_as(spec):
            table.delete(F.col(column) == F.lit(value))
        last = table.history(1).select("operation", "operationMetrics").first()
        if last is None or last["operation"] != "DELETE":
            return 0
        return int((last["operationMetrics"] or {}).get("numDeletedRows", 0))

    @guarded
    def insert_new(
        self, spec: TableSpec, df: DataFrame, txn: Txn, rows: int | None = None
    ) -> WriteResult:
        """Insert-if-absent MERGE on ``spec.keys``, pruned to the batch's partitions."""
        return self._merge(spec, df, txn, update=False)

    @guarded
    def upsert(self, spec: TableSpec, df: DataFrame, txn: Txn) -> WriteResult:
        """Update-or-insert MERGE on ``spec.keys``."""
        return self._merge(spec, df, txn, update=True)

    def _changes(self, spec: TableSpec, first: int, last: int) -> DataFrame:
        reader = (
            self.spark.read.format("delta")
            .option("readChangeFeed", "true")
            .option("startingVersion", first)
            .option("endingVersion", last)
        )
        return self._load(reader, spec)

    @guarded
    def inserted_keys(
        self, spec: TableSpec, version: int, columns: Sequence[str]
    ) -> Counter[tuple[str | None, ...]]:
        """Rows inserted by one commit, counted by ``columns`` (read from the change feed)."""
        rows = (
            self._changes(spec, version, version)
            .where(F.col("_change_type") == "insert")
            .groupBy(*[F.col(c).cast("string").alias(c) for c in columns])
            .count()
            .collect()
        )
        return Counter({tuple(row[c] for c in columns): int(row["count"]) for row in rows})

    def read(
        self,
        spark: SparkSession,
        spec: TableSpec,
        version: int | None = None,
        filters: Sequence[Filter] = (),
        any_of: Sequence[Sequence[Filter]] = (),
    ) -> DataFrame:
        """Batch read (time travel to ``version``), filters pushed down to Delta."""
        reader = spark.read.format("delta")
        if version is not None:
            reader = reader.option("versionAsOf", version)
        frame = where(self._load(reader, spec), filters, any_of)
        return frame.select(*spec.schema.fieldNames())

    @guarded
    def latest_version(self, spec: TableSpec) -> int:
        """Current table version."""
        return int(self._table(self.spark, spec).history(1).select("version").first()[0])

    def change_feed(
        self,
        spark: SparkSession,
        spec: TableSpec,
        ending_version: int | None = None,
        max_versions: int | None = None,
        after_version: int | None = None,
    ) -> DataFrame:
        """Stream of every commit's changes from the table's first version.

        The bounds are not needed here: Delta's own source sizes its batches (its
        ``maxFilesPerTrigger``) and ends available-now runs where they started.
        """
        reader: DataStreamReader = (
            spark.readStream.format("delta")
            .option("readChangeFeed", "true")
            .option("startingVersion", 0)
        )
        frame = reader.table(spec.location) if spec.by_name else reader.load(spec.location)
        return frame.select(*with_cdf_columns(spec.schema).fieldNames())

    def file_stats(self, spec: TableSpec) -> FileStats | None:
        """``DESCRIBE DETAIL``: ``numFiles`` and ``sizeInBytes`` of the current version."""
        if not self.exists(spec):
            return None
        detail = self.spark.sql(f"DESCRIBE DETAIL {sql_ref(spec)}").first()
        assert detail is not None
        return FileStats(int(detail["numFiles"]), int(detail["sizeInBytes"]))

    def compact(self, spec: TableSpec, target_size: int) -> CompactionResult:
        """``OPTIMIZE`` (bin-packing) with ``maxFileSize`` = ``target_size``."""
        optimizer = self._table(self.spark, spec).optimize()
        confs = {OPTIMIZE_MAX_FILE_SIZE_CONF: str(target_size)}
        with session_confs(self.spark, confs), _conflicts_as(spec):
            row = optimizer.executeCompaction().first()
        assert row is not None
        metrics = row["metrics"]
        return CompactionResult(
            files_removed=int(metrics["numFilesRemoved"]),
            files_added=int(metrics["numFilesAdded"]),
            bytes_removed=int(metrics["filesRemoved"]["totalSize"]),
            bytes_added=int(metrics["filesAdded"]["totalSize"]),
        )

    def vacuum(
        self, spec: TableSpec, retention_hours: int, dry_run: bool = False, force: bool = False
    ) -> VacuumResult:
        """``VACUUM … RETAIN n HOURS``, counted from its ``VACUUM END`` commit.

        A ``DRY RUN`` lists at most 1000 files, so a dry run's count stops there.
        """
        statement = f"VACUUM {sql_ref(spec)} RETAIN {int(retention_hours)} HOURS"
        confs = {VACUUM_LOGGING_CONF: "true"}
        if force:
            confs[RETENTION_CHECK_CONF] = "false"
        with session_confs(self.spark, confs):
            if dry_run:
                return VacuumResult(self.spark.sql(f"{statement} DRY RUN").count(), True)
            self.spark.sql(statement).collect()
        end = (
            self._table(self.spark, spec)
            .history(TXN_HISTORY_SCAN)
            .where(F.col("operation") == "VACUUM END")
            .select("operationMetrics")
            .first()
        )
        if end is None:
            raise RuntimeError(f"{spec.name}: VACUUM left no VACUUM END commit to count from")
        return VacuumResult(int(end[0].get("numDeletedFiles", 0)), dry_run=False)
