"""Which batch a chained change-feed flow runs next, read from its own checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakestream.common.runtime.checkpoint import CheckpointError
from lakestream.common.runtime.feed_checkpoint import FeedBatch, commit, next_batch

pytestmark = pytest.mark.unit


def _offsets(root: Path, batch: int, version: int) -> None:
    (root / "offsets").mkdir(parents=True, exist_ok=True)
    (root / "offsets" / str(batch)).write_text(f'v1\n{{"conf":{{}}}}\n{{"version": {version}}}')


def test_a_new_checkpoint_starts_at_batch_zero_bounded_by_max_versions(tmp_path: Path) -> None:
    assert next_batch(str(tmp_path), -1, 8) is None
    assert next_batch(str(tmp_path), 20, 8) == FeedBatch(0, -1, 7, planned=False)


def test_after_a_commit_the_next_batch_starts_where_it_ended(tmp_path: Path) -> None:
    _offsets(tmp_path, 0, 7)
    commit(str(tmp_path), FeedBatch(0, -1, 7, planned=False), 100)
    assert next_batch(str(tmp_path), 7, 8) is None
    assert next_batch(str(tmp_path), 9, 8) == FeedBatch(1, 7, 9, planned=False)


def test_a_planned_batch_without_commit_runs_again_over_its_planned_commits(
    tmp_path: Path,
) -> None:
    _offsets(tmp_path, 0, 7)
    commit(str(tmp_path), FeedBatch(0, -1, 7, planned=False), 100)
    _offsets(tmp_path, 1, 9)
    assert next_batch(str(tmp_path), 30, 8) == FeedBatch(1, 7, 9, planned=True)


def test_remote_or_damaged_checkpoints_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="local checkpoint"):
        next_batch("abfss://c@a.dfs.core.windows.net/x", 3, 8)
    (tmp_path / "offsets").mkdir()
    (tmp_path / "offsets" / "0").write_text("garbage")
    with pytest.raises(CheckpointError, match="damaged"):
        next_batch(str(tmp_path), 3, 8)


def test_a_commit_keeps_only_the_last_retained_batches(tmp_path: Path) -> None:
    for batch in range(6):
        _offsets(tmp_path, batch, 2 * batch)
        (tmp_path / "offsets" / f".{batch}.crc").write_text("stale")
        commit(str(tmp_path), FeedBatch(batch, 2 * batch - 2, 2 * batch, planned=False), 3)
    kept = sorted(p.name for p in (tmp_path / "offsets").iterdir())
    assert kept == [".3.crc", ".4.crc", ".5.crc", "3", "4", "5"]
    assert sorted(p.name for p in (tmp_path / "commits").iterdir()) == ["3", "4", "5"]
    assert next_batch(str(tmp_path), 13, 8) == FeedBatch(6, 10, 13, planned=False)


def test_a_commit_whose_offsets_are_gone_is_a_damaged_checkpoint(tmp_path: Path) -> None:
    _offsets(tmp_path, 0, 7)
    commit(str(tmp_path), FeedBatch(0, -1, 7, planned=False), 100)
    (tmp_path / "offsets" / "0").unlink()
    with pytest.raises(CheckpointError, match=r"damaged \(offsets/0 is missing\)"):
        next_batch(str(tmp_path), 9, 8)
