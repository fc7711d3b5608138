"""Lock files on local storage; the write lock of a table whose writers check keys (decision 0099).

An insert-if-absent written as "read the keys, append the new rows" is a blind append to Delta:
its commit never conflicts, so two writers (a silver stream and a DLQ replay) must not
interleave between the read and the commit. They take an exclusive ``flock`` on the table's
``_lakestream.write.lock`` for that span; the kernel releases it when the holder exits, however
it exits. Delta readers and VACUUM leave files whose names start with ``_`` alone.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lakestream.common.tables.storage import storage_failure

LOCK_FILE = "_lakestream.write.lock"


def lockable(location: str) -> bool:
    """True for a table on a local filesystem (a path, not a ``scheme://`` URL)."""
    return "://" not in location


def lock_file(location: str) -> Path:
    """``<table>/_lakestream.write.lock``."""
    return Path(location) / LOCK_FILE


def open_lock_file(path: Path, what: str) -> int:
    """A read-only descriptor of ``path`` for ``flock``, created with its directory if missing.

    A storage fault is raised as a StorageError naming ``what`` and the path.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError as exc:
        raise storage_failure(exc, what, str(path)) from exc


@contextmanager
def exclusive(location: str) -> Iterator[None]:
    """Hold the table's write lock, waiting for a current holder to finish."""
    fd = open_lock_file(lock_file(location), "table write lock")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
