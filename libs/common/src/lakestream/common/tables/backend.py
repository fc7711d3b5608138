"""The table-backend interface every layer writes and streams through."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pyspark.sql import DataFrame, SparkSession

from lakestream.common.tables.schemas import TableSpec

Filter = tuple[str, str, Any]
"""A conjunctive filter term: (column, operator, value) with operator in = != < <= > >= in."""


TXN_METADATA_KEY = "lakestream.txn"
"""Commit-metadata key that marks the commit of a ``Txn`` (how a replay finds its commit)."""
TXN_HISTORY_SCAN = 200
"""How many recent commits a backend searches for a replayed ``Txn``."""


@dataclass(frozen=True)
class Txn:
    """Idempotency token of one batch's write to one table (Delta app transaction)."""

    app_id: str
    version: int

    @property
    def key(self) -> str:
        """``<app_id>:<version>``: the value stored under ``TXN_METADATA_KEY``."""
        return f"{self.app_id}:{self.version}"


@dataclass(frozen=True)
class WriteResult:
    """Outcome of one idempotent write.

    ``version`` is the commit that holds the batch's rows (None when there was nothing to write);
    ``replayed`` is True when an earlier attempt of the same batch had already committed it.
    """

    version: int | None
    replayed: bool = False


@dataclass(frozen=True)
class FileStats:
    """The data files a table's current version references."""

    files: int
    bytes: int


@dataclass(frozen=True)
class CompactionResult:
    """What one compaction did: small files rewritten into fewer, larger ones."""

    files_removed: int
    files_added: int
    bytes_removed: int
    bytes_added: int


@dataclass(frozen=True)
class VacuumResult:
    """Files no version within the retention references: deleted, or listed on a dry run."""

    files_deleted: int
    dry_run: bool


class WriteConflictError(RuntimeError):
    """A concurrent writer committed first; the write may be retried against the new state."""


class TableBackend(ABC):
    """Creates, writes (idempotently) and streams Delta tables."""

    python_change_feed: ClassVar[bool] = False
    """True when ``change_feed`` is a Python data source: Spark's available-now trigger asks it
    for its end once, so the harness paces a run to its end itself (decision 0104)."""

    @abstractmethod
    def exists(self, spec: TableSpec) -> bool:
        """True when the table exists (at its path, or by its catalog name)."""

    @abstractmethod
    def ensure(self, spec: TableSpec) -> None:
        """Create the table (change data feed on, partitioned) if it does not exist."""

    @abstractmethod
    def append(
        self, spec: TableSpec, df: DataFrame, txn: Txn, rows: int | None = None
    ) -> WriteResult:
        """Append rows once per ``txn``.

        ``rows``, when known, bounds how many rows ``df`` holds (the batch's input count); a
        backend may pick its write path by it.
        """

    @abstractmethod
    def append_rows(
        self, spec: TableSpec, rows: Sequence[tuple[Any, ...]], txn: Txn
    ) -> WriteResult:
        """Append a few rows (in schema order) built in Python, once per ``txn``."""

    @abstractmethod
    def committed(self, spec: TableSpec, txn: Txn) -> WriteResult | None:
        """The commit of ``txn`` (``replayed``) when it has been committed, else None."""

    @abstractmethod
    def insert_new(
        self, spec: TableSpec, df: DataFrame, txn: Txn, rows: int | None = None
    ) -> WriteResult:
        """Insert rows whose ``spec.keys`` are not in the table yet (insert-if-absent MERGE).

        ``rows`` as for ``append``.
        """

    @abstractmethod
    def upsert(self, spec: TableSpec, df: DataFrame, txn: Txn) -> WriteResult:
        """Update rows matching ``spec.keys``, insert the others."""

    @abstractmethod
    def update_matched(self, spec: TableSpec, df: DataFrame, updates: Mapping[str, str]) -> None:
        """Update the rows matching ``df`` on ``spec.keys`` (no inserts, no app transaction).

        ``updates`` maps columns to SQL over aliases ``t`` (table) and ``s`` (``df``). Raises
        ``WriteConflictError`` when a concurrent writer committed first.
        """

    @abstractmethod
    def delete_rows(self, spec: TableSpec, column: str, value: str) -> int:
        """Delete the rows whose ``column`` equals ``value`` (no app transaction); the rows deleted.

        Change-feed readers see ``delete`` changes, which the layers skip. Raises
        ``WriteConflictError`` when a concurrent writer committed first.
        """

    @abstractmethod
    def inserted_keys(
        self, spec: TableSpec, version: int, columns: Sequence[str]
    ) -> Counter[tuple[str | None, ...]]:
        """Rows inserted by commit ``version``, counted by the values of ``columns`` (as text)."""

    @abstractmethod
    def read(
        self,
        spark: SparkSession,
        spec: TableSpec,
        version: int | None = None,
        filters: Sequence[Filter] = (),
        any_of: Sequence[Sequence[Filter]] = (),
    ) -> DataFrame:
        """Batch read of the table (optionally as of ``version``).

        Rows match every term of ``filters`` and, when ``any_of`` is given, every term of at
        least one of its groups.
        """

    @abstractmethod
    def latest_version(self, spec: TableSpec) -> int:
        """Current version of the table."""

    @abstractmethod
    def change_feed(
        self,
        spark: SparkSession,
        spec: TableSpec,
        ending_version: int | None = None,
        max_versions: int | None = None,
        after_version: int | None = None,
    ) -> DataFrame:
        """Streaming read of the table's change data feed (inserts and updates).

        Read through ``changes`` in each micro-batch. ``ending_version``: read no commit after
        it; ``max_versions``: at most that many commits per micro-batch, counted from
        ``after_version`` (where the query's checkpoint left off) for the first one.
        """

    def changes(self, spark: SparkSession, spec: TableSpec, batch: DataFrame) -> DataFrame:
        """The change rows (table columns plus CDF columns) of one micro-batch of the feed."""
        return batch

    def change_batch(
        self, spark: SparkSession, spec: TableSpec, after: int, until: int
    ) -> DataFrame:
        """The change rows of commits ``after+1..until``, as one micro-batch of the feed.

        For a flow run inside another query's batch (the chained mode, decision 0107); only a
        backend whose change feed offsets are table versions (``python_change_feed``) has it.
        """
        raise NotImplementedError(f"{type(self).__name__} has no change_batch")

    @abstractmethod
    def file_stats(self, spec: TableSpec) -> FileStats | None:
        """Data files and bytes of the current version; None when the table does not exist."""

    @abstractmethod
    def compact(self, spec: TableSpec, target_size: int) -> CompactionResult:
        """Rewrite small files into files of about ``target_size`` bytes.

        The commit changes no data (``dataChange=false``), so change-feed readers skip it.
        """

    @abstractmethod
    def vacuum(
        self, spec: TableSpec, retention_hours: int, dry_run: bool = False, force: bool = False
    ) -> VacuumResult:
        """Delete files that no version of the last ``retention_hours`` references.

        The engine refuses a retention below the table's (7 days by default) unless ``force``.
        """
