"""SIGKILL between the executors' file writes and the embedded backend's commit.

On a local table Spark's executors write a batch's Parquet files into the table's directory and
delta-rs then commits them (decision 0104). A process killed in between leaves files no commit
references; the restarted batch writes and commits its own, and ``lakestream maintain`` vacuums
the orphans. Nothing may be lost or duplicated on the way.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from lakestream.common.layout import TableLayout
from lakestream.common.settings import Settings
from lakestream.common.tables.parquet_files import STAGING_DIR
from tests.chaos import checks
from tests.chaos.workload import Workload
from tests.e2e.conftest import BIN

pytestmark = pytest.mark.chaos

SEED = 15
TABLES = ("bronze/events", "silver/temp_humidity", "dlq/events")


def _orphans(layout: TableLayout, name: str) -> set[str]:
    """Data files under the table's directory that no commit references."""
    location = Path(layout.table(name))
    actions = pa.table(DeltaTable(str(location)).get_add_actions(flatten=True))
    referenced = {str(location / unquote(f)) for f in actions.column("path").to_pylist()}
    on_disk = {
        str(p)
        for p in location.rglob("*.parquet")
        if "_delta_log" not in p.parts and "_change_data" not in p.parts
    }
    return on_disk - referenced


def _kill_before_commit(run: list[str], table: str, work: Path) -> str:
    marker = work / "marker"
    marker.unlink(missing_ok=True)
    plan = {"point": f"before_commit:{table}", "hit": 1, "marker": str(marker)}
    (work / "plan.json").write_text(json.dumps(plan))
    proc = subprocess.run(
        [sys.executable, "-m", "tests.chaos.agent", str(work / "plan.json"), *run],
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        start_new_session=True,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stdout[-3000:] + proc.stderr[-3000:]
    return marker.read_text().strip()


def _cli(*args: str) -> None:
    done = subprocess.run(
        [str(BIN / "lakestream"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_kill_after_files_written_before_commit(tmp_path: Path) -> None:
    landing, root = tmp_path / "landing", tmp_path / "lake"
    landing.mkdir()
    layout = Settings(root=str(root)).layout
    workload = Workload(SEED)
    for _ in range(3):
        workload.land(landing)
    where = ["--root", str(root), "--source-path", str(landing)]
    run = ["lakestream", "run", "--layer", "all", "--once", *where]
    orphans: dict[str, int] = {}
    for table in TABLES:
        died = _kill_before_commit(run, table, tmp_path)
        assert died.startswith(f"before_commit:{table} "), died
        orphans[table] = len(_orphans(layout, table))
    assert all(orphans.values()), f"every kill left written, uncommitted files: {orphans}"
    _cli("run", "--layer", "all", "--once", *where)
    checks.conservation(layout, workload.expected)
    checks.no_duplicate_keys(layout)
    checks.gold_matches_silver(layout)
    checks.one_audit_row_per_committed_batch(layout)
    checks.audit_balances(layout, workload.expected)
    _cli("maintain", "--retention-hours", "0", "--force-retention", "--root", str(root))
    left = {table: sorted(_orphans(layout, table)) for table in TABLES}
    assert left == {table: [] for table in TABLES}
    for table in TABLES:
        staging = Path(layout.table(table)) / STAGING_DIR
        assert not staging.exists() or not any(staging.iterdir()), table
    checks.conservation(layout, workload.expected)
    checks.gold_matches_silver(layout)
