"""Sending raw bodies to a hub with the ``azure-eventhub`` producer (batched, keyed, paced).

The partition key of a body is ``<tenant_id>/<device_id>`` read leniently from its JSON, so all
events of one device land, in order, in one partition. Bodies that are not JSON, or lack those
fields, are still sent, without a key. ``send_bodies`` is the one reusable entry point (the
``lakestream events send`` command and DLQ republishing use it).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from lakestream.common.errors import SourceUnavailableError
from lakestream.common.eventhubs.connection import EventHubsTarget, describe_failure

DEFAULT_CHUNK = 1000


@dataclass(frozen=True)
class SendResult:
    """What a send did."""

    events: int
    batches: int
    seconds: float

    @property
    def rate(self) -> float:
        """Events per second achieved."""
        return self.events / self.seconds if self.seconds > 0 else float(self.events)


def partition_key(body: bytes) -> str | None:
    """``tenant_id/device_id`` of a body (either part may be missing), or None if neither."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(doc, dict):
        return None
    tenant = doc.get("tenant_id")
    payload = doc.get("payload")
    device = payload.get("device_id") if isinstance(payload, dict) else None
    parts = [p if isinstance(p, str) else "" for p in (tenant, device)]
    return "/".join(parts) if any(parts) else None


def _chunks(bodies: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    chunk: list[bytes] = []
    for body in bodies:
        chunk.append(body)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def send_bodies(
    target: EventHubsTarget,
    bodies: Iterable[bytes],
    *,
    rate: float | None = None,
    properties: dict[str, str] | None = None,
    key_of: Callable[[bytes], str | None] = partition_key,
    on_progress: Callable[[int], None] | None = None,
    retries: int = 3,
) -> SendResult:
    """Send every body as one event, batched per partition key, at most ``rate`` events/s.

    ``properties`` become application properties of every event (e.g. ``tenant_id``);
    ``retries`` is the SDK's retry count per operation.
    """
    from azure.eventhub import EventData, EventHubProducerClient

    chunk_size = max(1, min(DEFAULT_CHUNK, int(rate / 10))) if rate else DEFAULT_CHUNK
    producer: Any = target.make(EventHubProducerClient, retry_total=retries)
    started = time.monotonic()
    sent = batches = 0

    def event(body: bytes) -> Any:
        data = EventData(body)
        if properties:
            data.properties = cast(dict[str | bytes, Any], dict(properties))
        return data

    try:
        for chunk in _chunks(bodies, chunk_size):
            by_key: dict[str | None, list[bytes]] = {}
            for body in chunk:
                by_key.setdefault(key_of(body), []).append(body)
            for key, keyed in by_key.items():
                batch = producer.create_batch(partition_key=key) if key else producer.create_batch()
                for body in keyed:
                    try:
                        batch.add(event(body))
                    except ValueError:
                        if len(batch) == 0:
                            raise SourceUnavailableError(
                                f"a body of {len(body)} bytes is larger than the maximum "
                                f"message size of Event Hubs {target.description}"
                            ) from None
                        producer.send_batch(batch)
                        batches += 1
                        batch = (
                            producer.create_batch(partition_key=key)
                            if key
                            else producer.create_batch()
                        )
                        batch.add(event(body))
                producer.send_batch(batch)
                batches += 1
            sent += len(chunk)
            if on_progress is not None:
                on_progress(len(chunk))
            if rate:
                ahead = sent / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
    except SourceUnavailableError:
        raise
    except Exception as exc:
        raise SourceUnavailableError(
            f"{describe_failure(target, exc, 1)}; {sent} events were sent before the failure"
        ) from None
    finally:
        producer.close()
    return SendResult(sent, batches, time.monotonic() - started)
