"""``dlq replay --republish``: raw bodies go back through Event Hubs and enter via bronze."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lakestream.common.eventhubs.producer import send_bodies
from lakestream.common.runtime.batch import BatchContext
from lakestream.devtools.eventhubs_local import LocalEventHubsServer
from lakestream.dlq_replayer.republish import republish
from lakestream.dlq_replayer.selection import DlqFilter
from tests.lake import Lake, encode, event
from tests.spark.test_dlq_replay import _config_copy, _reload
from tests.spark.test_eventhubs_chain import use_hub

pytestmark = pytest.mark.spark

UMBRELLA = "tenant_id: umbrella\\ndisplay_name: Umbrella\\nallowed_event_types: [temp_humidity]\\n"


@pytest.fixture
def server() -> Iterator[LocalEventHubsServer]:
    with LocalEventHubsServer("events", partitions=2) as running:
        yield running


def test_republished_bodies_enter_through_the_front_door(
    lake: Lake, repo: Path, server: LocalEventHubsServer
) -> None:
    target = use_hub(lake, server)
    umbrella = [encode(event(f"u{i}", tenant="umbrella")) for i in range(3)]
    broken = b'{"event_id": "x",'
    send_bodies(target, [*umbrella, broken, encode(event("a1"))])
    lake.run("bronze")
    assert {r["reason_code"] for r in lake.rows("dlq/events")} == {
        "UNKNOWN_TENANT",
        "INVALID_JSON",
    }

    dry = republish(lake.runtime(), DlqFilter(tenant_id="umbrella"), dry_run=True, target=target)
    assert dry.selected == 3 and server.event_count() == 5

    config = _config_copy(lake, repo)
    (config / "tenants/umbrella.yml").write_text(UMBRELLA.replace("\\n", "\n"))
    _reload(lake, config)
    report = republish(lake.runtime(), DlqFilter(tenant_id="umbrella"), target=target)
    assert report.selected == 3
    assert server.event_count() == 8
    dlq = {r["raw_body"]: r for r in lake.rows("dlq/events")}
    assert {dlq[b]["replay_status"] for b in umbrella} == {"replayed"}
    assert {dlq[b]["last_replay_id"] for b in umbrella} == {report.replay_id}
    assert dlq[broken]["replay_status"] == "pending"

    lake.run()
    silver = sorted(r["event_id"] for r in lake.rows("silver/temp_humidity"))
    assert silver == ["a1", "u0", "u1", "u2"]
    audit = [r for r in lake.rows("audit/batches") if r["service"] == "dlq_replayer"]
    total = next(r for r in audit if r["tenant_id"] is None)
    assert (total["input_rows"], total["output_rows"], total["layer"]) == (3, 3, "republish")

    again = republish(lake.runtime(), DlqFilter(tenant_id="umbrella"), target=target)
    assert again.selected == 0 and server.event_count() == 8


def test_republish_crashed_before_its_audit_is_audited_as_a_republish_by_the_next_run(
    lake: Lake, repo: Path, server: LocalEventHubsServer
) -> None:
    target = use_hub(lake, server)
    umbrella = [encode(event(f"u{i}", tenant="umbrella")) for i in range(2)]
    send_bodies(target, umbrella)
    lake.run("bronze")
    config = _config_copy(lake, repo)
    (config / "tenants/umbrella.yml").write_text(UMBRELLA.replace("\\n", "\n"))
    _reload(lake, config)

    def crash(point: str, ctx: BatchContext) -> None:
        if point == "before_audit":
            raise RuntimeError("killed before the audit")

    lake.fault_hook = crash
    with pytest.raises(RuntimeError, match="killed"):
        republish(lake.runtime(), DlqFilter(tenant_id="umbrella"), target=target)
    lake.fault_hook = None
    marked = {r["last_replay_id"] for r in lake.rows("dlq/events")}
    assert len(marked) == 1 and lake.audit("dlq_replayer") == []

    again = republish(lake.runtime(), DlqFilter(tenant_id="umbrella"), target=target)
    assert again.selected == 0 and server.event_count() == 4
    audit = lake.audit("dlq_replayer")
    assert [(a["run_id"], a["layer"], a["input_rows"], a["output_rows"]) for a in audit] == [
        (marked.pop(), "republish", 2, 2)
    ]
