"""Onboarding a new event version by configuration alone: silver gains the new column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lakestream.common.config import load_registry
from tests.lake import Lake, event

pytestmark = pytest.mark.spark

V3 = """event_type: temp_humidity
version: 3
fields:
  device_id: {type: string, required: true}
  temperature_c: {type: double, required: true, min: -60, max: 80}
  humidity_pct: {type: double, required: true, min: 0, max: 100}
  battery_pct: {type: double, min: 0, max: 100}
  firmware_version: {type: string}
  dew_point_c: {type: double}
"""
V2_UPCAST = """upcast:
  to_version: 3
  set:
    dew_point_c: temperature_c - (100 - humidity_pct) / 5
"""


def test_new_version_adds_a_silver_column_and_upcasts_older_versions(
    lake: Lake, repo: Path, tmp_path: Path
) -> None:
    lake.land(event("before"))
    lake.run()

    config = tmp_path / "config"
    shutil.copytree(repo / "config", config)
    (config / "contracts/temp_humidity/v3.yml").write_text(V3)
    v2 = config / "contracts/temp_humidity/v2.yml"
    v2.write_text(v2.read_text() + V2_UPCAST)
    lake.registry = load_registry(config)

    v3_payload = {"device_id": "th-1", "temperature_c": 20, "humidity_pct": 50, "dew_point_c": 9.5}
    lake.land(event("v3", version=3, payload=v3_payload), event("v2-after"))
    lake.run()

    silver = {r["event_id"]: r for r in lake.rows("silver/temp_humidity")}
    assert silver["before"]["dew_point_c"] is None
    assert silver["v3"]["dew_point_c"] == 9.5
    assert silver["v3"]["event_version"] == 3
    assert silver["v2-after"]["dew_point_c"] == pytest.approx(21.5 - 60 / 5)
    assert sum(r["event_count"] for r in lake.rows("gold/device_minute")) == 3
