"""The DLQ replayer SIGKILLed mid-replay, over and over: reruns insert nothing twice and the DLQ
history and the audit stay consistent (issue 8, "Crash and restart"; decision 0098).

Each killed run is the real ``lakestream-dlq-replay`` in its own process (``tests.chaos.agent``),
killed at a point chosen by a fixed seed among those its next run will reach, at once or from a
timer inside the following MERGE or append. The next run is the rerun (and may be killed too).
The expectation is a clean replay of an identical copy of the lake, in this process.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable

from lakestream.common.audit import reconcile
from lakestream.common.config import load_registry
from lakestream.dlq_replayer.replay import replay
from lakestream.dlq_replayer.selection import DlqFilter
from tests.lake import Lake, event
from tests.spark.test_dlq_replay import fixed_config

pytestmark = [pytest.mark.chaos]

SEED = 8
KILLS = 10
HOT = {"device_id": "th-1", "temperature_c": 85.0, "humidity_pct": 40}
WRONG = {"device_id": "th-1", "temperature_c": "21.5", "humidity_pct": 40}
BRONZE_WRITE = "after_write:bronze/events"
SILVER_WRITE = "after_write:silver/temp_humidity"


@dataclass(frozen=True)
class Kill:
    """Where one run is killed: the ``hit``-th time it reaches ``point``, ``delay_ms`` later."""

    point: str
    hit: int
    delay_ms: int
    batch: int
    """The replay stage the point is in: 0 bronze, 1 silver (the marker names it)."""


def _build(lake: Lake, repo: Path) -> Path:
    """A DLQ of both stages, then a config copy that onboards umbrella and relaxes max 80 to 90.

    Bronze: umbrella events (one sent twice), garbage (fails again). Silver: hot readings
    (recovered), a wrong type (fails again).
    """
    lake.land(
        event("u1", tenant="umbrella"),
        event("u2", tenant="umbrella", event_time="2026-11-25T10:01:10Z"),
        event("u2", tenant="umbrella", event_time="2026-11-25T10:01:10Z"),
        event("u3", tenant="umbrella", event_time="2026-11-25T10:02:10Z"),
        b'{"event_id": "broken',
        event("h1", payload=HOT),
        event("h2", tenant="hooli", payload=HOT, event_time="2026-11-25T10:03:00Z"),
        event("w1", payload=WRONG),
        event("h3", payload=HOT, event_time="2026-11-25T10:04:00Z"),
        event("ok"),
    )
    lake.run()
    return fixed_config(lake, repo)


def _dlq(root: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = DeltaTable(str(root / "dlq/events")).to_pyarrow_table().to_pylist()
    return rows


def _pending(root: Path, stage: str) -> bool:
    """Whether a run would still insert-if-absent rows of ``stage`` (unmarked candidates)."""
    return any(r["stage"] == stage and r["replay_status"] == "pending" for r in _dlq(root))


def _choose(rng: random.Random, root: Path, kill: int) -> Kill:
    """A kill point the next run will reach, with no delay or a timer of 50-400 ms.

    Every run selects the garbage and wrong-type rows again (failed_again), so both stages always
    reach their status and audit points; the inserts only while a stage has pending rows, so the
    first two kills go to the bronze, then the silver insert. A timer runs only where a MERGE or
    more follows, so the process cannot end before it fires.
    """
    options = [
        Kill("before_status", 1, 0, 0),
        Kill("before_audit", 1, 0, 0),
        Kill("before_status", 2, 0, 1),
        Kill("before_audit", 2, 0, 1),
    ]
    if _pending(root, "bronze"):
        options += [Kill(BRONZE_WRITE, 1, 0, 0)] * 2
    if _pending(root, "silver"):
        options += [Kill(SILVER_WRITE, 1, 0, 1)] * 2
    first = {0: BRONZE_WRITE, 1: SILVER_WRITE}.get(kill)
    chosen = rng.choice([o for o in options if first in (None, o.point)])
    if (chosen.point != "before_audit" or chosen.batch == 0) and rng.random() < 0.5:
        return Kill(chosen.point, chosen.hit, rng.randint(50, 400), chosen.batch)
    return chosen


def _run(tmp: Path, config: Path, root: Path, kill: Kill | None) -> tuple[int, str]:
    """One replayer process; returns (exit code, the marker's new line)."""
    marker = tmp / "marker.txt"
    before = marker.read_text() if marker.exists() else ""
    command = ["lakestream-dlq-replay"]
    if kill is not None:
        plan = tmp / "plan.json"
        plan.write_text(
            json.dumps(
                {
                    "point": kill.point,
                    "hit": kill.hit,
                    "delay_ms": kill.delay_ms,
                    "service": None,
                    "marker": str(marker),
                }
            )
        )
        command = [sys.executable, "-m", "tests.chaos.agent", str(plan), *command]
    else:
        command = [str(Path(sys.executable).parent / "lakestream-dlq-replay")]
    args = ["replay", "--root", str(root.parent), "--env", root.name]
    env = {
        **os.environ,
        "LAKESTREAM_CONFIG_DIR": str(config),
        "LAKESTREAM_SPARK_MASTER": "local[1]",
    }
    done = subprocess.run(
        [*command, *args],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        start_new_session=True,
    )
    after = marker.read_text() if marker.exists() else ""
    if kill is None:
        assert done.returncode == 0, done.stderr[-3000:]
    return done.returncode, after[len(before) :].strip()


def _audit_sums(lake: Lake) -> dict[str, Counter[str]]:
    """Per stage: input, recovered, failed_again and duplicate totals of the replayer's audit."""
    sums: dict[str, Counter[str]] = {"bronze": Counter(), "silver": Counter()}
    for r in lake.audit("dlq_replayer"):
        sums[r["layer"]].update(
            {
                "input": r["input_rows"],
                "recovered": r["output_rows"],
                "failed_again": r["dlq_rows"],
                "duplicate": r["duplicate_rows"],
            }
        )
    return sums


def test_replayer_killed_mid_replay_reruns_to_a_consistent_history(lake: Lake, repo: Path) -> None:
    clock = time.monotonic()
    config = _build(lake, repo)
    root = Path(lake.layout.base)
    twin = lake.tmp_path / "twin"
    shutil.copytree(lake.tmp_path / "root", twin)

    clean = Lake(twin.parent / "twin-lake", lake.spark, load_registry(config))
    clean.settings = clean.settings.model_copy(update={"root": str(twin)})
    expected = {o.dlq_id: o.outcome for o in replay(clean.runtime(), DlqFilter()).outcomes}
    assert Counter(expected.values()) == Counter(
        {"recovered": 5, "duplicate": 1, "failed_again": 3}
    )

    rng = random.Random(SEED)
    kills: list[str] = []
    runs = 0
    while len(kills) < KILLS:
        kill = _choose(rng, root, len(kills))
        code, where = _run(lake.tmp_path, config, root, kill)
        runs += 1
        assert code == -9, f"{kill} did not kill the replayer (exit {code})"
        delay = f" +{kill.delay_ms}ms" if kill.delay_ms else ""
        assert where == f"dlq_replayer {kill.point} batch {kill.batch}{delay}", kill
        kills.append(where)
    _run(lake.tmp_path, config, root, None)
    runs += 1

    points = Counter(k.split(" ")[1] for k in kills)
    assert set(points) == {BRONZE_WRITE, SILVER_WRITE, "before_status", "before_audit"}, kills
    assert any("ms" in k for k in kills), kills

    for name in ("bronze/events", "silver/temp_humidity"):
        keys = Counter((r["tenant_id"], r["event_id"]) for r in lake.rows(name))
        assert max(keys.values()) == 1, (name, keys)
    dlq = {r["dlq_id"]: r for r in lake.rows("dlq/events")}
    status = {"recovered": "replayed", "duplicate": "replayed", "failed_again": "failed_again"}
    assert {i: r["replay_status"] for i, r in dlq.items()} == {
        i: status[o] for i, o in expected.items()
    }
    assert all(r["replay_attempts"] >= 1 for r in dlq.values())
    assert all(r["replay_attempts"] == 1 for r in dlq.values() if r["replay_status"] == "replayed")

    sums = _audit_sums(lake)
    for stage in ("bronze", "silver"):
        mine = [i for i in expected if dlq[i]["stage"] == stage]
        wanted = Counter(expected[i] for i in mine)
        assert sums[stage]["recovered"] == wanted["recovered"], (stage, sums)
        assert sums[stage]["duplicate"] == wanted["duplicate"], (stage, sums)
        tries = sum(dlq[i]["replay_attempts"] for i in mine)
        assert sums[stage]["input"] == tries, (stage, sums)
        failed = sum(dlq[i]["replay_attempts"] for i in mine if expected[i] == "failed_again")
        assert sums[stage]["failed_again"] == failed, (stage, sums)
    audited = Counter((r["run_id"], r["layer"]) for r in lake.audit("dlq_replayer"))
    assert set(audited.values()) == {1}, audited
    assert {(r["last_replay_id"], r["stage"]) for r in dlq.values()} <= set(audited)

    lake.registry = load_registry(config)
    lake.run("silver", "gold")
    assert reconcile(lake.layout) == []
    print(
        f"\n{len(kills)} kills in {runs} replayer runs, {time.monotonic() - clock:.0f} s: {kills}"
    )
