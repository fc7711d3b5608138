"""The driver's native heap: capped arenas and freed pages handed back (runtime.memory)."""

from __future__ import annotations

import ctypes
import os
import platform
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from lakestream.common.runtime.memory import (
    ARROW_POOL_ENV,
    _libc,
    cap_arenas,
    release_free_memory,
    use_system_arrow_pool,
)

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


def test_arrow_uses_the_system_allocator_here_and_in_children(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ARROW_POOL_ENV, raising=False)
    before = pa.default_memory_pool()
    try:
        assert use_system_arrow_pool() == "system"
        assert os.environ[ARROW_POOL_ENV] == "system"
        values = pa.array(range(1000))
        assert pa.default_memory_pool().bytes_allocated() >= values.nbytes
        child = subprocess.run(
            [
                sys.executable,
                "-c",
                "import pyarrow; print(pyarrow.default_memory_pool().backend_name)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert child.stdout.strip() == "system"
    finally:
        pa.set_memory_pool(before)


def test_an_explicit_arrow_pool_choice_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ARROW_POOL_ENV, "jemalloc")
    before = pa.default_memory_pool()
    try:
        assert use_system_arrow_pool() == before.backend_name
        assert os.environ[ARROW_POOL_ENV] == "jemalloc"
    finally:
        pa.set_memory_pool(before)
