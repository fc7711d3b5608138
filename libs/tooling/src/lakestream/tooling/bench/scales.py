"""Runs at several sizes, each in a fresh process, and how the per-event cost grows between them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from lakestream.tooling.bench.throughput import STAGES

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$")
_UNITS = {"": 1, "k": 1_000, "m": 1_000_000}
_MAIN = "from lakestream.tooling.cli.main import main; main()"
WITH_CHAIN = (*STAGES, "chain")


def parse_scales(text: str) -> list[int]:
    """``"1M,5M"`` -> ``[1_000_000, 5_000_000]`` (plain numbers, k and M suffixes)."""
    sizes = []
    for part in text.split(","):
        match = _SIZE.match(part)
        if match is None:
            raise ValueError(f"{part.strip()!r} is not a size like 200k, 1M or 1500000")
        sizes.append(int(float(match.group(1)) * _UNITS[match.group(2).lower()]))
    return sizes


def per_event_us(result: dict[str, Any], stage: str) -> float:
    """Microseconds of wall time per generated event in ``stage`` (``chain`` = all layers)."""
    return float(result[stage]["wall_s"]) * 1e6 / int(result["events"])


def growth(small: dict[str, Any], large: dict[str, Any]) -> dict[str, float]:
    """Relative change of per-event cost from ``small`` to ``large`` (0.1 = 10 % dearer)."""
    return {
        stage: round(per_event_us(large, stage) / per_event_us(small, stage) - 1, 3)
        for stage in WITH_CHAIN
    }


def run_scales(sizes: list[int], args: list[str]) -> dict[str, Any]:
    """``lakestream bench --events N <args>`` once per size in a new process; combined JSON."""
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "bench.json"
            command = [sys.executable, "-c", _MAIN, "bench"]
            command += ["--events", str(size), "--json", str(out), *args]
            subprocess.run(command, check=True)
            results.append(json.loads(out.read_text()))
    combined = dict(results[-1])
    combined["scales"] = results
    combined["per_event_us"] = {
        str(r["events"]): {s: round(per_event_us(r, s), 3) for s in WITH_CHAIN} for r in results
    }
    if len(results) > 1:
        combined["per_event_cost_growth"] = growth(results[0], results[-1])
    return combined
