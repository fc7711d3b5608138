"""The pieces of ``lakestream status``: backlogs from sources and checkpoints, verdicts, gauges."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from lakestream.common import telemetry
from lakestream.common.audit.status import (
    LayerStatus,
    PlatformStatus,
    Verdict,
    record,
    waiting_verdict,
)
from lakestream.common.settings import Settings
from lakestream.common.sources.base import Backlog
from lakestream.common.sources.eventhubs import EventHubsSourceSpec
from lakestream.common.sources.files import pending_files
from lakestream.devtools.eventhubs_local import LocalEventHubsServer
from tests.eventhubs_support import CONN_ENV, source_options

pytestmark = pytest.mark.unit
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def source_log(checkpoint: Path, batch: int, files: list[Path], compact: bool = False) -> None:
    """Spark's file-source log entry for ``batch`` (``v1`` then one JSON line per file)."""
    log = checkpoint / "sources" / "0"
    log.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"path": f.as_uri(), "timestamp": 0, "batchId": batch}) for f in files]
    (log / (f"{batch}.compact" if compact else str(batch))).write_text("\n".join(["v1", *lines]))


def test_pending_files_are_the_ones_no_committed_batch_read(tmp_path: Path) -> None:
    landing, checkpoint = tmp_path / "landing", tmp_path / "cp"
    (landing / "nested").mkdir(parents=True)
    files = [landing / f"f{i}.jsonl" for i in range(4)]
    for age, path in enumerate(files):
        path.write_text("{}\n")
        os.utime(path, (1_000_000 - age, 1_000_000 - age))
    (landing / "nested" / "g.jsonl").write_text("{}\n")
    (landing / ".f9.jsonl.tmp").write_text("{}\n")
    (landing / "_hidden").mkdir()
    (landing / "_hidden" / "h.jsonl").write_text("{}\n")
    (landing / "notes.txt").write_text("not a body file\n")
    source_log(checkpoint, 0, files[:2], compact=True)
    source_log(checkpoint, 1, files[2:3])

    assert pending_files(str(landing), str(checkpoint), committed=None) == sorted(
        [*files, landing / "nested" / "g.jsonl"], key=lambda p: p.stat().st_mtime
    )
    assert set(pending_files(str(landing), str(checkpoint), committed=0)) == {
        files[2],
        files[3],
        landing / "nested" / "g.jsonl",
    }
    pending = pending_files(str(landing), str(checkpoint), committed=1)
    assert pending[0] == files[3], "oldest first"
    assert pending_files(str(tmp_path / "gone"), str(checkpoint), committed=1) == []


def test_hub_backlog_per_partition_from_the_committed_offsets() -> None:
    with LocalEventHubsServer("events", partitions=3) as server:
        source_options(server)
        settings = Settings(source="eventhubs", eventhubs_connection_string_env=CONN_ENV)
        hub = EventHubsSourceSpec.from_settings(settings)
        server.publish_bodies(0, [b"a", b"b", b"c"])
        server.publish_bodies(1, [b"d", b"e"])
        assert hub.hub_backlog(None).waiting == {"0": 3, "1": 2, "2": 0}
        after = hub.hub_backlog({"0": 2, "1": 2, "2": 0})
        assert after.waiting == {"0": 1, "1": 0, "2": 0}
        assert after.expired == {"0": 0, "1": 0, "2": 0}


def layer(total: int | None, oldest: float | None, idle: float | None) -> LayerStatus:
    """A layer with a backlog of ``total`` files, its oldest ``oldest`` s old, idle ``idle`` s."""
    return LayerStatus("bronze", Backlog("files", total, {}, oldest), last_success_age_s=idle)


@pytest.mark.parametrize(
    ("total", "oldest", "idle", "expected"),
    [
        (0, None, 5.0, Verdict.OK),
        (None, None, None, Verdict.OK),
        (2, 3.0, 5.0, Verdict.LAGGING),
        (2, 3.0, 2000.0, Verdict.LAGGING),
        (2, 2000.0, 5.0, Verdict.LAGGING),
        (2, 2000.0, 2000.0, Verdict.STUCK),
        (2, 2000.0, None, Verdict.STUCK),
        (2, None, None, Verdict.STUCK),
    ],
)
def test_backlog_verdicts(
    total: int | None, oldest: float | None, idle: float | None, expected: Verdict
) -> None:
    status = layer(total, oldest, idle)
    waiting_verdict(status, Settings(status_stuck_after_seconds=900))
    assert status.verdict is expected, status.problems


def test_a_backlog_up_to_the_limit_is_ok() -> None:
    status = layer(3, 9000.0, 9000.0)
    waiting_verdict(status, Settings(status_max_backlog=3))
    assert status.verdict is Verdict.OK


def test_the_worst_problem_is_the_verdict() -> None:
    status = layer(0, None, 1.0)
    status.problems += [(Verdict.LAGGING, "a"), (Verdict.LOSING, "b"), (Verdict.STUCK, "c")]
    assert status.verdict is Verdict.LOSING
    assert [v.severity for v in Verdict] == [0, 1, 2, 3]


def test_gauges_carry_backlog_age_and_verdict_per_layer() -> None:
    reader = InMemoryMetricReader()
    previous = telemetry.install(telemetry.Telemetry(MeterProvider([reader])))
    try:
        stuck = layer(4, 2000.0, 1500.0)
        stuck.problems.append((Verdict.STUCK, "x"))
        fine = LayerStatus("silver", Backlog("commits", 0), last_success_age_s=3.0)
        record(PlatformStatus("/lake/test", NOW, NOW, [stuck, fine]))
        points: dict[tuple[str, str], Any] = {}
        data = reader.get_metrics_data()
        assert data is not None
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    for point in metric.data.data_points:
                        attributes = dict(point.attributes or {})
                        points[(metric.name, str(attributes["layer"]))] = point
    finally:
        telemetry.install(previous)
    assert points[(telemetry.LAYER_VERDICT, "bronze")].value == Verdict.STUCK.severity
    assert points[(telemetry.LAYER_VERDICT, "silver")].value == 0
    assert points[("lakestream.layer.backlog", "bronze")].value == 4
    assert dict(points[("lakestream.layer.backlog", "bronze")].attributes)["unit"] == "files"
    assert points[("lakestream.layer.last_success_age", "silver")].value == 3.0


def test_exit_codes() -> None:
    ok = LayerStatus("bronze", Backlog("files", 0))
    assert PlatformStatus("/x", NOW, NOW, [ok]).exit_code == 0
    assert PlatformStatus("/x", NOW, NOW, [ok], ["silver: unreadable"]).exit_code == 2
    bad = layer(1, 1.0, 1.0)
    bad.problems.append((Verdict.LAGGING, "1 file"))
    assert PlatformStatus("/x", NOW, NOW, [ok, bad], ["silver: unreadable"]).exit_code == 1
