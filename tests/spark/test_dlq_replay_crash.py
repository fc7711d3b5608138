"""DLQ replay stopped dead between its writes (in process): the rerun repairs the history."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lakestream.common.audit import reconcile
from lakestream.common.config import load_registry
from lakestream.common.runtime.batch import BatchContext
from lakestream.dlq_replayer.replay import replay
from lakestream.dlq_replayer.selection import DlqFilter
from tests.lake import Lake, event
from tests.spark.test_dlq_replay import fixed_config

pytestmark = pytest.mark.spark


class Killed(BaseException):
    """Stands for SIGKILL: no ``except Exception`` handler runs."""


def _replay_killed_at(lake: Lake, point: str, where: DlqFilter) -> None:
    """Run a replay that is stopped dead at ``point``."""

    def hook(at: str, ctx: BatchContext) -> None:
        if at == point:
            raise Killed(at)

    lake.fault_hook = hook
    with pytest.raises(Killed):
        replay(lake.runtime(), where)
    lake.fault_hook = None


def _dlq_ready(lake: Lake, repo: Path) -> None:
    """Bronze DLQ: two umbrella events (one sent twice) and garbage; silver DLQ: one hot event."""
    hot = {"device_id": "th-1", "temperature_c": 85.0, "humidity_pct": 40}
    lake.land(
        event("u1", tenant="umbrella"),
        event("u2", tenant="umbrella"),
        event("u2", tenant="umbrella"),
        event("h1", payload=hot),
        b"garbage",
    )
    lake.run()
    lake.registry = load_registry(fixed_config(lake, repo))


def _replayer_audit(lake: Lake) -> Counter[tuple[str, str]]:
    """Recovered/failed/duplicate totals over every dlq_replayer audit total row."""
    totals: Counter[tuple[str, str]] = Counter()
    for r in lake.audit("dlq_replayer"):
        totals[(r["layer"], "recovered")] += r["output_rows"]
        totals[(r["layer"], "failed_again")] += r["dlq_rows"]
        totals[(r["layer"], "duplicate")] += r["duplicate_rows"]
    return +totals


EXPECTED = Counter(
    {
        ("bronze", "recovered"): 2,
        ("bronze", "duplicate"): 1,
        ("bronze", "failed_again"): 1,
        ("silver", "recovered"): 1,
    }
)


@pytest.mark.parametrize("point", ["after_write:bronze/events", "after_write:silver/temp_humidity"])
def test_rerun_after_a_kill_between_insert_and_status_counts_the_insert_recovered(
    lake: Lake, repo: Path, point: str
) -> None:
    _dlq_ready(lake, repo)
    _replay_killed_at(lake, point, DlqFilter())
    replay(lake.runtime(), DlqFilter())
    # A kill in the silver stage comes after bronze finished: the garbage row is tried twice.
    again = Counter({("bronze", "failed_again"): 1}) if "silver" in point else Counter()
    assert _replayer_audit(lake) == EXPECTED + again
    assert Counter(r["replay_status"] for r in lake.rows("dlq/events")) == Counter(
        {"replayed": 4, "failed_again": 1}
    )
    lake.run("silver", "gold")
    assert reconcile(lake.layout) == []


def test_rerun_after_a_kill_between_status_and_audit_writes_the_missing_audit(
    lake: Lake, repo: Path
) -> None:
    _dlq_ready(lake, repo)
    _replay_killed_at(lake, "before_audit", DlqFilter(stage="bronze"))
    replay(lake.runtime(), DlqFilter(stage="silver"))
    replay(lake.runtime(), DlqFilter())
    assert _replayer_audit(lake) == EXPECTED + Counter({("bronze", "failed_again"): 1})
    runs = Counter((r["run_id"], r["layer"]) for r in lake.audit("dlq_replayer"))
    assert set(runs.values()) == {1}
    marked = {(r["last_replay_id"], r["stage"]) for r in lake.rows("dlq/events")}
    assert marked <= set(runs)
    lake.run("silver", "gold")
    assert reconcile(lake.layout) == []
