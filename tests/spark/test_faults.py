"""Faults: a second instance, a full or read-only disk mid-batch, a source that goes away.

Disk faults are real: a small tmpfs filled up (ENOSPC) or remounted read-only (EROFS). Without
the right to mount (not root, no CAP_SYS_ADMIN) those tests skip and say so.
"""

from __future__ import annotations

import errno
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from lakestream.common.config import Registry
from lakestream.common.errors import SourceUnavailableError, StreamFailedError
from lakestream.common.runtime.batch import BatchContext
from lakestream.common.runtime.lock import AlreadyRunningError, acquire
from lakestream.common.runtime.service import discover_services
from lakestream.common.runtime.streaming import run_continuous
from lakestream.common.tables.storage import StorageError
from lakestream.devtools.eventhubs_local import LocalEventHubsServer
from tests.eventhubs_support import CONN_ENV, source_options
from tests.lake import Lake, encode, event

pytestmark = pytest.mark.spark
Mount = Callable[[Path, str], None]
JVM_OR_PLAN = ("Traceback", "\tat ", "at org.apache", "py4j", "Py4J", "== Physical Plan ==")


@pytest.fixture
def mount() -> Iterator[Mount]:
    """Mount a small tmpfs at a path (unmounted after the test); skip where mounting is denied."""
    mounted: list[Path] = []

    def do(path: Path, size: str) -> None:
        path.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs for a real disk fault: {done.stderr.strip()}")
        mounted.append(path)

    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs for a real disk fault needs root")
    yield do
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount(path: Path, mode: str) -> None:
    """Remount a tmpfs read-only (``ro``) or read-write (``rw``)."""
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True)


def fill(path: Path) -> None:
    """Write ``path`` until its filesystem reports ENOSPC."""
    with path.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def assert_one_clean_line(message: str) -> None:
    assert "\n" not in message, message
    assert not [m for m in JVM_OR_PLAN if m in message], message


def test_second_instance_is_refused_before_it_touches_anything(lake: Lake) -> None:
    held = acquire(lake.layout, "bronze", "first-run")
    assert held is not None
    lake.land(event("a"))
    with pytest.raises(AlreadyRunningError, match=r"bronze is already running .*\(run first-run\)"):
        lake.run("bronze")
    assert lake.count("bronze/events") == 0 and lake.count("audit/batches") == 0
    held.release()
    lake.run("bronze")
    assert lake.count("bronze/events") == 1


def test_disk_full_mid_batch_fails_cleanly_and_a_restart_completes_it(
    lake: Lake, mount: Mount
) -> None:
    volume = Path(lake.layout.base) / "dlq"
    mount(volume, "4m")
    lake.land(event("a"), b"not json")
    lake.run("bronze")
    fill(volume / "filler")
    lake.land(event("b"), event("c"), b"[]")
    with pytest.raises(StreamFailedError) as failed:
        lake.run("bronze")
    message = str(failed.value)
    assert_one_clean_line(message)
    assert (
        f"batch 1: StorageError: table dlq/events ({lake.layout.dlq_events}): no space left on "
        "device (ENOSPC). Fix: free space on (or grow) the volume that holds it" in message
    )
    assert lake.count("bronze/events") == 3, "the first write of the batch committed"
    failures = [a for a in lake.audit("bronze") if a["status"] == "FAILED"]
    assert [a["batch_id"] for a in failures] == [1] and "ENOSPC" in failures[0]["error"]
    (volume / "filler").unlink()
    lake.run("bronze")
    assert lake.count("bronze/events") == 3 and lake.count("dlq/events") == 2
    done = [a for a in lake.audit("bronze") if a["status"] == "SUCCEEDED"]
    assert [a["batch_id"] for a in done] == [0, 1]
    assert (done[1]["input_rows"], done[1]["output_rows"], done[1]["dlq_rows"]) == (3, 2, 1)


def test_read_only_root_mid_batch_then_restart_recovers_exactly(
    tmp_path: Path, spark: SparkSession, registry: Registry, mount: Mount
) -> None:
    root = tmp_path / "root"
    mount(root, "64m")
    lake = Lake(tmp_path, spark, registry)
    lake.land(event("a"), event("b"), b"not json")

    def read_only(point: str, ctx: BatchContext) -> None:
        if point == "before_write:dlq/events":
            remount(root, "ro")

    lake.fault_hook = read_only
    with pytest.raises(StreamFailedError) as failed:
        lake.run("bronze")
    message = str(failed.value)
    assert_one_clean_line(message)
    assert f"table dlq/events ({lake.layout.dlq_events}): read-only file system (EROFS)" in message
    assert lake.count("bronze/events") == 2 and lake.count("dlq/events") == 0
    assert lake.audit("bronze") == [], "the audit table was read-only too"
    lake.fault_hook = None
    with pytest.raises(StorageError, match=r"run lock \(.*\): read-only file system \(EROFS\)"):
        lake.run("bronze")
    remount(root, "rw")
    lake.run("bronze")
    assert lake.count("bronze/events") == 2 and lake.count("dlq/events") == 1
    audits = lake.audit("bronze")
    assert [(a["batch_id"], a["status"]) for a in audits] == [(0, "SUCCEEDED")]


def test_landing_directory_removed_mid_run_fails_after_retries_and_nothing_is_partial(
    lake: Lake,
) -> None:
    lake.settings = lake.settings.model_copy(
        update={
            "trigger_interval": "1 second",
            "source_max_retries": 2,
            "source_retry_backoff": 0.2,
        }
    )
    lake.land(event("a"), b"not json")
    away = lake.tmp_path / "landing-away"

    def remove_landing(point: str, ctx: BatchContext) -> None:
        if point == "before_write:bronze/events" and lake.landing.exists():
            lake.landing.rename(away)

    lake.fault_hook = remove_landing
    with pytest.raises(SourceUnavailableError) as failed:
        run_continuous(lake.runtime(), [discover_services()["bronze"]])
    assert str(failed.value).startswith(f"landing directory {lake.landing} does not exist")
    assert "still failing after 2 retries" in str(failed.value)
    assert lake.count("bronze/events") == 1 and lake.count("dlq/events") == 1
    assert [a["status"] for a in lake.audit("bronze")] == ["SUCCEEDED"]
    away.rename(lake.landing)
    lake.fault_hook = None
    lake.land(event("b"), event("a"))
    lake.run("bronze")
    assert lake.count("bronze/events") == 3 and lake.count("dlq/events") == 1
    assert [a["batch_id"] for a in lake.audit("bronze")] == [0, 1]


def test_landing_file_removed_after_planning_fails_the_batch_until_restored(lake: Lake) -> None:
    landed = [lake.land(event("a")), lake.land(raw=b""), lake.land(event("b"))]
    now = time.time()
    for age, path in zip((30, 20, 10), landed, strict=True):
        os.utime(path, (now - age, now - age))  # Spark plans files in modification-time order
    last = landed[-1]
    kept = last.read_bytes()

    def remove_planned(point: str, ctx: BatchContext) -> None:
        if point == "after_audit" and ctx.batch_id == 1:
            last.unlink()

    lake.fault_hook = remove_planned
    with pytest.raises(StreamFailedError) as failed:
        lake.run("bronze")
    message = str(failed.value)
    assert_one_clean_line(message)
    assert f"landing file(s) {last} of batch 2 disappeared before they were read" in message
    assert lake.count("bronze/events") == 1
    assert [(a["batch_id"], a["status"]) for a in lake.audit("bronze")] == [
        (0, "SUCCEEDED"),
        (1, "SUCCEEDED"),
        (2, "FAILED"),
    ]
    lake.fault_hook = None
    last.write_bytes(kept)
    lake.run("bronze")
    assert lake.count("bronze/events") == 2
    done = [a["batch_id"] for a in lake.audit("bronze") if a["status"] == "SUCCEEDED"]
    assert done == [0, 1, 2]


def test_event_hubs_down_fails_the_layer_in_one_line_and_writes_nothing(lake: Lake) -> None:
    with LocalEventHubsServer("events", partitions=2) as server:
        source_options(server)
        lake.settings = lake.settings.model_copy(
            update={
                "source": "eventhubs",
                "eventhubs_connection_string_env": CONN_ENV,
                "eventhubs_receive_timeout": 20.0,
                "source_max_retries": 1,
                "source_retry_backoff": 0.2,
            }
        )
        server.publish_bodies(0, [encode(event("a"))])
        lake.run("bronze")
        server.stop()
        with pytest.raises(StreamFailedError) as failed:
            lake.run("bronze")
        message = str(failed.value)
        assert_one_clean_line(message)
        assert "SourceUnavailableError: Event Hubs" in message
        assert "unreachable after 2 attempts" in message and server.key not in message
        assert lake.count("bronze/events") == 1
        assert [a["batch_id"] for a in lake.audit("bronze")] == [0]
        server.start()
        server.publish_bodies(1, [encode(event("b"))])
        lake.run("bronze")
    assert lake.count("bronze/events") == 2
    assert [a["batch_id"] for a in lake.audit("bronze")] == [0, 1]
