"""Tenant isolation: no path writes a row under a tenant other than the one it was admitted for."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from lakestream.common.eventhubs.producer import send_bodies
from lakestream.devtools.eventhubs_local import LocalEventHubsServer
from lakestream.dlq_replayer.replay import replay
from lakestream.dlq_replayer.republish import republish
from lakestream.dlq_replayer.selection import DlqFilter
from tests.lake import Lake, encode, event
from tests.spark.test_dlq_replay import _config_copy, _reload
from tests.spark.test_eventhubs_chain import use_hub

pytestmark = pytest.mark.spark

UMBRELLA = "tenant_id: umbrella\ndisplay_name: Umbrella\nallowed_event_types: [temp_humidity]\n"
DATA_TABLES = ("bronze/events", "silver/temp_humidity")


@pytest.fixture
def server() -> Iterator[LocalEventHubsServer]:
    with LocalEventHubsServer("events", partitions=2) as running:
        yield running


def _keys(lake: Lake, name: str) -> Counter[tuple[str, str]]:
    return Counter((r["tenant_id"], r["event_id"]) for r in lake.rows(name))


def test_a_mismatched_event_stays_out_of_every_table_through_replay_and_republish(
    lake: Lake, server: LocalEventHubsServer
) -> None:
    target = use_hub(lake, server)
    send_bodies(target, [encode(event("same"))], properties={"tenant_id": "acme"})
    send_bodies(
        target, [encode(event("same", tenant="globex"))], properties={"tenant_id": "globex"}
    )
    claim = encode(event("claim", tenant="globex"))
    send_bodies(target, [claim], properties={"tenant_id": "acme"})
    lake.run()
    expected = Counter({("acme", "same"): 1, ("globex", "same"): 1})
    assert all(_keys(lake, name) == expected for name in DATA_TABLES)
    assert sorted(r["tenant_id"] for r in lake.rows("gold/device_minute")) == ["acme", "globex"]

    report = replay(lake.runtime(), DlqFilter())
    assert report.failed_by_reason() == Counter({"TENANT_MISMATCH": 1})
    assert report.count("recovered") == 0
    assert _keys(lake, "bronze/events") == expected

    sent = server.event_count()
    again = republish(lake.runtime(), DlqFilter(), target=target)
    assert again.failed_by_reason() == Counter({"TENANT_MISMATCH": 1})
    assert server.event_count() == sent
    (dlq,) = lake.rows("dlq/events")
    assert (dlq["raw_body"], dlq["replay_status"], dlq["replay_attempts"]) == (
        claim,
        "failed_again",
        2,
    )


def test_replay_credits_the_right_tenant_when_two_tenants_share_an_event_id(
    lake: Lake, repo: Path
) -> None:
    config = _config_copy(lake, repo)
    (config / "tenants/acme.yml").rename(lake.tmp_path / "acme.yml")
    _reload(lake, config)
    lake.land(event("shared"), event("shared", tenant="umbrella"))
    lake.run("bronze")
    assert Counter(r["reason_code"] for r in lake.rows("dlq/events")) == {"UNKNOWN_TENANT": 2}

    (lake.tmp_path / "acme.yml").rename(config / "tenants/acme.yml")
    (config / "tenants/umbrella.yml").write_text(UMBRELLA)
    _reload(lake, config)
    lake.land(event("shared"))
    lake.run("bronze")

    report = replay(lake.runtime(), DlqFilter())
    outcomes = {o.tenant: o.outcome for o in report.outcomes}
    assert outcomes == {"acme": "duplicate", "umbrella": "recovered"}
    assert _keys(lake, "bronze/events") == Counter(
        {("acme", "shared"): 1, ("umbrella", "shared"): 1}
    )
    audit = {
        r["tenant_id"]: (r["output_rows"], r["duplicate_rows"])
        for r in lake.rows("audit/batches")
        if r["service"] == "dlq_replayer" and r["tenant_id"] is not None
    }
    assert audit == {"acme": (0, 1), "umbrella": (1, 0)}
