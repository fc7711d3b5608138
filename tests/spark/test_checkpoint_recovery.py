"""Damaged and lost checkpoints: a clear refusal, then `lakestream checkpoint repair`, exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lakestream.common.runtime.checkpoint import CheckpointError
from lakestream.tooling.cli.main import app
from tests.lake import Lake, event

pytestmark = pytest.mark.spark


def _checkpoint(lake: Lake, service: str = "bronze", flow: str = "events") -> Path:
    return Path(lake.layout.checkpoint(service, flow))


def _cli(lake: Lake, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["checkpoint", *args, "--root", lake.settings.root, "--env", lake.settings.env]
    )
    return result.exit_code, result.output + str(result.exception or "")


def _two_batches(lake: Lake) -> None:
    lake.land(event("a"), event("b"), b"not json")
    lake.land(event("c"))
    lake.run("bronze")


def test_damaged_commit_file_refused_then_repaired_without_duplicates(lake: Lake) -> None:
    _two_batches(lake)
    commit = _checkpoint(lake) / "commits" / "1"
    commit.write_text("v1\n{truncated")
    with pytest.raises(CheckpointError, match=r"commits/1: line 2 is not JSON.*checkpoint repair"):
        lake.run("bronze")
    code, out = _cli(lake, "status", "--layer", "bronze")
    assert code == 1 and "commits/1: line 2 is not JSON" in out
    code, out = _cli(lake, "repair", "--layer", "bronze")
    assert code == 0, out
    assert "_quarantine" in out and not commit.exists()
    lake.land(event("d"))
    lake.run("bronze")
    assert sorted(r["event_id"] for r in lake.rows("bronze/events")) == ["a", "b", "c", "d"]
    assert lake.count("dlq/events") == 1
    succeeded = [a["batch_id"] for a in lake.audit("bronze") if a["status"] == "SUCCEEDED"]
    assert succeeded == [0, 1, 2]
    assert _cli(lake, "status", "--layer", "bronze")[0] == 0


def test_damaged_unfinished_offsets_file_is_dropped_and_planned_anew(lake: Lake) -> None:
    _two_batches(lake)
    (_checkpoint(lake) / "offsets" / "2").write_bytes(b"\x00\x00garbage")
    (_checkpoint(lake) / "metadata").write_text("{not json")
    lake.land(event("d"))
    with pytest.raises(CheckpointError, match="offsets/2: missing its version line"):
        lake.run("bronze")
    code, out = _cli(lake, "repair", "--layer", "bronze", "--dry-run")
    assert code == 0 and out.count("would move") == 2
    assert _cli(lake, "repair", "--layer", "bronze")[0] == 0
    lake.run()
    assert sorted(r["event_id"] for r in lake.rows("bronze/events")) == ["a", "b", "c", "d"]
    assert lake.count("silver/temp_humidity") == 4


def test_damaged_committed_offsets_file_is_not_guessed(lake: Lake) -> None:
    _two_batches(lake)
    (_checkpoint(lake) / "offsets" / "1").write_text("v1\n{")
    code, out = _cli(lake, "repair", "--layer", "bronze")
    assert code != 0
    assert "offsets/1" in out and "restore the checkpoint from a backup" in out
    assert (_checkpoint(lake) / "offsets" / "1").exists()


def test_lost_checkpoint_refuses_to_start_over(lake: Lake) -> None:
    _two_batches(lake)
    versions = lake.count("bronze/events")
    shutil.rmtree(_checkpoint(lake))
    lake.land(event("d"))
    with pytest.raises(CheckpointError, match=r"is missing, but audit/batches records 2 committed"):
        lake.run("bronze")
    assert lake.count("bronze/events") == versions
