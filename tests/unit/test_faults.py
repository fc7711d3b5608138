"""Faults without Spark: the run lock, storage-error wording, source retries, failure lines."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from lakestream.common.errors import SourceUnavailableError
from lakestream.common.layout import TableLayout
from lakestream.common.runtime.lock import AlreadyRunningError, acquire, lock_path
from lakestream.common.runtime.streaming import failure_line
from lakestream.common.runtime.watch import SourceWatch
from lakestream.common.settings import load_settings
from lakestream.common.sources.eventhubs import options_from_settings
from lakestream.common.tables.deltaspark import DeltaSparkBackend
from lakestream.common.tables.schemas import TableSpec, bronze_events
from lakestream.common.tables.storage import StorageError, storage_errno, storage_errors

pytestmark = pytest.mark.unit
HOLDER = """
import sys, time
from lakestream.common.runtime.lock import acquire
from lakestream.common.tables.deltaspark import DeltaSparkBackend
from lakestream.common.layout import TableLayout
from lakestream.common.tables.schemas import TableSpec, bronze_events
held = acquire(TableLayout(sys.argv[1], "test"), "bronze", "child-run")
print("locked", flush=True)
time.sleep(120)
"""


def test_second_instance_in_process_is_refused_until_the_first_releases(tmp_path: Path) -> None:
    layout = TableLayout(str(tmp_path), "test")
    first = acquire(layout, "bronze", "run-1")
    assert first is not None
    with pytest.raises(AlreadyRunningError) as refused:
        acquire(layout, "bronze", "run-2")
    message = str(refused.value)
    assert "bronze is already running" in message
    assert f"pid {os.getpid()} on host {socket.gethostname()}" in message
    assert "(run run-1)" in message and "Stop that process first" in message
    assert acquire(layout, "silver", "run-2") is not None, "other services are independent"
    first.release()
    again = acquire(layout, "bronze", "run-3")
    assert again is not None
    again.release()


def test_lock_of_a_killed_process_is_released_by_the_kernel(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        layout = TableLayout(str(tmp_path), "test")
        with pytest.raises(AlreadyRunningError, match=rf"held by pid {child.pid} on host .*"):
            acquire(layout, "bronze", "parent")
    finally:
        child.kill()
        child.wait()
    held = acquire(layout, "bronze", "parent")
    assert held is not None and "parent" in Path(lock_path(layout, "bronze")).read_text()
    held.release()


def test_remote_root_takes_no_local_lock() -> None:
    remote = TableLayout("abfss://lake@acct.dfs.core.windows.net", "dev")
    assert acquire(remote, "bronze", "r") is None


def test_unwritable_lock_directory_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "root"
    blocker.write_text("a file where the root directory should be")
    with pytest.raises(StorageError, match=r"run lock .*: cannot write"):
        acquire(TableLayout(str(blocker), "test"), "bronze", "r")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), errno.ENOSPC),
        (OSError(errno.EPERM, "Operation not permitted"), errno.EACCES),
        (
            Exception(
                "Failed to parse parquet: External: Generic LocalFileSystem error: Unable to "
                "open file /x/part-0.parquet#1: Read-only file system (os error 30)"
            ),
            errno.EROFS,
        ),
        (
            Exception(
                "An error occurred while calling o81.save.\n: org.apache.spark.SparkException: "
                "Job aborted.\n\tat org.apache.spark.sql.X(X.scala:1)\nCaused by: "
                "java.io.IOException: No space left on device"
            ),
            errno.ENOSPC,
        ),
        (Exception("403 AuthorizationPermissionMismatch: not authorized"), errno.EACCES),
        (ValueError("Schema mismatch: column x"), None),
        (FileNotFoundError(errno.ENOENT, "gone"), None),
    ],
)
def test_storage_faults_are_recognised(error: BaseException, expected: int | None) -> None:
    assert storage_errno(error) == expected


def test_storage_fault_names_table_path_and_fix_in_one_line() -> None:
    jvm = Exception("o81.save.\n\tat org.apache.X\nCaused by: java.io.IOException: No space left")
    jvm.__cause__ = OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(StorageError) as failed, storage_errors("table dlq/events", "/lake/dlq"):
        raise jvm
    message = str(failed.value)
    assert message == (
        "table dlq/events (/lake/dlq): no space left on device (ENOSPC). Fix: free space on "
        "(or grow) the volume that holds it, then restart the job: a failed batch runs "
        "again, exactly once"
    )
    with pytest.raises(ValueError, match="not a storage fault"), storage_errors("t", "/p"):
        raise ValueError("not a storage fault")


def test_source_watch_retries_with_doubling_back_off_then_fails() -> None:
    now = [0.0]
    up = [False]

    def probe() -> None:
        if not up[0]:
            raise SourceUnavailableError("landing directory /l does not exist")

    watch = SourceWatch([probe], retries=2, backoff=1.0, clock=lambda: now[0])
    watch.check()
    assert watch.failures == 1
    now[0] = 0.5
    watch.check()
    assert watch.failures == 1, "inside the back-off nothing is probed"
    now[0] = 1.0
    watch.check()
    assert watch.failures == 2
    now[0] = 2.9
    watch.check()
    now[0] = 3.0
    with pytest.raises(SourceUnavailableError, match=r"/l does not exist \(still failing after 2"):
        watch.check()
    up[0] = True
    recovered = SourceWatch([probe], retries=0, backoff=1.0, clock=lambda: now[0])
    recovered.check()
    assert recovered.failures == 0


def test_failure_line_quotes_the_lakestream_error_or_names_the_checkpoint() -> None:
    worker = Exception(
        "[STREAM_FAILED] Query [id = 1] terminated with exception: "
        "[PYTHON_DATA_SOURCE_ERROR] Failed to plan:\nTraceback (most recent call last):\n"
        '  File "x.py", line 3, in latestOffset\n'
        "lakestream.common.errors.SourceUnavailableError: Event Hubs hub events is unreachable\n"
        "\tat org.apache.spark.api.python.X(X.scala:1)\n"
    )
    assert failure_line(worker, "/cp") == (
        "SourceUnavailableError: Event Hubs hub events is unreachable"
    )
    full = Exception("java.io.IOException: No space left on device\n\tat org.apache.hadoop.X")
    assert failure_line(full, "/lake/_checkpoints/bronze/events").startswith(
        "checkpoint (/lake/_checkpoints/bronze/events): no space left on device (ENOSPC). Fix:"
    )


def test_source_retry_settings_reach_the_eventhubs_source() -> None:
    settings = load_settings(source="eventhubs", source_max_retries=5, source_retry_backoff=0.5)
    options = options_from_settings(settings)
    assert (options["maxRetries"], options["retryBackoff"]) == ("5", "0.5")


def test_native_backend_reports_a_jvm_storage_fault_like_the_embedded_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def disk_full(spec: TableSpec) -> bool:
        raise RuntimeError(
            "An error occurred while calling z:io.delta.tables.DeltaTable.isDeltaTable.\n: "
            "java.io.IOException: No space left on device\n\tat org.apache.hadoop.fs.X(X.java:1)"
        )

    backend = DeltaSparkBackend(None)  # type: ignore[arg-type]
    monkeypatch.setattr(backend, "exists", disk_full)
    with pytest.raises(StorageError) as failed:
        backend.ensure(bronze_events(TableLayout("/lake", "test")))
    assert str(failed.value).startswith(
        "table bronze/events (/lake/test/bronze/events): no space left on device (ENOSPC). Fix:"
    )
