"""The producer and the source's SDK calls against the official Event Hubs emulator (Docker).

Skips, with the reason, when no Docker engine answers (the local stand-in covers these paths).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql.types import StructType

from lakestream.common.eventhubs.connection import EventHubsTarget, Secret
from lakestream.common.eventhubs.producer import send_bodies
from lakestream.common.sources.eventhubs import EventHubsReader

pytestmark = [pytest.mark.unit, pytest.mark.needs_docker]

EMULATOR_IMAGE = "mcr.microsoft.com/azure-messaging/eventhubs-emulator:latest"
AZURITE_IMAGE = "mcr.microsoft.com/azure-storage/azurite:latest"
EMULATOR_CONFIG = {
    "UserConfig": {
        "NamespaceConfig": [
            {
                "Type": "EventHub",
                "Name": "emulatorNs1",
                "Entities": [
                    {
                        "Name": "events",
                        "PartitionCount": 2,
                        "ConsumerGroups": [{"Name": "bronze"}],
                    }
                ],
            }
        ],
        "LoggingConfig": {"Type": "File"},
    }
}


def docker_unavailable() -> str | None:
    """Why Docker cannot be used here, or None when an engine answers."""
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception as exc:
        return f"no Docker engine answers ({type(exc).__name__}: {str(exc)[:120]})"
    return None


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventHubsTarget]:
    reason = docker_unavailable()
    if reason:
        pytest.skip(reason)
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.network import Network
    from testcontainers.core.waiting_utils import wait_for_logs

    config = Path(tmp_path_factory.mktemp("emulator")) / "Config.json"
    config.write_text(json.dumps(EMULATOR_CONFIG))
    with Network() as network:
        azurite = DockerContainer(AZURITE_IMAGE).with_network(network)
        azurite.with_network_aliases("azurite")
        with azurite:
            hub = (
                DockerContainer(EMULATOR_IMAGE)
                .with_network(network)
                .with_env("BLOB_SERVER", "azurite")
                .with_env("METADATA_SERVER", "azurite")
                .with_env("ACCEPT_EULA", "Y")
                .with_volume_mapping(str(config), "/Eventhubs_Emulator/ConfigFiles/Config.json")
                .with_exposed_ports(5672)
            )
            with hub:
                wait_for_logs(hub, "Emulator Service is Successfully Up", timeout=180)
                port = hub.get_exposed_port(5672)
                conn = (
                    f"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;"
                    "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;EntityPath=events"
                )
                yield EventHubsTarget(
                    f"127.0.0.1:{port}", "events", "bronze", connection_string=Secret(conn)
                )


def test_sent_events_are_read_back_by_sequence_number(emulator: EventHubsTarget) -> None:
    bodies = [json.dumps({"tenant_id": "acme", "n": i}).encode() for i in range(20)]
    assert send_bodies(emulator, bodies).events == 20
    reader = EventHubsReader(StructType(), {"receiveTimeout": "30"}, emulator)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        states = reader.partition_states()
        if sum(s.next - s.earliest for s in states.values()) >= 20:
            break
        time.sleep(1)
    got = [
        b"".join(e.body)
        for pid, state in states.items()
        for e in reader.receive_range(pid, state.earliest, state.next)
    ]
    assert sorted(got) == sorted(bodies)
