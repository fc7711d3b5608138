"""One running instance per service and storage root: an exclusive ``flock`` on a lock file.

The lock file is ``_checkpoints/<service>/run.lock`` next to the service's checkpoints. The
kernel releases a ``flock`` when its holder exits, however it exits (SIGKILL included), so a
crash never leaves a stale lock; the file's content (pid, host, start time, run id), written by
the holder once it has the lock, only names the holder. The lock is held on a read-only
descriptor, so it keeps no file open for writing. Remote roots (``abfss://``) cannot be locked
this way: there the job's ``max_concurrent_runs: 1`` and Spark's own offset log guard the
checkpoint (decision 0090).
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import socket
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lakestream.common.errors import LakestreamError
from lakestream.common.layout import TableLayout
from lakestream.common.tables.storage import storage_failure
from lakestream.common.tables.write_lock import lockable, open_lock_file

log = logging.getLogger(__name__)
LOCK_FILE = "run.lock"


class AlreadyRunningError(LakestreamError):
    """Another process runs the same service on the same storage root."""


@dataclass
class RunLock:
    """The held lock of one service (an open file descriptor with an exclusive ``flock``)."""

    service: str
    path: Path
    fd: int

    def release(self) -> None:
        """Unlock and close (the file stays: removing it would race with a new holder)."""
        os.close(self.fd)


def lock_path(layout: TableLayout, service: str) -> str:
    """``_checkpoints/<service>/run.lock``."""
    return layout.checkpoint(service, LOCK_FILE)


def _holder(fd: int) -> str:
    """Who holds the lock, from the lock file's content."""
    try:
        raw = os.pread(fd, 4096, 0)
        info = json.loads(raw.decode("utf-8"))
        return (
            f"pid {info['pid']} on host {info['host']}, started {info['started_at']} "
            f"(run {info['run_id']})"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that has not written its details yet"


def acquire(layout: TableLayout, service: str, run_id: str, wait: bool = False) -> RunLock | None:
    """Lock ``service`` for this process, or raise AlreadyRunningError naming the holder.

    With ``wait``, block until the holder releases the lock instead of raising. Returns None for
    a remote root (nothing to lock locally; see the module docstring).
    """
    location = lock_path(layout, service)
    if not lockable(location):
        log.info("%s: remote root, no local run lock (decision 0090)", service)
        return None
    path = Path(location)
    fd = open_lock_file(path, "run lock")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        holder = _holder(fd)
        os.close(fd)
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
            raise storage_failure(exc, "run lock", str(path)) from exc
        raise AlreadyRunningError(
            f"{service} is already running on {layout.base}: held by {holder}; lock {path}. "
            "Stop that process first (or wait for it to end); a crashed holder releases the "
            "lock by itself"
        ) from None
    info = {
        "service": service,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": run_id,
    }
    try:
        path.write_text(json.dumps(info), encoding="utf-8")
    except OSError as exc:
        os.close(fd)
        raise storage_failure(exc, "run lock", str(path)) from exc
    return RunLock(service, path, fd)


def hold(stack: ExitStack, layout: TableLayout, services: list[str], run_id: str) -> None:
    """Acquire every service's lock (all or none), released when ``stack`` closes."""
    for service in services:
        held = acquire(layout, service, run_id)
        if held is not None:
            stack.callback(held.release)
