"""Advancing a change-feed flow's own Structured Streaming checkpoint without its query.

The chained mode (decision 0107) runs silver's and gold's batches inside bronze's. Each such
batch is planned and committed in the flow's own checkpoint exactly as Spark's micro-batch
engine would: ``offsets/<n>`` (the upstream version read up to) is written before the batch,
``commits/<n>`` after it. The per-layer query that later starts on the same checkpoint resumes
from there, and a batch planned but not committed runs again over the same commits under the
same batch id (its writes are app transactions keyed by that id). Each batch reads only the
two offsets files it needs, and a commit purges the batches Spark would no longer keep
(``spark.sql.streaming.minBatchesToRetain``), so a long chained run costs the same per batch
on its millionth batch as on its first. Local checkpoints only.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import SparkSession

from lakestream.common.runtime.checkpoint import CheckpointError, batch_files

OFFSET_LOG_VERSION = "v1"
SESSION_CONFS = (
    "spark.sql.streaming.stateStore.providerClass",
    "spark.sql.streaming.stateStore.rocksdb.formatVersion",
    "spark.sql.streaming.stateStore.encodingFormat",
    "spark.sql.streaming.statefulOperator.useStrictDistribution",
    "spark.sql.streaming.flatMapGroupsWithState.stateFormatVersion",
    "spark.sql.streaming.multipleWatermarkPolicy",
    "spark.sql.streaming.aggregation.stateFormatVersion",
    "spark.sql.shuffle.partitions",
    "spark.sql.streaming.join.stateFormatVersion",
    "spark.sql.streaming.stateStore.compression.codec",
    "spark.sql.optimizer.pruneFiltersCanPruneStreamingSubplan",
)
"""The session confs Spark records in every offsets file and restores on a restart."""
RETAIN_CONF = "spark.sql.streaming.minBatchesToRetain"
RETAIN_DEFAULT = 100


@dataclass(frozen=True)
class FeedBatch:
    """One batch of a change-feed flow: commits ``after+1..until`` under ``batch_id``.

    ``planned``: its offsets file is already written (a batch that did not commit).
    """

    batch_id: int
    after: int
    until: int
    planned: bool


def _read_version(file: Path) -> int:
    """The upstream version an offsets file planned up to."""
    try:
        lines = file.read_bytes().decode("utf-8").splitlines()
        offset = json.loads(lines[2]) if len(lines) >= 3 else None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CheckpointError(f"{file.parent.parent}: damaged ({file.name}: {exc})") from exc
    if not isinstance(offset, dict) or "version" not in offset:
        raise CheckpointError(
            f"{file.parent.parent}: damaged ({file}: not an offsets file of a change-feed query)"
        )
    return int(offset["version"])


def _planned_version(root: Path, offsets: dict[int, Path], batch_id: int) -> int:
    if batch_id not in offsets:
        raise CheckpointError(f"{root}: damaged (offsets/{batch_id} is missing)")
    return _read_version(offsets[batch_id])


def next_batch(checkpoint: str, latest: int, max_versions: int) -> FeedBatch | None:
    """The flow's next batch given the upstream's ``latest`` version, or None when caught up.

    A planned batch without its commit comes first, over exactly the commits it planned;
    otherwise a new one reads at most ``max_versions`` commits after the committed position.
    """
    if "://" in checkpoint:
        raise CheckpointError(f"{checkpoint}: the chained mode needs a local checkpoint root")
    root = Path(checkpoint)
    offsets = batch_files(root / "offsets")
    planned = max(offsets, default=None)
    committed = max(batch_files(root / "commits"), default=None)
    if planned is not None and (committed is None or planned > committed):
        after = _planned_version(root, offsets, planned - 1) if planned > 0 else -1
        return FeedBatch(planned, after, _planned_version(root, offsets, planned), True)
    done = -1 if committed is None else _planned_version(root, offsets, committed)
    if latest <= done:
        return None
    batch_id = 0 if committed is None else committed + 1
    return FeedBatch(batch_id, done, min(latest, done + max_versions), False)


def _write_atomically(file: Path, text: str) -> None:
    """Write ``file`` by rename, dropping a stale Hadoop checksum that would no longer match."""
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_name(f".{file.name}.{uuid.uuid4().hex}.tmp")
    with partial.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    file.with_name(f".{file.name}.crc").unlink(missing_ok=True)
    partial.replace(file)


def _metadata_line(spark: SparkSession, root: Path, batch_id: int) -> str:
    """The offsets file's metadata: the confs of the previous batch, else the session's."""
    previous = root / "offsets" / str(batch_id - 1)
    if previous.is_file():
        conf = json.loads(previous.read_text(encoding="utf-8").splitlines()[1])["conf"]
    else:
        conf = {k: spark.conf.get(k) for k in SESSION_CONFS}
    stamp = int(time.time() * 1000)
    return json.dumps({"batchWatermarkMs": 0, "batchTimestampMs": stamp, "conf": conf})


def plan(spark: SparkSession, checkpoint: str, batch: FeedBatch) -> None:
    """Write the batch's offsets file (and the query id on a new checkpoint) before it runs."""
    root = Path(checkpoint)
    if not (root / "metadata").is_file():
        _write_atomically(root / "metadata", json.dumps({"id": str(uuid.uuid4())}) + "\n")
    offset = json.dumps({"version": batch.until})
    text = f"{OFFSET_LOG_VERSION}\n{_metadata_line(spark, root, batch.batch_id)}\n{offset}"
    _write_atomically(root / "offsets" / str(batch.batch_id), text)


def retained_batches(spark: SparkSession) -> int:
    """How many batches a checkpoint keeps (``spark.sql.streaming.minBatchesToRetain``)."""
    return int(spark.conf.get(RETAIN_CONF, str(RETAIN_DEFAULT)) or RETAIN_DEFAULT)


def commit(checkpoint: str, batch: FeedBatch, retain: int) -> None:
    """Write the batch's commit file after it returned, then keep only the last ``retain``."""
    root = Path(checkpoint)
    text = f"{OFFSET_LOG_VERSION}\n" + json.dumps({"nextBatchWatermarkMs": 0})
    _write_atomically(root / "commits" / str(batch.batch_id), text)
    purge(root, batch.batch_id - retain + 1)


def purge(root: Path, first_kept: int) -> None:
    """Delete the offsets and commit files (and their checksums) of batches below ``first_kept``.

    Offsets go after commits, so a crash in between never leaves a commit without its offsets.
    """
    for log in ("commits", "offsets"):
        for batch_id, file in batch_files(root / log).items():
            if batch_id < first_kept:
                file.unlink(missing_ok=True)
                file.with_name(f".{file.name}.crc").unlink(missing_ok=True)
