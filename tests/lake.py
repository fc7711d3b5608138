"""Test support: a throwaway lake to land bodies in, run layers on and read back independently."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from lakestream.common.config import Registry
from lakestream.common.layout import TableLayout
from lakestream.common.runtime.batch import BatchContext
from lakestream.common.runtime.service import Runtime, discover_services
from lakestream.common.runtime.streaming import run_once
from lakestream.common.settings import Settings
from lakestream.common.tables.deltars import DeltaRsBackend


def event(
    event_id: str,
    tenant: str = "acme",
    event_type: str = "temp_humidity",
    version: object = 2,
    event_time: str = "2026-11-25T10:00:30Z",
    payload: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A valid envelope (temp_humidity v2 by default) with the given overrides."""
    if payload is None:
        payload = {"device_id": "th-1", "temperature_c": 21.5, "humidity_pct": 40}
    body = {
        "event_id": event_id,
        "tenant_id": tenant,
        "event_type": event_type,
        "event_version": version,
        "event_time": event_time,
        "payload": payload,
    }
    body.update(extra)
    return body


def encode(body: dict[str, Any]) -> bytes:
    """Compact JSON bytes of an envelope."""
    return json.dumps(body, separators=(",", ":")).encode()


class Lake:
    """A fresh ``<tmp>/root/test`` environment sharing the session's Spark."""

    def __init__(self, tmp_path: Path, spark: SparkSession, registry: Registry) -> None:
        self.tmp_path = tmp_path
        self.spark = spark
        self.registry = registry
        self.settings = Settings(
            root=str(tmp_path / "root"),
            env="test",
            config_dir=registry.config_dir,
            max_files_per_trigger=1,
            shuffle_partitions=2,
        )
        self.landing = Path(self.settings.landing_path)
        self.landing.mkdir(parents=True)
        self._files = 0
        self.fault_hook: Callable[[str, BatchContext], None] | None = None

    @property
    def layout(self) -> TableLayout:
        """Table paths of this lake."""
        return self.settings.layout

    def runtime(self) -> Runtime:
        """A new runtime (new run id), as a restarted process would have."""
        return Runtime(
            self.settings,
            self.spark,
            self.registry,
            DeltaRsBackend(),
            uuid.uuid4().hex[:12],
            self.fault_hook,
        )

    def land(self, *bodies: bytes | dict[str, Any], raw: bytes | None = None) -> Path:
        """Write one landing file (atomically) with one body per line, or ``raw`` file bytes."""
        self._files += 1
        path = self.landing / f"batch-{self._files:05d}.jsonl"
        data = (
            raw
            if raw is not None
            else b"".join((b if isinstance(b, bytes) else encode(b)) + b"\n" for b in bodies)
        )
        tmp = self.landing / f".{path.name}.tmp"
        tmp.write_bytes(data)
        tmp.replace(path)
        return path

    def run(self, *layers: str, chained: bool = False) -> Runtime:
        """Run the named layers (default: all) once, in chain order (or chained in one query)."""
        services = discover_services()
        chosen = [services[n] for n in (layers or tuple(services))]
        runtime = self.runtime()
        run_once(runtime, chosen, chained)
        return runtime

    def table(self, name: str) -> pa.Table:
        """A table read with ``deltalake`` (independent of the code under test)."""
        return pa.table(DeltaTable(self.layout.table(name)).to_pyarrow_table())

    def rows(self, name: str) -> list[dict[str, Any]]:
        """A table's rows as dicts."""
        rows: list[dict[str, Any]] = self.table(name).to_pylist()
        return rows

    def count(self, name: str) -> int:
        """Row count of a table (0 when it does not exist)."""
        if not DeltaTable.is_deltatable(self.layout.table(name)):
            return 0
        return int(self.table(name).num_rows)

    def audit(self, service: str, total_only: bool = True) -> list[dict[str, Any]]:
        """Audit rows of a service (batch totals only by default), by batch id."""
        rows = [r for r in self.rows("audit/batches") if r["service"] == service]
        if total_only:
            rows = [r for r in rows if r["tenant_id"] is None]
        return sorted(rows, key=lambda r: (r["batch_id"], r["started_at"]))


def utc(text: str) -> datetime:
    """An aware UTC datetime from ISO text."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
