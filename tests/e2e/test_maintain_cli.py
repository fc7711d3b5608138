"""``lakestream maintain`` as a real process: exit codes after delta-rs work (no abort at exit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakestream.common.layout import TableLayout
from tests.e2e.conftest import Cli
from tests.unit.test_maintenance import audit_appends

pytestmark = pytest.mark.e2e


def test_maintain_exits_cleanly_and_refuses_a_short_retention(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "root"
    audit_appends(TableLayout.local(root, "e2e"), 3)
    args = ("maintain", "--root", str(root), "--env", "e2e", "--config-dir", "config")
    done = cli("lakestream", *args)
    assert done.returncode == 0, done.stderr
    assert "audit/batches: 3 files" in done.stdout
    assert "compacted 3 files" in done.stdout
    assert done.stdout.count("does not exist yet, skipped") == 5
    refused = cli("lakestream", *args, "--retention-hours", "1")
    assert refused.returncode == 1
    assert "below 168" in refused.stderr and "Traceback" not in refused.stderr
