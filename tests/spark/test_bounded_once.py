"""``--once`` runs of change-feed flows read the upstream backlog in bounded steps."""

from __future__ import annotations

import pytest

from tests.lake import Lake, event
from tests.spark.test_restart_crash import _crash_once

pytestmark = pytest.mark.spark


def test_silver_reads_a_backlog_in_steps_of_max_versions(lake: Lake) -> None:
    lake.settings = lake.settings.model_copy(update={"max_versions_per_trigger": 2})
    for number in range(5):
        lake.land(event(f"e{number}"), event(f"e{number}"))
    lake.run("bronze")
    lake.run("silver")
    batches = lake.audit("silver")
    assert [b["input_rows"] for b in sorted(batches, key=lambda b: b["batch_id"])] == [2, 4, 4]
    assert lake.count("silver/temp_humidity") == 5
    assert sum(b["duplicate_rows"] for b in batches) == 5
    lake.land(event("e5"))
    lake.run("bronze", "silver")
    assert lake.count("silver/temp_humidity") == 6
    assert len(lake.audit("silver")) == 4


def test_gold_catches_up_in_steps_and_matches_one_step(lake: Lake) -> None:
    lake.settings = lake.settings.model_copy(update={"max_versions_per_trigger": 1})
    for minute in range(3):
        lake.land(event(f"m{minute}", event_time=f"2026-11-25T10:0{minute}:30Z"))
    lake.run("bronze", "silver")
    lake.run("gold")
    inputs = [b["input_rows"] for b in lake.audit("gold")]
    assert sum(inputs) == 3
    assert max(inputs) == 1
    assert sorted(r["event_count"] for r in lake.rows("gold/device_minute")) == [1, 1, 1]


def test_once_after_a_crash_finishes_the_planned_batch_and_reads_on(lake: Lake) -> None:
    lake.land(event("e0"))
    lake.run("bronze", "silver")
    lake.land(event("e1"))
    lake.run("bronze")
    lake.fault_hook = _crash_once("after_audit", batch=1)
    with pytest.raises(Exception, match="injected"):
        lake.run("silver")
    lake.fault_hook = None
    lake.land(event("e2"))
    lake.run("bronze")
    lake.run("silver")
    assert lake.count("silver/temp_humidity") == 3
    assert [b["batch_id"] for b in lake.audit("silver") if b["status"] == "SUCCEEDED"] == [0, 1, 2]
