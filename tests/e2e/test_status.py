"""``lakestream status`` as a real process over a real lake: ok, lagging, stuck and losing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable

from lakestream.common.errors import StreamFailedError
from lakestream.common.runtime.batch import BatchContext
from tests.lake import Lake, event

pytestmark = [pytest.mark.e2e, pytest.mark.spark]
BIN = Path(sys.executable).parent


def status(lake: Lake, *args: str) -> tuple[int, dict[str, Any], str]:
    """Run ``lakestream status --json`` on the lake's root (no --env: it finds ``test``)."""
    done = subprocess.run(
        [str(BIN / "lakestream"), "status", "--json", "--root", lake.settings.root, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=lake.registry.config_dir.parent,
    )
    body = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    return done.returncode, body, done.stderr


def layers(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The status's layers by name."""
    return {layer["layer"]: layer for layer in body["layers"]}


def readings(n: int, start: int = 0) -> list[dict[str, Any]]:
    """``n`` clean temp_humidity events of acme."""
    return [event(f"e{i}") for i in range(start, start + n)]


def test_ok_then_lagging_then_stuck_then_losing(lake: Lake) -> None:
    lake.land(*readings(5))
    lake.land(*readings(5, start=5))
    lake.run()
    code, body, err = status(lake)
    assert code == 0, (body, err)
    assert "reading environment 'test'" in err
    assert {name: layer["verdict"] for name, layer in layers(body).items()} == {
        "bronze": "ok",
        "silver": "ok",
        "gold": "ok",
    }
    assert layers(body)["bronze"]["batches"] == 2

    lake.land(*readings(3, start=10))
    lake.land(*readings(3, start=13))
    code, body, _ = status(lake)
    bronze = layers(body)["bronze"]
    assert code == 1
    assert bronze["verdict"] == "lagging"
    assert bronze["backlog"]["total"] == 2 and bronze["backlog"]["unit"] == "files"
    assert layers(body)["silver"]["verdict"] == "ok"

    def gold_fails(point: str, ctx: BatchContext) -> None:
        if point.startswith("before_write:gold"):
            raise RuntimeError("gold cannot write (injected)")

    lake.run("bronze", "silver")
    lake.fault_hook = gold_fails
    with pytest.raises(StreamFailedError):
        lake.run("gold")
    code, body, _ = status(lake)
    gold = layers(body)["gold"]
    assert code == 1
    assert gold["verdict"] == "stuck", gold
    assert gold["failed_batches"] == 1
    assert gold["backlog"]["unit"] == "commits" and gold["backlog"]["total"] >= 1
    assert any("failed: " in p["reason"] for p in gold["problems"])
    assert layers(body)["bronze"]["verdict"] == "ok"

    lake.fault_hook = None
    lake.run("gold")
    DeltaTable(lake.layout.silver("temp_humidity")).delete("event_id = 'e3'")
    code, body, _ = status(lake)
    silver = layers(body)["silver"]
    assert code == 1
    assert silver["verdict"] == "losing", silver
    assert any("silver rows vs audit" in p["reason"] for p in silver["problems"])
    gold = layers(body)["gold"]
    assert gold["verdict"] == "lagging", "the delete is a silver commit gold has not read"
    assert gold["backlog"]["total"] == 1


def test_a_layer_idle_with_a_backlog_past_the_threshold_is_stuck(lake: Lake) -> None:
    lake.land(*readings(2))
    lake.run("bronze")
    lake.land(*readings(2, start=2))
    done = subprocess.run(
        [str(BIN / "lakestream"), "status", "--root", lake.settings.root, "--env", "test"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=lake.registry.config_dir.parent,
        env={**os.environ, "LAKESTREAM_STATUS_STUCK_AFTER_SECONDS": "0.001"},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "bronze stuck: 1 files waiting" in done.stdout
    assert "silver stuck" in done.stdout
