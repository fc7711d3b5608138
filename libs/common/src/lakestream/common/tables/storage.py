"""Storage faults (disk full, read-only, no permission) as one line naming the table, path and fix.

Both table backends raise these instead of their own errors: delta-rs reports
``... (os error 28)``, Spark a JVM exception whose text holds ``No space left on device``, and
neither says what to do. A batch that fails this way wrote nothing it will not write again: its
writes are idempotent per batch, so once the fault is cleared a restart completes it exactly.
"""

from __future__ import annotations

import errno
import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from lakestream.common.errors import LakestreamError
from lakestream.common.tables.schemas import TableSpec

_P = ParamSpec("_P")
_R = TypeVar("_R")
_B = TypeVar("_B")
_OS_ERROR = re.compile(r"\(os error (\d+)\)|\[Errno (\d+)\]")
_RESTART = "then restart the job: a failed batch runs again, exactly once"
_FAULTS: dict[int, tuple[tuple[str, ...], str, str]] = {
    errno.ENOSPC: (
        ("No space left on device",),
        "no space left on device",
        "free space on (or grow) the volume that holds it",
    ),
    errno.EDQUOT: (
        ("Disk quota exceeded",),
        "disk quota exceeded",
        "raise the quota or free space",
    ),
    errno.EROFS: (
        ("Read-only file system",),
        "read-only file system",
        "make the volume writable again (e.g. remount it read-write)",
    ),
    errno.EACCES: (
        ("Permission denied", "AuthorizationPermissionMismatch", "AuthorizationFailure"),
        "permission denied",
        "give the job's identity write access to it (on ADLS: Storage Blob Data Contributor)",
    ),
}
_ALIASES = {errno.EPERM: errno.EACCES}


class StorageError(LakestreamError):
    """A table, checkpoint or lock file cannot be written because of its storage."""


def storage_errno(exc: BaseException) -> int | None:
    """The storage fault behind ``exc`` (an errno of ``_FAULTS``), or None for any other error.

    Looks at ``OSError.errno`` along the cause chain, then at the text (delta-rs and JVM errors).
    """
    seen: BaseException | None = exc
    texts: list[str] = []
    while seen is not None and len(texts) < 8:
        number = seen.errno if isinstance(seen, OSError) else None
        number = _ALIASES.get(number, number) if number is not None else None
        if number in _FAULTS:
            return number
        texts.append(str(seen))
        seen = seen.__cause__ or seen.__context__
    text = "\n".join(texts)
    for match in _OS_ERROR.finditer(text):
        number = int(match.group(1) or match.group(2))
        number = _ALIASES.get(number, number)
        if number in _FAULTS:
            return number
    for number, (markers, _, _) in _FAULTS.items():
        if any(marker in text for marker in markers):
            return number
    return None


def storage_failure(exc: BaseException, what: str, location: str) -> StorageError:
    """One-line error for a storage fault of ``what`` (e.g. ``table bronze/events``)."""
    number = storage_errno(exc)
    if number is None:
        first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
        return StorageError(f"{what} ({location}): cannot write: {type(exc).__name__}: {first}")
    _, problem, fix = _FAULTS[number]
    return StorageError(
        f"{what} ({location}): {problem} ({errno.errorcode[number]}). Fix: {fix}, {_RESTART}"
    )


@contextmanager
def storage_errors(what: str, location: str) -> Iterator[None]:
    """Re-raise a storage fault inside the block as a StorageError; other errors pass unchanged."""
    try:
        yield
    except StorageError:
        raise
    except Exception as exc:
        if storage_errno(exc) is None:
            raise
        raise storage_failure(exc, what, location) from exc


def guarded(
    method: Callable[Concatenate[_B, TableSpec, _P], _R],
) -> Callable[Concatenate[_B, TableSpec, _P], _R]:
    """Decorate a backend method taking the table spec first: storage faults name the table."""

    @functools.wraps(method)
    def wrapper(self: _B, spec: TableSpec, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with storage_errors(f"table {spec.name}", spec.location):
            return method(self, spec, *args, **kwargs)

    return wrapper
