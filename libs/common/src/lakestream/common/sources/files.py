"""The ``files`` source: a landing directory of ``*.jsonl`` files, one event body per line.

Files are read whole (``binaryFile``) and split in Spark SQL through ISO-8859-1, which maps every
byte to one character, so each line's bytes are kept exactly, invalid UTF-8 included. A trailing
``\\r`` (CRLF line end) is the line terminator, not body. Only the empty remainder after the
final newline is not a line; every other line, blank ones included, is a body.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakestream.common.errors import LakestreamError, SourceUnavailableError
from lakestream.common.runtime.checkpoint import committed_batch
from lakestream.common.settings import Settings
from lakestream.common.sources.base import Backlog, SourceSpec, register_source

if TYPE_CHECKING:
    from lakestream.common.runtime.batch import BatchContext

BINARY_FILE_SCHEMA = "path string, modificationTime timestamp, length bigint, content binary"


def check_landing(path: str) -> None:
    """Raise SourceUnavailableError when a local landing directory is missing.

    Spark's file source lists a missing directory as empty (SPARK-27676), so a landing directory
    removed while a job runs would look like a quiet source; the runner checks it between batches.
    """
    if "://" not in path and not Path(path).is_dir():
        raise SourceUnavailableError(
            f"landing directory {path} does not exist: create it (or remount it) or pass "
            "--source-path (LAKESTREAM_SOURCE_PATH)"
        )


def planned_files(checkpoint: str, batch_id: int) -> set[str]:
    """Local paths of the files the file source planned for ``batch_id``.

    Read from the checkpoint's ``sources/0/<batch>`` log (or the ``<batch>.compact`` file that
    replaces it every tenth batch), where Spark records each batch's files before reading them.
    """
    log_dir = Path(checkpoint) / "sources" / "0"
    for name in (str(batch_id), f"{batch_id}.compact"):
        path = log_dir / name
        if path.is_file():
            entries = [json.loads(line) for line in path.read_text().splitlines()[1:] if line]
            return {_local(e["path"]) for e in entries if e.get("batchId") == batch_id}
    return set()


def _local(uri: str) -> str:
    return unquote(urlparse(uri).path)


def _log_entries(checkpoint: str) -> Iterator[dict[str, object]]:
    log_dir = Path(checkpoint) / "sources" / "0"
    if not log_dir.is_dir():
        return
    for path in log_dir.iterdir():
        if path.name.removesuffix(".compact").isdigit():
            for line in path.read_text(encoding="utf-8").splitlines()[1:]:
                if line:
                    yield json.loads(line)


def pending_files(landing: str, checkpoint: str, committed: int | None) -> list[Path]:
    """Local landing files no batch up to ``committed`` has read (None: none has), oldest first.

    Lists what Spark's file source lists: ``*.jsonl`` files under the directory, skipping
    names that start with ``_`` or ``.``.
    """
    base = Path(landing).resolve()
    if not base.is_dir():
        return []
    done = (
        set()
        if committed is None
        else {
            _local(str(e["path"]))
            for e in _log_entries(checkpoint)
            if int(str(e.get("batchId", -1))) <= committed
        }
    )
    pending = [
        path
        for path in base.rglob("*.jsonl")
        if path.is_file()
        and not any(part.startswith(("_", ".")) for part in path.relative_to(base).parts)
        and str(path) not in done
    ]
    return sorted(pending, key=lambda path: path.stat().st_mtime)


def check_batch_files(checkpoint: str, batch_id: int, read: set[str]) -> None:
    """Raise SourceUnavailableError when a file planned for the batch vanished before its read.

    Spark skips a planned file that no longer exists (SPARK-27676: missing paths read as empty),
    so its events would be lost without a trace. ``read`` holds the files the batch got rows
    from; a planned file with no rows that still exists is simply empty.
    """
    if "://" in checkpoint:
        return
    got = {_local(f) for f in read}
    vanished = sorted(f for f in planned_files(checkpoint, batch_id) - got if not Path(f).exists())
    if vanished:
        raise SourceUnavailableError(
            f"landing file(s) {', '.join(vanished)} of batch {batch_id} disappeared before they "
            "were read: restore them (same path) and restart; nothing of the batch was written"
        )


def parallelism(spark: SparkSession) -> int:
    """How many tasks the session runs at once (its default parallelism)."""
    try:
        return int(spark.sparkContext.defaultParallelism)
    except Exception:  # Spark Connect has no SparkContext
        return int(spark.conf.get("spark.sql.shuffle.partitions") or 1)


def landing_files(spark: SparkSession, path: str, max_files_per_trigger: int) -> DataFrame:
    """Stream new landing files as rows of (body, source) with their file and line.

    A file is one row of the binary source, so its lines are spread over the session's
    parallelism (hashed by line number: no sort, deterministic for a retried task) before the
    envelope is parsed; otherwise one task would parse a whole file on one core.
    """
    check_landing(path)
    files = (
        spark.readStream.format("binaryFile")
        .schema(BINARY_FILE_SCHEMA)
        .option("pathGlobFilter", "*.jsonl")
        .option("maxFilesPerTrigger", max_files_per_trigger)
        .load(path)
    )
    text = F.decode("content", "ISO-8859-1")
    size = F.octet_length("content")
    without_final_newline = F.when(
        F.endswith(text, F.lit("\n")), F.substr(text, F.lit(1), size - 1)
    ).otherwise(text)
    # The split is the generator's only input, so it runs once per file (an expression beside
    # the generator would run once per line: quadratic in the file size).
    lines = files.select(
        "path",
        "modificationTime",
        F.posexplode(
            F.when(size == 0, F.array().cast("array<string>")).otherwise(
                F.split(without_final_newline, "\n", -1)
            )
        ).alias("pos", "line"),
    ).repartition(parallelism(spark), "pos")
    body = F.when(
        F.endswith("line", F.lit("\r")), F.expr("substr(line, 1, length(line) - 1)")
    ).otherwise(F.col("line"))
    return lines.select(
        F.encode(body, "ISO-8859-1").alias("body"),
        F.struct(
            F.lit("files").alias("kind"),
            F.col("path").alias("file"),
            (F.col("pos") + 1).cast("long").alias("line"),
            F.lit(None).cast("string").alias("partition"),
            F.lit(None).cast("long").alias("sequence_number"),
            F.lit(None).cast("string").alias("offset"),
            F.col("modificationTime").alias("enqueued_time"),
        ).alias("source"),
    )


@register_source("files")
@dataclass(frozen=True)
class FilesSourceSpec(SourceSpec):
    """The landing directory (``LAKESTREAM_SOURCE_PATH``, default ``<root>/<env>/landing``)."""

    landing: str
    max_files_per_trigger: int

    @classmethod
    def from_settings(cls, settings: Settings) -> FilesSourceSpec:
        """Reads ``source_path`` (through ``landing_path``) and ``max_files_per_trigger``."""
        return cls(settings.landing_path, settings.max_files_per_trigger)

    def stream(self, spark: SparkSession) -> DataFrame:
        """The landing files' lines."""
        return landing_files(spark, self.landing, self.max_files_per_trigger)

    def probe(self) -> None:
        """A missing local landing directory is an unavailable source."""
        check_landing(self.landing)

    def verify_batch(self, ctx: BatchContext, read: set[str]) -> None:
        """Every file planned for the batch was read or still exists."""
        checkpoint = ctx.runtime.layout.checkpoint(ctx.service.name, ctx.flow)
        check_batch_files(checkpoint, ctx.batch_id, read)

    def backlog(self, checkpoint: str, now: datetime) -> Backlog:
        """Landing files no committed batch read, and the age of the oldest."""
        pending = pending_files(self.landing, checkpoint, committed_batch(checkpoint))
        oldest = _mtime(pending[0]) if pending else None
        age = None if oldest is None else max(0.0, (now - oldest).total_seconds())
        return Backlog("files", len(pending), {}, age)

    def deliver(self, bodies: list[bytes], run_id: str, tenant_id: str) -> str:
        """One ``selftest-<run>.jsonl`` file, renamed into place whole."""
        landing = Path(self.landing)
        if "://" in self.landing or not landing.is_dir():
            raise LakestreamError(
                f"landing directory {self.landing} is not a local directory: the "
                "self-test writes its file there (create it, or pass --source-path)"
            )
        target = landing / f"selftest-{run_id}.jsonl"
        staging = landing / f".{target.name}.tmp"
        staging.write_bytes(b"".join(body + b"\n" for body in bodies))
        staging.replace(target)
        return str(target)


def _mtime(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None
