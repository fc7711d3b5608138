"""The chained mode: one query runs bronze, silver and gold per batch; modes switch both ways."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lakestream.common.errors import StreamFailedError
from lakestream.common.runtime.batch import BatchContext
from lakestream.common.runtime.chained import ChainError, chain_links
from lakestream.common.runtime.checkpoint import inspect
from lakestream.common.runtime.service import discover_services
from lakestream.common.tables.deltaspark import DeltaSparkBackend
from tests.lake import Lake, event

pytestmark = pytest.mark.spark


def _events(prefix: str, n: int) -> list[dict[str, object]]:
    return [
        event(f"{prefix}{i}", event_time=f"2026-11-25T10:0{i % 3}:{i % 60:02d}Z") for i in range(n)
    ]


def _totals(lake: Lake, service: str) -> Counter[str]:
    totals: Counter[str] = Counter()
    for row in lake.audit(service):
        assert row["status"] == "SUCCEEDED"
        for column in ("input_rows", "output_rows", "dlq_rows", "duplicate_rows"):
            totals[column] += int(row[column])
    return totals


def _checkpoint(lake: Lake, service: str, flow: str) -> Path:
    return Path(lake.layout.checkpoint(service, flow))


def test_chained_run_writes_what_the_layers_write(lake: Lake) -> None:
    lake.land(*_events("a", 6), b"not json")
    lake.land(event("a1"), *_events("b", 4))
    lake.run(chained=True)
    assert lake.count("bronze/events") == 11
    assert sorted(r["event_id"] for r in lake.rows("silver/temp_humidity")) == sorted(
        [f"a{i}" for i in range(6)] + [f"b{i}" for i in range(4)]
    )
    assert lake.count("dlq/events") == 1
    gold = lake.rows("gold/device_minute")
    assert sum(r["event_count"] for r in gold) == 10
    assert _totals(lake, "silver") == Counter(
        input_rows=11, output_rows=10, dlq_rows=0, duplicate_rows=1
    )
    assert _totals(lake, "gold")["input_rows"] == 10
    silver = inspect(str(_checkpoint(lake, "silver", "events")))
    assert silver.offsets == silver.commits and silver.commits, "every planned batch committed"


def test_modes_switch_both_ways_without_loss_or_duplicates(lake: Lake) -> None:
    lake.land(*_events("a", 5))
    lake.run(chained=True)
    lake.land(*_events("b", 5))
    lake.run()
    lake.land(*_events("c", 5), event("a0"))
    lake.run(chained=True)
    assert lake.count("silver/temp_humidity") == 15
    assert _totals(lake, "silver") == Counter(
        input_rows=16, output_rows=15, dlq_rows=0, duplicate_rows=1
    )
    assert sum(r["event_count"] for r in lake.rows("gold/device_minute")) == 15
    for service, flow in (("silver", "events"), ("gold", "device_minute")):
        state = inspect(str(_checkpoint(lake, service, flow)))
        assert state.offsets == list(range(len(state.offsets))) == state.commits
        audited = sorted(int(r["batch_id"]) for r in lake.audit(service))
        assert audited == state.commits, "one audit row per batch, whichever mode ran it"


def test_a_batch_killed_before_its_commit_file_replays_over_the_same_commits(lake: Lake) -> None:
    lake.land(*_events("a", 5))
    lake.run(chained=True)
    silver = _checkpoint(lake, "silver", "events")
    last = max(inspect(str(silver)).commits)
    (silver / "commits" / str(last)).unlink()
    planned = (silver / "offsets" / str(last)).read_text()
    lake.land(*_events("b", 3))
    lake.run(chained=True)
    assert (silver / "offsets" / str(last)).read_text() == planned
    assert lake.count("silver/temp_humidity") == 8
    assert _totals(lake, "silver") == Counter(
        input_rows=8, output_rows=8, dlq_rows=0, duplicate_rows=0
    )
    assert sorted(int(r["batch_id"]) for r in lake.audit("silver")) == inspect(str(silver)).commits


def test_chained_mode_refuses_what_it_cannot_chain(lake: Lake) -> None:
    services = discover_services()
    runtime = lake.runtime()
    with pytest.raises(ChainError, match="exactly one source flow first"):
        chain_links(runtime, [services["silver"], services["gold"]])
    runtime.backend = DeltaSparkBackend(lake.spark)
    with pytest.raises(ChainError, match="needs the embedded backend"):
        chain_links(runtime, list(services.values()))


def test_a_failing_layer_stops_the_chain_and_the_next_start_finishes_it(lake: Lake) -> None:
    def fail_silver(point: str, ctx: BatchContext) -> None:
        if point == "before_write:silver/temp_humidity":
            raise RuntimeError("injected silver fault")

    lake.land(*_events("a", 4))
    lake.fault_hook = fail_silver
    with pytest.raises(
        StreamFailedError, match=r"silver\.events batch \d+: .*injected silver fault"
    ):
        lake.run(chained=True)
    assert lake.count("bronze/events") == 4
    assert lake.count("silver/temp_humidity") == 0
    lake.fault_hook = None
    lake.run(chained=True)
    assert lake.count("silver/temp_humidity") == 4
    assert sum(r["event_count"] for r in lake.rows("gold/device_minute")) == 4
    statuses = Counter(str(r["status"]) for r in lake.audit("silver"))
    assert statuses["FAILED"] == 1, "the failed attempt keeps its FAILED audit row"
    succeeded = [r for r in lake.audit("silver") if r["status"] == "SUCCEEDED"]
    assert sum(int(r["output_rows"]) for r in succeeded) == 4
