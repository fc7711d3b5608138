"""The whole chain as a real process, SIGKILLed again and again while files keep landing.

Every cycle starts ``lakestream run --layer all`` (continuous, 1 s triggers; with
``--chained`` in the chained mode, whose drain then runs per layer: the switch back) through
``tests.chaos.agent`` with one kill planned: a layer, a fault point, the how-manieth time that
layer reaches it, and for points before a write a delay that lands the kill inside that data
write, MERGE or audit append. Some cycles instead die at a random moment from outside. Each kill
takes the whole process group, so every life kills all three layers' queries: the planned one
at its point, the others wherever they are. After the last kill a clean ``--once`` run drains
everything and the lake must be exact.

``LAKESTREAM_CHAOS_ROUNDS`` (default 1) sets how many times each fault point is planned.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from lakestream.common.settings import Settings
from tests.chaos import checks
from tests.chaos.workload import Lander, Workload
from tests.e2e.conftest import BIN

pytestmark = pytest.mark.chaos

SEED = 8
ROUNDS = int(os.environ.get("LAKESTREAM_CHAOS_ROUNDS", "1"))
RANDOM_KILLS = 3
MIN_KILLS_PER_LAYER = 10
CYCLE_TIMEOUT_S = 60.0
POINTS: dict[str, list[tuple[str, bool]]] = {
    "bronze": [
        ("before_write:bronze/events", True),
        ("after_write:bronze/events", False),
        ("before_write:dlq/events", True),
        ("before_audit", True),
        ("after_audit", False),
    ],
    "silver": [
        ("before_write:silver/temp_humidity", True),
        ("after_write:silver/temp_humidity", False),
        ("before_write:dlq/events", True),
        ("before_audit", True),
        ("after_audit", False),
    ],
    "gold": [
        ("before_write:gold/device_minute", True),
        ("after_write:gold/device_minute", False),
        ("before_audit", True),
        ("after_audit", False),
    ],
}
"""Per layer: fault points, and whether a kill there is delayed into the write that follows."""


def _schedule(rng: random.Random) -> list[dict[str, object] | None]:
    """Planned kills (every fault point ``ROUNDS`` times) and random ones (None), shuffled."""
    plans: list[dict[str, object] | None] = []
    for layer, points in POINTS.items():
        for point, delayed in points * ROUNDS:
            delay = rng.randrange(20, 400) if delayed else 0
            hit = rng.choice([1, 1, 2])
            plans.append({"service": layer, "point": point, "hit": hit, "delay_ms": delay})
    plans.extend([None] * RANDOM_KILLS)
    rng.shuffle(plans)
    return plans


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-40:])


def _cycle(
    command: list[str], plan: dict[str, object] | None, work: Path, rng: random.Random
) -> str:
    """Start the chain, let it die by ``plan`` (or kill it at a random moment); where it died."""
    marker = work / "marker"
    marker.unlink(missing_ok=True)
    spec = plan or {"point": "never", "hit": 1}
    (work / "plan.json").write_text(json.dumps({**spec, "marker": str(marker)}))
    log = work / "chain.log"
    with log.open("a") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.chaos.agent", str(work / "plan.json"), *command],
            cwd=Path(__file__).parents[2],
            env={**os.environ, "LAKESTREAM_TRIGGER_INTERVAL": "1 second"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + (rng.uniform(4, 14) if plan is None else CYCLE_TIMEOUT_S)
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return "random moment" if plan is None else "timed out"
    assert proc.returncode == -signal.SIGKILL, f"exit {proc.returncode}:\n{_tail(log)}"
    return marker.read_text().strip()


@pytest.mark.parametrize("mode", ["per-layer", "chained"])
def test_chain_survives_sigkill_at_every_fault_point(tmp_path: Path, mode: str) -> None:
    landing, root = tmp_path / "landing", tmp_path / "lake"
    landing.mkdir()
    layout = Settings(root=str(root)).layout
    run = [
        "lakestream",
        "run",
        "--layer",
        "all",
        "--root",
        str(root),
        "--source-path",
        str(landing),
    ]
    lives = [*run, "--chained"] if mode == "chained" else run
    rng = random.Random(SEED)
    workload = Workload(SEED)
    workload.land(landing)
    lander = Lander(workload, landing, every=1.5)
    lander.start()
    deaths: Counter[str] = Counter()
    started = time.monotonic()
    schedule = _schedule(rng)
    assert len(schedule) >= MIN_KILLS_PER_LAYER, "every life kills each layer once"
    try:
        for plan in schedule:
            where = _cycle(lives, plan, tmp_path, rng)
            assert where != "timed out", f"{plan} never fired:\n{_tail(tmp_path / 'chain.log')}"
            deaths[where if plan is None else f"{plan['service']} {plan['point']}"] += 1
    finally:
        lander.stop()
    final = subprocess.run(
        [str(BIN / "lakestream"), *run[1:], "--once"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert final.returncode == 0, final.stdout + final.stderr
    checks.conservation(layout, workload.expected)
    checks.no_duplicate_keys(layout)
    checks.gold_matches_silver(layout)
    batches = checks.one_audit_row_per_committed_batch(layout)
    checks.audit_balances(layout, workload.expected)
    print(
        f"\nchaos ({mode}): {len(schedule)} lives killed (each kills bronze, silver and gold), "
        f"{deaths['random moment']} at random moments, in {time.monotonic() - started:.0f} s; "
        f"{workload.files} files, {workload.expected.bodies} bodies; batches {batches}"
    )
    for where, n in sorted(deaths.items()):
        print(f"  {n:3d}  {where}")
