"""Continuous mode: events land at a steady rate; how long until each file is visible in gold.

Both run modes are measured (decision 0107): one query per layer, or one chained query. A
generator writes one landing file per tick with ``rate * tick`` valid temp_humidity events
whose ``event_time`` is the moment of writing. The layers run continuously with the configured
trigger. A poller reads gold's newest ``last_event_time`` after every gold commit; a file is
visible once that value reaches the file's newest event time (batches are processed in order,
so every earlier file is visible too). Afterwards every landed event must be in each table
exactly once and the audit must reconcile.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
from deltalake import DeltaTable

from lakestream.common.audit.reconcile import reconcile
from lakestream.common.layout import TableLayout
from lakestream.common.runtime.service import Runtime, discover_services
from lakestream.common.runtime.streaming import build_runtime, drain, start_queries
from lakestream.common.settings import Settings
from lakestream.tooling.bench.throughput import LAYERS
from lakestream.tooling.demo.summary import batch_totals
from lakestream.tooling.demo.workload import write_landing_file

TICK_SECONDS = 0.5
POLL_SECONDS = 0.2
WARMUP_SECONDS = 15.0
DRAIN_TIMEOUT_SECONDS = 120.0
TENANTS = ("acme", "globex", "initech")
DEVICES = 20


@dataclass
class Landing:
    """Files written so far: (landed at, newest event time in epoch seconds)."""

    files: list[tuple[float, float]] = field(default_factory=list)
    events: int = 0


def _body(number: int, now: float) -> bytes:
    tenant = TENANTS[number % len(TENANTS)]
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    event = {
        "event_id": uuid.uuid4().hex,
        "tenant_id": tenant,
        "event_type": "temp_humidity",
        "event_version": 2,
        "event_time": stamp,
        "payload": {
            "device_id": f"th-{tenant}-{number % DEVICES:03d}",
            "temperature_c": 20.0 + (number % 50) / 10,
            "humidity_pct": 40 + number % 30,
        },
    }
    return json.dumps(event, separators=(",", ":")).encode()


def _generate(landing: Path, rate: int, until: float, out: Landing) -> None:
    per_tick = max(1, round(rate * TICK_SECONDS))
    next_tick = time.time()
    number = 0
    while next_tick < until:
        now = time.time()
        now_ms = int(now * 1000) / 1000
        lines = [_body(number + i, now_ms) for i in range(per_tick)]
        number += per_tick
        write_landing_file(landing / f"events-{len(out.files):06d}.jsonl", lines)
        out.files.append((time.time(), now_ms))
        out.events += per_tick
        next_tick += TICK_SECONDS
        time.sleep(max(0.0, next_tick - time.time()))


def _poll(path: str, stop: threading.Event, seen: list[tuple[float, float]]) -> None:
    """After each new gold version, record (now, gold's newest ``last_event_time``)."""
    version = -1
    while not stop.is_set():
        if DeltaTable.is_deltatable(path):
            table = DeltaTable(path)
            if table.version() != version:
                version = table.version()
                column = table.to_pyarrow_table(columns=["last_event_time"]).column(0)
                newest = pc.max(column).as_py()
                if newest is not None:
                    seen.append((time.time(), newest.timestamp()))
        stop.wait(POLL_SECONDS)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile ``q`` (0..1) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def warmup_seconds(duration: float) -> float:
    """Leading seconds left out of the latency figures (query start, first plans)."""
    return min(WARMUP_SECONDS, duration / 4)


def latencies(
    landed: Landing, seen: list[tuple[float, float]], start: float, warmup: float
) -> list[float]:
    """Seconds from each file's landing to the first gold reading that includes it."""
    result = []
    for landed_at, newest in landed.files:
        if landed_at - start < warmup:
            continue
        visible = next((at for at, gold in seen if gold >= newest - 1e-3), None)
        if visible is not None:
            result.append(visible - landed_at)
    return result


def _batch_latency(runtime: Runtime) -> dict[str, Any]:
    rows = batch_totals(runtime.layout)
    return {
        layer: {
            "batches": len(ms := [float(r["latency_ms"]) for r in rows if r["service"] == layer]),
            "p50_ms": percentile(ms, 0.5),
            "p95_ms": percentile(ms, 0.95),
        }
        for layer in LAYERS
    }


def _rows(path: str, column: str | None = None) -> int:
    """Rows of a local Delta table, or the sum of ``column`` (0 when it does not exist)."""
    if not DeltaTable.is_deltatable(path):
        return 0
    table = DeltaTable(path).to_pyarrow_table(columns=[column] if column else None)
    return int(pc.sum(table.column(0)).as_py() or 0) if column else table.num_rows


def exact(layout: TableLayout, events: int) -> dict[str, int]:
    """Where the landed valid events are not all exactly once: table -> rows found."""
    found = {
        "bronze/events": _rows(layout.bronze_events),
        "silver/temp_humidity": _rows(layout.silver("temp_humidity")),
        "gold/device_minute event_count": _rows(layout.gold_device_minute, "event_count"),
    }
    gaps = {table: n for table, n in found.items() if n != events}
    mismatches = reconcile(layout)
    if mismatches:
        gaps["audit reconcile gaps"] = len(mismatches)
    return gaps


def run_latency(
    settings: Settings, rate: int, duration: float, chained: bool = False
) -> dict[str, Any]:
    """Land ``rate`` events/s for ``duration`` s into a continuously running chain; measure.

    ``chained``: one query runs the three layers per batch; else one query per layer.
    """
    base = Path(settings.layout.base)
    if base.exists():
        shutil.rmtree(base)
    landing = Path(settings.landing_path)
    landing.mkdir(parents=True)
    runtime = build_runtime(settings)
    services = discover_services()
    queries = start_queries(runtime, [services[layer] for layer in LAYERS], chained)
    landed, seen = Landing(), list[tuple[float, float]]()
    stop = threading.Event()
    poller = threading.Thread(
        target=_poll, args=(runtime.layout.gold_device_minute, stop, seen), daemon=True
    )
    poller.start()
    start = time.time()
    _generate(landing, rate, start + duration, landed)
    deadline = time.time() + DRAIN_TIMEOUT_SECONDS
    last = landed.files[-1][1] if landed.files else None
    while last is not None and time.time() < deadline and not (seen and seen[-1][1] >= last - 1e-3):
        time.sleep(POLL_SECONDS)
    stop.set()
    poller.join()
    runtime.stopping.set()
    drain(queries)
    for query in queries:
        query.stop()
    warmup = warmup_seconds(duration)
    measured = latencies(landed, seen, start, warmup)
    gaps = exact(runtime.layout, landed.events)
    return {
        "mode": "latency",
        "run_mode": "chained" if chained else "per-layer",
        "rate": rate,
        "duration_s": duration,
        "trigger_interval": settings.trigger_interval,
        "files": len(landed.files),
        "events": landed.events,
        "measured_files": len(measured),
        "warmup_s": warmup,
        "landing_to_gold_s": {
            "p50": percentile(measured, 0.5),
            "p95": percentile(measured, 0.95),
            "p99": percentile(measured, 0.99),
            "max": percentile(measured, 1.0),
        },
        "all_visible": bool(seen and last is not None and seen[-1][1] >= last - 1e-3),
        "reconciled": not gaps,
        "mismatches": gaps,
        "batch_latency": _batch_latency(runtime),
    }
