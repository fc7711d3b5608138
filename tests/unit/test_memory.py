"""The driver's native heap: capped arenas and freed pages handed back (runtime.memory)."""

from __future__ import annotations

import ctypes
import platform
from pathlib import Path

import pytest

from lakestream.common.runtime.memory import _libc, cap_arenas, release_free_memory

pytestmark = [
    pytest.mark.unit,
    pytest.mark.skipif(
        platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
        reason="malloc_trim and mallopt are glibc's",
    ),
]


def resident_kb() -> int:
    """This process's resident set size in KiB."""
    with Path("/proc/self/status").open(encoding="ascii") as status:
        line = next(row for row in status if row.startswith("VmRSS:"))
    return int(line.split()[1])


def test_freed_heap_pages_go_back_to_the_os() -> None:
    libc = _libc()
    assert libc is not None
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    blocks = [libc.malloc(4096) for _ in range(50_000)]
    for block in blocks:
        libc.memset(block, 1, 4096)
    for block in blocks[:-1]:
        libc.free(block)
    before = resident_kb()
    assert release_free_memory()
    after = resident_kb()
    libc.free(blocks[-1])
    assert before - after > 100_000, f"resident {before} KiB -> {after} KiB"


def test_arenas_can_be_capped() -> None:
    assert cap_arenas(2)
