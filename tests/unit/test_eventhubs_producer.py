"""The producer (send_bodies, ``lakestream events send``) against the local Event Hubs double."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from lakestream.common.eventhubs.connection import EventHubsTarget, Secret
from lakestream.common.eventhubs.producer import partition_key, send_bodies
from lakestream.common.sources.eventhubs import DEFAULT_CONN_ENV
from lakestream.devtools.eventhubs_local import LocalEventHubsServer
from lakestream.tooling.cli.main import app
from lakestream.tooling.cli.process import run_app
from lakestream.tooling.demo.workload import generate_bodies

pytestmark = pytest.mark.unit


@pytest.fixture
def server() -> Iterator[LocalEventHubsServer]:
    with LocalEventHubsServer("events", partitions=4) as running:
        yield running


def target_of(server: LocalEventHubsServer) -> EventHubsTarget:
    return EventHubsTarget(
        f"127.0.0.1:{server.port}", "events", connection_string=Secret(server.connection_string)
    )


def stored(server: LocalEventHubsServer) -> list[tuple[int, int, str | None]]:
    """(partition, sequence number, partition key) of every enqueued event."""
    return [
        (index, event.sequence_number, event.partition_key)
        for index, part in enumerate(server.hub.partitions)
        for event in part.events
    ]


def test_partition_key_is_tenant_and_device_read_leniently() -> None:
    body = {"tenant_id": "acme", "payload": {"device_id": "th-1"}}
    assert partition_key(json.dumps(body).encode()) == "acme/th-1"
    assert partition_key(b'{"tenant_id": "acme", "payload": []}') == "acme/"
    assert partition_key(b'{"tenant_id": 5, "payload": {"device_id": "d"}}') == "/d"
    assert partition_key(b"not json") is None
    assert partition_key(b"[1]") is None
    assert partition_key(b"\xff\xfe") is None


def test_workload_is_sent_keyed_and_received_back_complete(
    server: LocalEventHubsServer,
) -> None:
    bodies, _ = generate_bodies(600, seed=3)
    result = send_bodies(target_of(server), bodies)
    assert result.events == 600 == server.event_count()
    events = stored(server)
    partitions_of_key: dict[str, set[int]] = {}
    for partition, _, key in events:
        if key is not None:
            partitions_of_key.setdefault(key, set()).add(partition)
    assert partitions_of_key and all(len(p) == 1 for p in partitions_of_key.values())
    expected_keys = Counter(k for k in map(partition_key, bodies) if k is not None)
    assert Counter(key for _, _, key in events if key is not None) == expected_keys
    by_partition = [sorted(seq for p, seq, _ in events if p == i) for i in range(4)]
    assert all(seqs == list(range(len(seqs))) for seqs in by_partition)


def test_bad_bodies_are_still_sent_and_bodies_kept_exactly(server: LocalEventHubsServer) -> None:
    bodies = [b"not json", b"\xff\xfe\x00", b"", b'{"tenant_id":"acme"}']
    send_bodies(target_of(server), bodies, properties={"tenant_id": "acme"})
    assert server.event_count() == 4
    from tests.unit.test_eventhubs_local_server import receive

    got = []
    for pid in server.partition_ids:
        got += receive(server, pid, "-1", expect=server.event_count(int(pid)), timeout=5)
    assert sorted(b"".join(e.body) for e in got) == sorted(bodies)
    assert {e.properties[b"tenant_id"] for e in got} == {b"acme"}


def test_rate_limit_paces_the_send(server: LocalEventHubsServer) -> None:
    started = time.monotonic()
    result = send_bodies(target_of(server), [b"x"] * 60, rate=100)
    assert time.monotonic() - started >= 0.5
    assert result.rate <= 130


def test_cli_sends_a_jsonl_file_and_prints_throughput(
    server: LocalEventHubsServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(DEFAULT_CONN_ENV, server.connection_string)
    file = tmp_path / "bodies.jsonl"
    file.write_bytes(b'{"tenant_id":"acme","payload":{"device_id":"a"}}\r\nbad\n{}\n')
    assert run_app(app, ["events", "send", "--file", str(file), "--total", "2"]) == 0
    out = capsys.readouterr().out
    assert "sent 2 events" in out and "events/s" in out
    assert server.key not in out
    assert server.event_count() == 2


def test_cli_error_names_the_hub_not_the_key(
    server: LocalEventHubsServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(DEFAULT_CONN_ENV, server.connection_string.replace(server.key, "d3Jvbmc="))
    assert run_app(app, ["events", "send", "--events", "5", "--retries", "0"]) == 1
    err = capsys.readouterr().err
    assert "hub events" in err and "authentication failed" in err
    assert "d3Jvbmc=" not in err and server.key not in err
