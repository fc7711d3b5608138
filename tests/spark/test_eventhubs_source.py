"""The ``eventhubs`` Spark source against the local Event Hubs double (real azure-eventhub SDK)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.sql.types import StructType

from lakestream.common.eventhubs.connection import EventHubsTarget, Secret
from lakestream.common.eventhubs.producer import send_bodies
from lakestream.common.sources.eventhubs import EventHubsReader, EventRange
from lakestream.devtools.eventhubs_local import LocalEventHubsServer
from tests.eventhubs_support import CONN_ENV, drain, source_options

pytestmark = pytest.mark.spark


@pytest.fixture
def server() -> Iterator[LocalEventHubsServer]:
    with LocalEventHubsServer("events", partitions=3) as running:
        yield running


def bodies(prefix: str, n: int) -> list[bytes]:
    return [f"{prefix}-{i}".encode() for i in range(n)]


def seen(rows: list[dict[str, object]]) -> list[tuple[object, object]]:
    return sorted((r["partition"], r["sequence_number"]) for r in rows)


def test_one_input_partition_per_event_hubs_partition_with_new_events() -> None:
    reader = EventHubsReader(StructType(), {}, EventHubsTarget("ns", "hub"))
    ranges = reader.partitions({"0": 5, "1": 2}, {"0": 9, "1": 2, "2": 3, "10": 1})
    assert [(r.partition, r.first, r.end) for r in ranges if isinstance(r, EventRange)] == [
        ("0", 5, 9),
        ("2", 0, 3),
        ("10", 0, 1),
    ]


def test_reads_every_partition_with_coordinates_then_resumes_exactly(
    spark: SparkSession, server: LocalEventHubsServer, tmp_path: Path
) -> None:
    target = EventHubsTarget("local", "events", connection_string=Secret(server.connection_string))
    keyed = [b'{"tenant_id":"acme","payload":{"device_id":"d%d"}}' % i for i in range(12)]
    send_bodies(target, keyed, properties={"tenant_id": "acme"})
    server.publish_bodies(2, [b"raw"])
    first = drain(spark, source_options(server), tmp_path / "cp")
    rows = first.rows
    assert sorted(r["body"] for r in rows) == sorted([*keyed, b"raw"])
    assert {r["partition"] for r in rows} == {"0", "1", "2"} or len(
        {r["partition"] for r in rows}
    ) >= 2
    for row in rows:
        event = server.hub.partitions[int(row["partition"])].events[row["sequence_number"]]
        assert row["offset"] == str(event.offset)
        assert row["enqueued_time"].replace(tzinfo=UTC) == datetime.fromtimestamp(
            event.enqueued_ms / 1000, UTC
        )
        assert row["system_properties"]["x-opt-sequence-number"] == str(row["sequence_number"])
    keyed_rows = [r for r in rows if r["body"] != b"raw"]
    assert all(r["partition_key"].startswith("acme/d") for r in keyed_rows)
    assert all(r["properties"] == {"tenant_id": "acme"} for r in keyed_rows)

    server.publish_bodies(0, bodies("more", 3))
    second = drain(spark, source_options(server), tmp_path / "cp")
    assert sorted(r["body"] for r in second.rows) == sorted(bodies("more", 3))
    assert not set(seen(rows)) & set(seen(second.rows))


def test_starting_positions(
    spark: SparkSession, server: LocalEventHubsServer, tmp_path: Path
) -> None:
    server.publish_bodies(0, bodies("old", 4))
    server.publish_bodies(1, bodies("old1", 2))
    time.sleep(0.05)
    cut = datetime.now(UTC)
    time.sleep(0.05)
    server.publish_bodies(0, bodies("new", 2))

    latest = drain(spark, source_options(server, startingPosition="latest"), tmp_path / "l")
    assert latest.rows == []
    server.publish_bodies(1, bodies("after", 1))
    resumed = drain(spark, source_options(server, startingPosition="latest"), tmp_path / "l")
    assert [r["body"] for r in resumed.rows] == [b"after-0"]

    explicit = drain(
        spark, source_options(server, startingPosition='{"0": 3, "1": 2}'), tmp_path / "s"
    )
    assert seen(explicit.rows) == [("0", 3), ("0", 4), ("0", 5), ("1", 2)]

    timed = drain(
        spark,
        source_options(server, startingPosition=f"enqueuedTime:{cut.isoformat()}"),
        tmp_path / "t",
    )
    assert sorted(r["body"] for r in timed.rows) == [b"after-0", b"new-0", b"new-1"]


def test_max_events_per_trigger_caps_every_batch(
    spark: SparkSession, server: LocalEventHubsServer, tmp_path: Path
) -> None:
    server.publish_bodies(0, bodies("a", 7))
    server.publish_bodies(1, bodies("b", 4))
    options = source_options(server, maxEventsPerTrigger="4")
    run = drain(spark, options, tmp_path / "cp", rate_limited=True)
    sizes = [len(b) for b in run.batches if b]
    assert max(sizes) == 4 and sum(sizes) == 11
    assert len(set(seen(run.rows))) == 11


def test_partition_added_mid_stream_is_picked_up(
    spark: SparkSession, server: LocalEventHubsServer, tmp_path: Path
) -> None:
    server.publish_bodies(0, bodies("a", 2))
    assert len(drain(spark, source_options(server), tmp_path / "cp").rows) == 2
    server.add_partitions(1)
    server.publish_bodies(3, bodies("new-partition", 2))
    server.publish_bodies(0, bodies("b", 1))
    rows = drain(spark, source_options(server), tmp_path / "cp").rows
    assert seen(rows) == [("0", 2), ("3", 0), ("3", 1)]


def test_hub_that_goes_away_fails_clearly_and_resumes_when_back(
    spark: SparkSession, server: LocalEventHubsServer, tmp_path: Path
) -> None:
    server.publish_bodies(1, bodies("a", 2))
    assert len(drain(spark, source_options(server), tmp_path / "cp").rows) == 2
    server.stop()
    with pytest.raises(RuntimeError) as failure:
        drain(spark, source_options(server), tmp_path / "cp")
    message = str(failure.value)
    assert (
        f"namespace 127.0.0.1:{server.port} hub events is unreachable after 2 attempts" in message
    )
    assert server.key not in message
    server.start()
    server.publish_bodies(1, bodies("b", 2))
    rows = drain(spark, source_options(server), tmp_path / "cp").rows
    assert seen(rows) == [("1", 2), ("1", 3)]


def test_bad_credentials_give_a_clear_error_without_the_secret(
    spark: SparkSession, server: LocalEventHubsServer, tmp_path: Path
) -> None:
    wrong_key = "V3JvbmdLZXlWYWx1ZQ=="
    options = source_options(server)
    os.environ[CONN_ENV] = server.connection_string.replace(server.key, wrong_key)
    with pytest.raises(RuntimeError) as failure:
        drain(spark, options, tmp_path / "cp")
    message = str(failure.value)
    assert "hub events: authentication failed" in message
    assert wrong_key not in message and server.key not in message


def test_capped_stream_restarted_on_its_checkpoint_reads_only_new_events(
    spark: SparkSession, server: LocalEventHubsServer, tmp_path: Path
) -> None:
    server.publish_bodies(0, bodies("a", 7))
    options = source_options(server, maxEventsPerTrigger="4")
    first = drain(spark, options, tmp_path / "cp", rate_limited=True)
    assert len(first.rows) == 7
    server.publish_bodies(0, bodies("b", 3))
    second = drain(spark, options, tmp_path / "cp", rate_limited=True)
    assert sorted(r["body"] for r in second.rows) == sorted(bodies("b", 3))
