"""Reading commands never answer from an environment without tables: they name the path read
and the environments that do hold tables, and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakestream.common.layout import TableLayout
from lakestream.common.tables.deltars import DeltaRsBackend
from lakestream.common.tables.schemas import audit_batches
from lakestream.tooling.cli.main import app
from lakestream.tooling.cli.process import run_app

pytestmark = pytest.mark.unit

READERS = [
    ["audit", "report"],
    ["audit", "reconcile"],
    ["checkpoint", "status"],
    ["checkpoint", "repair", "--layer", "bronze", "--dry-run"],
    ["dlq", "list"],
    ["dlq", "replay", "--dry-run"],
    ["status"],
]


def with_env(root: Path, env: str) -> None:
    """An environment under ``root`` holding an (empty) audit table."""
    DeltaRsBackend().ensure(audit_batches(TableLayout.local(root, env)))


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_an_empty_root_is_named_and_exits_2(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_app(app, [*command, "--root", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"no lakestream tables under {tmp_path}/local" in err.replace("\n", "")
    assert "nor in any other environment" in err


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_wrong_env_names_the_environments_that_exist(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_env(tmp_path, "demo")
    with_env(tmp_path, "ci")
    code = run_app(app, [*command, "--root", str(tmp_path), "--env", "prod"])
    err = capsys.readouterr().err.replace("\n", "")
    assert code == 2, err
    assert f"no lakestream tables under {tmp_path}/prod" in err
    assert "ci, demo" in err and "--env" in err


def test_two_environments_and_no_env_given_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_env(tmp_path, "demo")
    with_env(tmp_path, "ci")
    assert run_app(app, ["audit", "report", "--root", str(tmp_path)]) == 2
    assert "ci, demo" in capsys.readouterr().err.replace("\n", "")


def test_the_only_environment_is_read_and_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAKESTREAM_ENV", raising=False)
    with_env(tmp_path, "demo")
    assert run_app(app, ["audit", "reconcile", "--root", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "reading environment 'demo'" in captured.err
    assert "reconciled" in captured.out


def test_a_writing_command_does_not_pick_an_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAKESTREAM_ENV", raising=False)
    with_env(tmp_path, "demo")
    assert run_app(app, ["dlq", "replay", "--dry-run", "--root", str(tmp_path)]) == 2
    assert "environments with tables under" in capsys.readouterr().err.replace("\n", "")
