"""The driver's native heap: Arrow on the system allocator, few malloc arenas, freed pages returned.

delta-rs (tokio worker threads), pyarrow and Py4J's callback threads allocate from many
threads of the driver process. glibc gives each thread its own arena up to eight per core and
keeps freed pages, and pyarrow's default pool (mimalloc) kept the pages of every batch's Arrow
tables: the driver's resident memory grew with the data a run had processed, not with what it
held (docs/performance.md, "Memory"; decisions 0101, 0103). Elsewhere than on glibc the malloc
calls do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import cache

M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the most arenas (``MALLOC_ARENA_MAX``)."""
ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"
"""Arrow's choice of default memory pool, read once per process when the pool is first used."""


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


def use_system_arrow_pool() -> str:
    """Allocate pyarrow buffers with the system allocator, in this process and its children.

    Arrow reads ``ARROW_DEFAULT_MEMORY_POOL`` when its pool is first used, so this runs when a
    process starts (``lakestream.common.jobs``, ``lakestream.tooling.cli``), before pyarrow is
    imported; children (the JVM, Spark's Python workers) inherit it. Called later, it still
    switches pyarrow's default pool for what Python allocates from then on. An explicit
    ``ARROW_DEFAULT_MEMORY_POOL`` is kept. Returns the pool's backend name.
    """
    os.environ.setdefault(ARROW_POOL_ENV, "system")
    import pyarrow as pa  # only once the variable is set

    if os.environ[ARROW_POOL_ENV] == "system":
        pa.set_memory_pool(pa.system_memory_pool())
    return str(pa.default_memory_pool().backend_name)
