"""The driver's native heap: few malloc arenas, and freed pages handed back after each batch.

delta-rs (tokio worker threads), pyarrow and Py4J's callback threads allocate from many
threads of the driver process. glibc gives each thread its own arena up to eight per core and
keeps freed pages, so the driver's resident memory grew with the data a run had processed, not
with what it held (docs/performance.md, "Memory"). Elsewhere than on glibc both calls do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the most arenas (``MALLOC_ARENA_MAX``)."""


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def cap_arenas(arenas: int) -> bool:
    """Let this process's threads share at most ``arenas`` malloc arenas; True when applied."""
    libc = _libc()
    return libc is not None and libc.mallopt(M_ARENA_MAX, arenas) == 1


def release_free_memory() -> bool:
    """Return the heap's free pages to the OS (``malloc_trim``); True when some were released."""
    libc = _libc()
    return libc is not None and libc.malloc_trim(0) == 1
