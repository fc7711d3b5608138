"""Hostile config and arguments against the installed console scripts, as real processes.

A few representative cases of ``tests/unit/test_hostile_config.py`` and
``tests/unit/test_hostile_cli.py``: exit code, message on stderr, no traceback, nothing written,
and fast, because Spark is never started.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli

pytestmark = pytest.mark.e2e
QUICK_S = 15
"""Far below a Spark start on the shared CI machines."""


@pytest.fixture
def config(repo: Path, tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(repo / "config", target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("script", "args"),
    [
        ("lakestream", ["run", "--layer", "bronze", "--once"]),
        ("lakestream-silver", ["--once"]),
        ("lakestream", ["config", "validate"]),
    ],
)
def test_hostile_config_is_refused_before_spark(
    cli: Cli, config: Path, tmp_path: Path, script: str, args: list[str]
) -> None:
    _edit(
        config / "contracts/temp_humidity/v1.yml",
        "(temperature_f - 32) * 5 / 9",
        "java_method('java.lang.System', 'exit', 0)",
    )
    _edit(config / "contracts/rfid_scan/v1.yml", "'^[0-9A-Fa-f]{24}$'", "'^([0-9A-F]+)+$'")
    (config / "tenants/globex.yml").write_bytes("display_name: Glöbex\n".encode("latin-1"))
    lake = tmp_path / "lake"
    started = time.monotonic()
    extra = [] if script == "lakestream" and args[0] == "config" else ["--root", str(lake)]
    done = cli(script, *args, *extra, "--config-dir", str(config))
    took = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "v1.yml: upcast.set.temperature_c: " in output and "calls Java code" in output
    assert "rfid_scan/v1.yml: fields.tag_id.regex: " in output
    assert "globex.yml: (file): the file is not UTF-8 text" in output
    assert "Traceback" not in output
    assert not lake.exists()
    assert took < QUICK_S, f"{took:.1f}s: did Spark start?"


@pytest.mark.parametrize(
    ("script", "args", "named"),
    [
        ("lakestream-bronze", ["--once", "--telemetry", "jaeger"], "'--telemetry'"),
        ("lakestream", ["dlq", "list", "--limit", "0"], "'--limit'"),
        ("lakestream", ["demo", "--events", "-5"], "'--events'"),
        ("lakestream", ["audit", "report", "--since", "99999999999d"], "--since"),
    ],
)
def test_hostile_arguments_are_usage_errors(
    cli: Cli, script: str, args: list[str], named: str
) -> None:
    done = cli(script, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert named in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
