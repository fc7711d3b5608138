"""``lakestream run`` without --once: events flow while it runs; SIGINT stops it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from deltalake import DeltaTable

from tests.e2e.conftest import BIN
from tests.lake import encode, event

pytestmark = pytest.mark.e2e


def _rows(path: Path) -> int:
    if not DeltaTable.is_deltatable(str(path)):
        return 0
    return int(DeltaTable(str(path)).to_pyarrow_table().num_rows)


def test_continuous_run_processes_new_files_and_stops_cleanly_on_sigint(
    repo: Path, tmp_path: Path
) -> None:
    landing, root = tmp_path / "landing", tmp_path / "lake"
    landing.mkdir()
    proc = subprocess.Popen(
        [
            str(BIN / "lakestream"),
            "run",
            "--layer",
            "all",
            "--root",
            str(root),
            "--source-path",
            str(landing),
        ],
        cwd=repo,
        env={**os.environ, "LAKESTREAM_TRIGGER_INTERVAL": "1 second"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        bodies = [
            encode(event(f"c{i}", event_time=f"2026-11-25T10:0{i % 3}:00Z")) for i in range(9)
        ]
        tmp = landing / ".a.jsonl.tmp"
        tmp.write_bytes(b"\n".join(bodies) + b"\nnot json\n")
        tmp.rename(landing / "a.jsonl")
        gold = root / "local/gold/device_minute"
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and _rows(gold) < 3:
            assert proc.poll() is None, proc.communicate()[0]
            time.sleep(2)
        assert _rows(gold) == 3
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=180)
    assert proc.returncode == 0, output
    assert "stop requested" in output
    assert "Traceback" not in output and "Exception" not in output
    audit = DeltaTable(str(root / "local/audit/batches")).to_pyarrow_table().to_pylist()
    assert audit and all(row["status"] == "SUCCEEDED" for row in audit)
    assert _rows(root / "local/silver/temp_humidity") == 9
    assert _rows(root / "local/dlq/events") == 1
