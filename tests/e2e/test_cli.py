"""The console scripts as real processes: config validation, usage errors, jobs, versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli
from tests.lake import encode, event

pytestmark = pytest.mark.e2e


def test_config_validate_passes_on_shipped_config(cli: Cli) -> None:
    done = cli("lakestream", "config", "validate", "--config-dir", "config")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "config OK" in done.stdout


def test_config_validate_fails_clearly_on_a_broken_copy(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "config"
    shutil.copytree(repo / "config", broken)
    contract = broken / "contracts/temp_humidity/v2.yml"
    contract.write_text(contract.read_text().replace("max: 100", "max: many", 1))
    done = cli("lakestream", "config", "validate", "--config-dir", str(broken))
    assert done.returncode == 1
    assert "v2.yml" in done.stdout and "fields.humidity_pct.max" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_jobs_refuse_to_start_on_bad_config(cli: Cli, repo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "config"
    shutil.copytree(repo / "config", broken)
    (broken / "tenants/acme.yml").write_text("tenant_id: acme\nallowed_event_types: 7\n")
    done = cli(
        "lakestream-bronze", "--once", "--root", str(tmp_path / "lake"), "--config-dir", str(broken)
    )
    assert done.returncode == 1
    assert "acme.yml" in done.stderr and "nothing was started" in done.stderr
    assert not (tmp_path / "lake").exists()


def test_unknown_layer_is_a_usage_error(cli: Cli) -> None:
    done = cli("lakestream", "run", "--layer", "platinum", "--once")
    assert done.returncode == 2
    assert "platinum" in done.stderr


def test_version_lists_every_package(cli: Cli) -> None:
    done = cli("lakestream", "--version")
    assert done.returncode == 0
    for package in (
        "lakestream-common",
        "lakestream-bronze",
        "lakestream-silver",
        "lakestream-gold",
    ):
        assert package in done.stdout


def test_service_jobs_run_the_chain_once(cli: Cli, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.jsonl").write_bytes(encode(event("x1")) + b"\n" + encode(event("x2")) + b"\n{\n")
    root = str(tmp_path / "lake")
    for job in ("lakestream-bronze", "lakestream-silver", "lakestream-gold"):
        done = cli(job, "--once", "--root", root, "--source-path", str(landing))
        assert done.returncode == 0, job + done.stdout + done.stderr
    from deltalake import DeltaTable

    base = Path(root) / "local"
    assert DeltaTable(str(base / "silver/temp_humidity")).to_pyarrow_table().num_rows == 2
    assert DeltaTable(str(base / "dlq/events")).to_pyarrow_table().num_rows == 1
    gold = DeltaTable(str(base / "gold/device_minute")).to_pyarrow_table()
    assert gold.column("event_count").to_pylist() == [2]
