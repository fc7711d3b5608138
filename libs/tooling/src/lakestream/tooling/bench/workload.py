"""The benchmark's input: the demo's realistic mix, generated in parallel chunks into landing files.

Each chunk is an independent demo workload (own seed, own 30-minute event-time window after the
previous chunk's), written to one file by a separate process, so the benchmark's own process
never holds the bodies and its memory reading is the pipeline's alone.
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

from lakestream.tooling.demo.workload import (
    WINDOW_MS,
    GroundTruth,
    generate_bodies,
    write_landing_file,
)

CHUNK_EVENTS = 100_000


@dataclass(frozen=True)
class Landed:
    """What the generator wrote: ground truth, file count and bytes."""

    truth: GroundTruth
    files: int
    bytes: int


def _chunk(landing: str, index: int, events: int, seed: int, start: datetime) -> GroundTruth:
    moment = start + timedelta(milliseconds=WINDOW_MS * index)
    bodies, truth = generate_bodies(events, seed * 1_000_003 + index, moment)
    write_landing_file(Path(landing) / f"events-{index:05d}.jsonl", bodies)
    return truth


def _sum(truths: list[GroundTruth]) -> GroundTruth:
    by_type: Counter[str] = Counter()
    by_reason: Counter[str] = Counter()
    for truth in truths:
        by_type.update(truth.valid_by_event_type)
        by_reason.update(truth.by_reason)
    return GroundTruth(
        total=sum(t.total for t in truths),
        valid=sum(t.valid for t in truths),
        valid_by_event_type=dict(by_type),
        duplicates=sum(t.duplicates for t in truths),
        by_reason=dict(by_reason),
    )


def land(landing: Path, events: int, seed: int, chunk: int = CHUNK_EVENTS) -> Landed:
    """Write ``events`` bodies as ``ceil(events / chunk)`` files; return their ground truth."""
    landing.mkdir(parents=True, exist_ok=True)
    sizes = [min(chunk, events - first) for first in range(0, events, chunk)]
    chunks = len(sizes)
    start = datetime.now(UTC) - timedelta(milliseconds=WINDOW_MS * chunks)
    workers = max(1, min(os.cpu_count() or 1, chunks))
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(_chunk, str(landing), index, size, seed, start)
            for index, size in enumerate(sizes)
        ]
        truths = [future.result() for future in futures]
    written = sum(p.stat().st_size for p in landing.glob("events-*.jsonl"))
    return Landed(_sum(truths), chunks, written)
