"""The local Event Hubs test double, exercised only through the real azure-eventhub SDK."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from azure.eventhub import EventData, EventHubConsumerClient, EventHubProducerClient
from azure.eventhub.exceptions import AuthenticationError

from lakestream.devtools.amqp_codec import (
    Array,
    Described,
    Symbol,
    Timestamp,
    UInt,
    ULong,
    decode,
    encode,
)
from lakestream.devtools.eventhubs_local import LocalEventHubsServer

pytestmark = pytest.mark.unit


@pytest.fixture
def server() -> Iterator[LocalEventHubsServer]:
    with LocalEventHubsServer("orders", partitions=3) as running:
        yield running


def producer(server: LocalEventHubsServer) -> Any:
    return EventHubProducerClient.from_connection_string(server.connection_string)


def receive(
    server: LocalEventHubsServer,
    partition: str,
    position: Any,
    *,
    inclusive: bool = False,
    expect: int,
    timeout: float = 10,
) -> list[Any]:
    """Receive from one partition until ``expect`` events arrived (or the timeout)."""
    client = EventHubConsumerClient.from_connection_string(
        server.connection_string, consumer_group="$Default"
    )
    got: list[Any] = []
    done = threading.Event()

    def on_batch(_ctx: Any, events: list[Any]) -> None:
        got.extend(events)
        if len(got) >= expect:
            done.set()

    worker = threading.Thread(
        target=client.receive_batch,
        kwargs={
            "on_event_batch": on_batch,
            "partition_id": partition,
            "starting_position": position,
            "starting_position_inclusive": inclusive,
            "max_wait_time": 0.5,
        },
        daemon=True,
    )
    worker.start()
    done.wait(timeout if expect else 1.5)
    client.close()
    worker.join(10)
    return got


def test_management_reads_hub_and_partition_properties(server: LocalEventHubsServer) -> None:
    with producer(server) as client:
        hub = client.get_eventhub_properties()
        assert hub["eventhub_name"] == "orders"
        assert hub["partition_ids"] == ["0", "1", "2"]
        assert abs(hub["created_at"] - datetime.now(UTC)) < timedelta(minutes=1)
        empty = client.get_partition_properties("1")
        assert empty["is_empty"] is True
        assert empty["last_enqueued_sequence_number"] == -1
        batch = client.create_batch(partition_id="1")
        batch.add(EventData(b"one"))
        batch.add(EventData(b"two"))
        client.send_batch(batch)
        props = client.get_partition_properties("1")
    assert props["is_empty"] is False
    assert props["beginning_sequence_number"] == 0
    assert props["last_enqueued_sequence_number"] == 1
    assert props["last_enqueued_offset"] == str(server.hub.partitions[1].events[1].offset)
    assert abs(props["last_enqueued_time_utc"] - datetime.now(UTC)) < timedelta(minutes=1)


def test_partition_key_is_hashed_to_one_stable_partition(server: LocalEventHubsServer) -> None:
    with producer(server) as client:
        for _ in range(3):
            batch = client.create_batch(partition_key="acme/th-1")
            for i in range(4):
                batch.add(EventData(f"event {i}"))
            client.send_batch(batch)
    counts = [server.event_count(p) for p in range(3)]
    assert sorted(counts) == [0, 0, 12]
    partition = str(counts.index(12))
    events = receive(server, partition, "-1", expect=12)
    assert [e.body_as_str() for e in events] == [f"event {i}" for i in range(4)] * 3
    assert [e.sequence_number for e in events] == list(range(12))
    assert {e.partition_key for e in events} == {b"acme/th-1"}
    offsets = [int(e.offset) for e in events]
    assert offsets == sorted(offsets) and len(set(offsets)) == 12


def test_events_keep_body_properties_and_get_annotations(server: LocalEventHubsServer) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    body = bytes(range(256)) * 5000  # several AMQP frames each way
    with producer(server) as client:
        event = EventData(body)
        event.properties = {"tenant_id": "acme", "n": 7}
        client.send_event(event, partition_id="2")
    (got,) = receive(server, "2", "-1", expect=1)
    assert b"".join(got.body) == body
    assert got.properties == {b"tenant_id": b"acme", b"n": 7}
    assert got.sequence_number == 0 and got.offset == "0"
    assert before <= got.enqueued_time <= datetime.now(UTC) + timedelta(seconds=1)
    assert got.partition_key is None


def test_receive_filters_by_sequence_number_offset_and_time(
    server: LocalEventHubsServer,
) -> None:
    server.publish_bodies(0, [f"a{i}".encode() for i in range(5)])
    time.sleep(0.05)
    cut = datetime.now(UTC)
    time.sleep(0.05)
    server.publish_bodies(0, [f"b{i}".encode() for i in range(3)])
    after_2 = receive(server, "0", 2, expect=5)
    assert [e.sequence_number for e in after_2] == [3, 4, 5, 6, 7]
    from_2 = receive(server, "0", 2, inclusive=True, expect=6)
    assert from_2[0].sequence_number == 2
    offset_of_6 = server.hub.partitions[0].events[6].offset
    assert [e.sequence_number for e in receive(server, "0", str(offset_of_6), expect=1)] == [7]
    assert [e.body_as_str() for e in receive(server, "0", cut, expect=3)] == ["b0", "b1", "b2"]
    assert receive(server, "0", "@latest", expect=0) == []


def test_receive_waits_for_new_events(server: LocalEventHubsServer) -> None:
    def publish_once_attached() -> None:
        deadline = time.monotonic() + 10
        while server.receiver_count(1) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.publish_bodies(1, [b"late"])

    threading.Thread(target=publish_once_attached, daemon=True).start()
    (event,) = receive(server, "1", "@latest", expect=1)
    assert event.body_as_str() == "late"


def test_partitions_added_at_runtime(server: LocalEventHubsServer) -> None:
    server.add_partitions(2)
    with producer(server) as client:
        assert client.get_partition_ids() == ["0", "1", "2", "3", "4"]
        client.send_event(EventData(b"new"), partition_id="4")
        assert client.get_partition_properties("4")["last_enqueued_sequence_number"] == 0


def test_stop_and_start_on_the_same_port_keeps_events(server: LocalEventHubsServer) -> None:
    port = server.port
    server.publish_bodies(0, [b"kept"])
    server.stop()
    with pytest.raises(Exception, match=r"(?i)connect"):
        EventHubProducerClient.from_connection_string(
            server.connection_string, retry_total=0
        ).get_partition_ids()
    server.start()
    assert server.port == port
    assert [e.body_as_str() for e in receive(server, "0", "-1", expect=1)] == ["kept"]


def test_wrong_key_is_rejected_by_the_token_check(server: LocalEventHubsServer) -> None:
    wrong = server.connection_string.replace(server.key, "bm90IHRoZSBrZXk=")
    client = EventHubProducerClient.from_connection_string(wrong, retry_total=0)
    with pytest.raises(AuthenticationError):
        client.get_eventhub_properties()
    client.close()


def test_unknown_hub_is_not_found(server: LocalEventHubsServer) -> None:
    client = EventHubProducerClient.from_connection_string(
        server.connection_string, eventhub_name="nope", retry_total=0
    )
    with pytest.raises(Exception, match="nope"):
        client.get_eventhub_properties()
    client.close()


def test_codec_round_trips_every_type() -> None:
    value = Described(
        0x70,
        [
            None,
            True,
            False,
            UInt(7),
            ULong(1 << 40),
            -5,
            Timestamp(1_795_000_000_000),
            "text é",
            Symbol("sym"),
            b"\x00\xff",
            {"k": [1, 2]},
            1.5,
        ],
    )
    decoded, end = decode(encode(value))
    assert decoded == value and end == len(encode(value))
    items, _ = decode(encode(Array(("a", "bc"))))
    assert items == ["a", "bc"] and isinstance(items[0], Symbol)
