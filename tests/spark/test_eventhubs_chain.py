"""Bronze from Event Hubs end to end: producer -> local hub -> bronze -> silver -> gold."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession

from lakestream.bronze.envelope import parse_envelope
from lakestream.common.config import Registry
from lakestream.common.eventhubs.connection import EventHubsTarget, Secret
from lakestream.common.eventhubs.producer import send_bodies
from lakestream.devtools.eventhubs_local import LocalEventHubsServer
from lakestream.tooling.demo import read_table_counts, reconcile
from lakestream.tooling.demo.workload import generate_bodies
from tests.eventhubs_support import CONN_ENV, source_options
from tests.lake import Lake, encode, event
from tests.spark.test_restart_crash import _crash_once

pytestmark = pytest.mark.spark


@pytest.fixture
def server() -> Iterator[LocalEventHubsServer]:
    with LocalEventHubsServer("events", partitions=4) as running:
        yield running


def use_hub(lake: Lake, server: LocalEventHubsServer, **extra: object) -> EventHubsTarget:
    """Point the lake's bronze at the local hub; return a producer target for it."""
    source_options(server)
    lake.settings = lake.settings.model_copy(
        update={
            "source": "eventhubs",
            "eventhubs_connection_string_env": CONN_ENV,
            "eventhubs_receive_timeout": 30.0,
            **extra,
        }
    )
    return EventHubsTarget("local", "events", connection_string=Secret(server.connection_string))


def test_producer_to_gold_is_reconciled_with_the_ground_truth(
    lake: Lake, server: LocalEventHubsServer
) -> None:
    bodies, truth = generate_bodies(400, seed=11)
    send_bodies(use_hub(lake, server), bodies)
    lake.run()
    counts = read_table_counts(lake.layout, lake.registry.event_types())
    assert reconcile(truth, counts) == []
    sources = {r["source"]["kind"] for r in lake.rows("bronze/events")}
    assert sources == {"eventhubs"}
    coordinates = {
        (r["source"]["partition"], r["source"]["sequence_number"])
        for r in [*lake.rows("bronze/events"), *lake.rows("dlq/events")]
    }
    assert len(coordinates) == truth.total


def test_crash_between_write_and_checkpoint_neither_loses_nor_duplicates(
    lake: Lake, server: LocalEventHubsServer
) -> None:
    target = use_hub(lake, server)
    send_bodies(target, [encode(event(f"e{i}", payload=_payload(i))) for i in range(20)])
    lake.fault_hook = _crash_once("after_write:bronze/events")
    with pytest.raises(Exception, match="injected"):
        lake.run("bronze")
    lake.fault_hook = None
    lake.run("bronze")
    assert lake.count("bronze/events") == 20
    send_bodies(target, [encode(event(f"f{i}", payload=_payload(i))) for i in range(5)])
    lake.run("bronze")
    ids = sorted(r["event_id"] for r in lake.rows("bronze/events"))
    assert ids == sorted([f"e{i}" for i in range(20)] + [f"f{i}" for i in range(5)])
    statuses = [a["status"] for a in lake.audit("bronze")]
    assert statuses.count("FAILED") == 1 and statuses.count("SUCCEEDED") == 2


def _payload(i: int) -> dict[str, object]:
    return {"device_id": f"th-{i % 3}", "temperature_c": 20.0 + i, "humidity_pct": 40}


def test_tenant_property_binds_the_event_and_a_mismatch_is_isolated(
    lake: Lake, server: LocalEventHubsServer
) -> None:
    target = use_hub(lake, server)
    send_bodies(target, [encode(event("free"))])
    send_bodies(target, [encode(event("own"))], properties={"tenant_id": "acme"})
    claim = encode(event("claim", tenant="globex"))
    send_bodies(target, [claim], properties={"tenant_id": "acme"})
    lake.run("bronze")
    assert sorted(r["event_id"] for r in lake.rows("bronze/events")) == ["free", "own"]
    (dlq,) = lake.rows("dlq/events")
    assert dlq["reason_code"] == "TENANT_MISMATCH"
    assert dlq["raw_body"] == claim
    assert dlq["reason_detail"] == "tenant_id globex is not bound to this source (bound: acme)"
    assert dlq["source"]["kind"] == "eventhubs"


def test_tenants_bound_by_settings_reject_other_tenants(
    spark: SparkSession, registry: Registry
) -> None:
    rows = [
        (encode(event("a", tenant="acme")), ["acme", "initech"]),
        (encode(event("b", tenant="initech")), ["acme", "initech"]),
        (encode(event("c", tenant="globex")), ["acme", "initech"]),
        (encode(event("d", tenant="globex")), None),
        (encode(event("e", tenant="nobody")), ["acme"]),
        (b"{}", ["acme"]),
    ]
    df = spark.createDataFrame(rows, "body binary, bound_tenants array<string>")
    out = {
        r["event_id"] or "bad": r["reason_code"]
        for r in parse_envelope(df, registry, 1024).collect()
    }
    assert out == {
        "a": None,
        "b": None,
        "c": "TENANT_MISMATCH",
        "d": None,
        "e": "TENANT_MISMATCH",
        "bad": "INVALID_ENVELOPE",
    }
