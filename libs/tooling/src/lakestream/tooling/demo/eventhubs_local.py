"""The demo over Event Hubs: the local stand-in hub (lakestream-devtools) fed by the producer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from lakestream.common.errors import LakestreamError
from lakestream.common.eventhubs.connection import resolve_target
from lakestream.common.eventhubs.producer import SendResult, send_bodies
from lakestream.tooling.demo.workload import GroundTruth, generate_bodies

if TYPE_CHECKING:
    from lakestream.devtools.eventhubs_local import LocalEventHubsServer

DEMO_HUB = "demo-events"
DEMO_CONN_ENV = "LAKESTREAM_DEMO_EVENTHUBS_CONNECTION_STRING"


@contextmanager
def local_hub(partitions: int = 4) -> Iterator[LocalEventHubsServer]:
    """Start the local Event Hubs test double on a free loopback port for the demo."""
    try:
        from lakestream.devtools.eventhubs_local import LocalEventHubsServer
    except ImportError:
        raise LakestreamError(
            "--source eventhubs-local needs the development package lakestream-devtools "
            "(a local Event Hubs stand-in); run the demo from the repository workspace "
            "(make demo, or uv sync --all-packages)"
        ) from None
    with LocalEventHubsServer(hub=DEMO_HUB, partitions=partitions) as server:
        os.environ[DEMO_CONN_ENV] = server.connection_string
        try:
            yield server
        finally:
            os.environ.pop(DEMO_CONN_ENV, None)


def send_workload(events: int, seed: int) -> tuple[GroundTruth, SendResult]:
    """Generate the demo workload and send it to the local hub with the producer."""
    bodies, truth = generate_bodies(events, seed)
    target = resolve_target(namespace=None, hub=None, connection_string_env=DEMO_CONN_ENV)
    return truth, send_bodies(target, bodies)
