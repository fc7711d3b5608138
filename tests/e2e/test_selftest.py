"""``lakestream selftest`` on a real lake: it passes, cleans up after itself, and fails loudly
when the layers do not process its bodies."""

from __future__ import annotations

import pytest

from lakestream.common.audit.reconcile import reconcile
from lakestream.common.audit.status import collect_status
from lakestream.common.config import SELFTEST_TENANT
from lakestream.tooling.cli.main import app
from lakestream.tooling.cli.process import run_app
from tests.lake import Lake, event

pytestmark = [pytest.mark.e2e, pytest.mark.spark]
TABLES = ["bronze/events", "silver/temp_humidity", "silver/rfid_scan", "gold/device_minute"]


def args(lake: Lake, *extra: str) -> list[str]:
    """``lakestream selftest`` against the lake."""
    root, config = lake.settings.root, str(lake.registry.config_dir)
    return ["selftest", "--root", root, "--env", "test", "--config-dir", config, *extra]


def test_selftest_passes_removes_its_rows_and_the_lake_stays_reconciled(
    lake: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    lake.land(event("a1"), event("a2"), event("r1", event_type="temp_humidity", tenant="globex"))
    lake.run()
    assert run_app(app, args(lake)) == 0
    out = capsys.readouterr().out
    assert "self-test passed" in out and "mismatch" not in out
    for name in [*TABLES, "dlq/events"]:
        assert SELFTEST_TENANT not in {r["tenant_id"] for r in lake.rows(name)}, name
    assert lake.count("silver/temp_humidity") == 3
    assert {r["tenant_id"] for r in lake.rows("audit/batches")} >= {SELFTEST_TENANT}
    assert reconcile(lake.layout) == []
    assert collect_status(lake.settings, lake.registry).exit_code == 0


def test_selftest_names_every_table_the_jobs_did_not_fill(
    lake: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_app(app, args(lake, "--wait-for-jobs", "--wait", "0")) == 1
    out = capsys.readouterr().out
    for name in ["bronze/events", "silver/temp_humidity", "silver/rfid_scan"]:
        assert f"mismatch {name}: expected" in out
    assert "dlq/events silver CONTRACT_VIOLATION: expected 3, found 0" in out
    assert "self-test failed" in out
    assert run_app(app, args(lake)) == 0, "the bodies left behind do not disturb the next run"
    out = capsys.readouterr().out
    assert "self-test passed" in out
    assert all(SELFTEST_TENANT not in {r["tenant_id"] for r in lake.rows(n)} for n in TABLES)
