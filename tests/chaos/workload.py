"""A landing directory that keeps receiving files whose every body has a known fate."""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lakestream.tooling.demo.workload import write_landing_file
from tests.lake import encode, event

TENANTS = ("acme", "globex", "initech")
BASE_TIME = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
Key = tuple[str, str]
"""(tenant_id, event_type)"""


@dataclass
class Expected:
    """Where every landed body must end up, per (tenant_id, event_type)."""

    bodies: int = 0
    bronze: Counter[Key] = field(default_factory=Counter)
    silver: Counter[Key] = field(default_factory=Counter)
    silver_dlq: Counter[Key] = field(default_factory=Counter)
    duplicates: Counter[Key] = field(default_factory=Counter)
    bronze_dlq: int = 0


class Workload:
    """Deterministic bodies for file ``n`` of a seeded sequence, and their expected fates.

    Each file holds valid ``temp_humidity`` and ``rfid_scan`` events of three tenants, resends
    of earlier events (silver duplicates), bodies bronze rejects (not JSON, unknown tenant) and
    bodies silver rejects (out-of-range temperature).
    """

    def __init__(self, seed: int, per_file: int = 24) -> None:
        self.rng = random.Random(seed)
        self.per_file = per_file
        self.expected = Expected()
        self.sent: list[tuple[Key, bytes]] = []
        self.files = 0

    def _valid(self, number: int) -> tuple[Key, bytes]:
        rng = self.rng
        tenant = rng.choice(TENANTS)
        when = BASE_TIME + timedelta(seconds=rng.randrange(600), milliseconds=rng.randrange(1000))
        stamp = when.isoformat().replace("+00:00", "Z")
        if rng.random() < 0.75:
            payload = {
                "device_id": f"th-{rng.randrange(4)}",
                "temperature_c": round(rng.uniform(-20, 40), 2),
                "humidity_pct": round(rng.uniform(0, 100), 1),
                "battery_pct": rng.randrange(101),
            }
            body = event(f"f{self.files}-{number}", tenant, event_time=stamp, payload=payload)
            return (tenant, "temp_humidity"), encode(body)
        payload = {
            "device_id": f"rd-{rng.randrange(3)}",
            "tag_id": f"{rng.getrandbits(96):024x}",
            "reader_zone": rng.choice(["dock", "aisle", "exit"]),
            "signal_dbm": rng.randrange(-100, 1),
        }
        body = event(f"f{self.files}-{number}", tenant, "rfid_scan", 1, stamp, payload)
        return (tenant, "rfid_scan"), encode(body)

    def next_bodies(self) -> list[bytes]:
        """The bodies of the next file, recording their expected fates."""
        rng, expected, bodies = self.rng, self.expected, []
        for number in range(self.per_file):
            roll = rng.random()
            if roll < 0.1 and self.sent:
                key, body = rng.choice(self.sent)
                expected.duplicates[key] += 1
                expected.bronze[key] += 1
            elif roll < 0.15:
                body = rng.choice([b"not json", encode(event(f"u{number}", tenant="umbrella"))])
                expected.bronze_dlq += 1
            elif roll < 0.2:
                tenant = rng.choice(TENANTS)
                hot = {"device_id": "th-9", "temperature_c": 500, "humidity_pct": 10}
                body = encode(event(f"h{self.files}-{number}", tenant, payload=hot))
                expected.silver_dlq[(tenant, "temp_humidity")] += 1
                expected.bronze[(tenant, "temp_humidity")] += 1
            else:
                key, body = self._valid(number)
                self.sent.append((key, body))
                expected.silver[key] += 1
                expected.bronze[key] += 1
            bodies.append(body)
        expected.bodies += len(bodies)
        self.files += 1
        return bodies

    def land(self, landing: Path) -> Path:
        """Write the next file atomically into ``landing``."""
        path = landing / f"chaos-{self.files:05d}.jsonl"
        write_landing_file(path, self.next_bodies())
        return path


class Lander(threading.Thread):
    """Lands the workload's next file every ``every`` seconds until stopped."""

    def __init__(self, workload: Workload, landing: Path, every: float) -> None:
        super().__init__(daemon=True)
        self.workload, self.landing, self.every = workload, landing, every
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(self.every):
            self.workload.land(self.landing)

    def stop(self) -> None:
        """Stop landing and wait for the thread; no file is half-written afterwards."""
        self.halt.set()
        self.join()
