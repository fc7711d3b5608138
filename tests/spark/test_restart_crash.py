"""Exactly-once: restarts and crashes between the writes and the checkpoint commit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lakestream.common.runtime.batch import BatchContext
from tests.lake import Lake, event

pytestmark = pytest.mark.spark


class InjectedCrashError(RuntimeError):
    """Injected fault."""


def _crash_once(point: str, batch: int = 0) -> Callable[[str, BatchContext], None]:
    fired: list[str] = []

    def hook(name: str, ctx: BatchContext) -> None:
        if name == point and ctx.batch_id == batch and not fired:
            fired.append(name)
            raise InjectedCrashError(f"injected at {name}")

    return hook


def _chain_counts(lake: Lake) -> tuple[int, int, int, int]:
    return (
        lake.count("bronze/events"),
        lake.count("silver/temp_humidity"),
        lake.count("dlq/events"),
        sum(r["event_count"] for r in lake.rows("gold/device_minute")),
    )


def test_restart_from_checkpoint_neither_loses_nor_duplicates(lake: Lake) -> None:
    lake.land(event("a"), event("b"), b"not json")
    lake.run()
    lake.land(event("c"), event("a"))
    lake.run()
    lake.run()
    assert _chain_counts(lake) == (4, 3, 1, 3)
    for service in ("bronze", "silver", "gold"):
        batch_ids = [a["batch_id"] for a in lake.audit(service)]
        assert batch_ids == sorted(set(batch_ids)), service


@pytest.mark.parametrize(
    ("layer", "point"),
    [
        ("bronze", "after_write:bronze/events"),
        ("bronze", "after_audit"),
        ("silver", "after_write:silver/temp_humidity"),
        ("silver", "before_audit"),
        ("gold", "after_write:gold/device_minute"),
    ],
)
def test_crash_before_checkpoint_commit_then_restart(lake: Lake, layer: str, point: str) -> None:
    lake.land(event("a"), event("b", event_time="2026-11-25T10:02:00Z"), b"[]", event("a"))
    upstream = {"bronze": (), "silver": ("bronze",), "gold": ("bronze", "silver")}[layer]
    if upstream:
        lake.run(*upstream)
    lake.fault_hook = _crash_once(point)
    with pytest.raises(Exception, match="injected"):
        lake.run(layer)
    lake.fault_hook = None
    lake.run()
    assert _chain_counts(lake) == (3, 2, 1, 2)
    audits = lake.audit(layer)
    succeeded = [a for a in audits if a["status"] == "SUCCEEDED"]
    failed = [a for a in audits if a["status"] == "FAILED"]
    assert [a["batch_id"] for a in succeeded] == [0]
    assert len(failed) == 1 and "injected" in failed[0]["error"]
    total = succeeded[0]
    assert total["input_rows"] == total["output_rows"] + total["dlq_rows"] + total["duplicate_rows"]
