"""Measurements of a benchmark stage: wall time, memory and CPU of the process tree, files."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from types import TracebackType

from lakestream.common.tables.backend import FileStats

_PAGE_KB = 1024
KINDS = ("driver", "jvm", "python_workers")
SAMPLE_SECONDS = 0.2


def _children(pid: int) -> list[int]:
    """Child pids of ``pid``; none when it exits while its threads are listed."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").glob("*/children"))
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(child) for child in task.read_text().split())
        except OSError:
            continue
    return found


def tree_pids(root: int) -> list[int]:
    """``root`` and every descendant process (the JVM, Python workers)."""
    pids, queue = [], [root]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        queue.extend(_children(pid))
    return pids


def pss_kb(pid: int) -> int:
    """Proportional set size of one process in KiB (0 when it is gone).

    Pages shared with other processes (Spark forks its Python workers from a daemon) count in
    proportion, so the sum over a process tree is the physical memory the tree uses.
    """
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def process_kind(pid: int, root: int) -> str:
    """``driver`` (the root), ``jvm`` or ``python_workers`` (every other descendant)."""
    if pid == root:
        return "driver"
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "python_workers"
    return "jvm" if name == "java" else "python_workers"


def tree_memory_mb(root: int) -> dict[str, float]:
    """Physical memory (PSS) of ``root`` and its descendants per process kind, in MiB."""
    used = dict.fromkeys(KINDS, 0.0)
    for pid in tree_pids(root):
        used[process_kind(pid, root)] += pss_kb(pid) / _PAGE_KB
    return used


class StageProbe:
    """Measures a ``with`` block: wall time, CPU and sampled physical memory (PSS) of the tree.

    ``with StageProbe() as m: ...`` then ``m.seconds`` (wall time), ``m.cpu_s`` (CPU seconds per
    process kind), ``m.peak_mb`` (the whole tree at its largest) and ``m.peak_by_kind`` (each
    kind at its own largest). The driver (this process), the JVM it started and Spark's Python
    workers are all descendants of this process in local mode.
    """

    def __init__(self, root: int | None = None, every: float = SAMPLE_SECONDS) -> None:
        self.root = root or os.getpid()
        self.every = every
        self.peak_mb = 0.0
        self.peak_by_kind = dict.fromkeys(KINDS, 0.0)
        self.seconds = 0.0
        self.cpu_s: dict[str, float] = {}
        self._started = 0.0
        self._cpu_before: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def _sample(self) -> None:
        used = tree_memory_mb(self.root)
        self.peak_mb = max(self.peak_mb, sum(used.values()))
        for kind, mb in used.items():
            self.peak_by_kind[kind] = max(self.peak_by_kind[kind], mb)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every)

    def __enter__(self) -> StageProbe:
        self._sample()
        self._thread.start()
        self._cpu_before = cpu_seconds(self.root)
        self._started = time.perf_counter()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.seconds = time.perf_counter() - self._started
        after = cpu_seconds(self.root)
        self.cpu_s = {kind: round(after[kind] - self._cpu_before[kind], 2) for kind in KINDS}
        self._stop.set()
        self._thread.join()
        self._sample()


def cpu_seconds(root: int | None = None) -> dict[str, float]:
    """CPU seconds (user + system) used so far by the driver, the JVM and Spark's Python workers.

    Each process counts its own time and that of the children it has reaped, so a worker that
    exits is not lost: its time moves to the process that started it (a daemon or the JVM).
    """
    root = root or os.getpid()
    ticks = os.sysconf("SC_CLK_TCK")
    used = dict.fromkeys(KINDS, 0.0)
    for pid in tree_pids(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        own_and_reaped = sum(int(value) for value in fields[11:15])
        used[process_kind(pid, root)] += own_and_reaped / ticks
    return used


def data_files(directories: list[Path]) -> dict[Path, int]:
    """Every ``*.parquet`` file under ``directories`` with its size."""
    return {
        path: path.stat().st_size
        for directory in directories
        if directory.exists()
        for path in directory.rglob("*.parquet")
    }


def written_since(before: dict[Path, int], directories: list[Path]) -> FileStats:
    """Data files that appeared under ``directories`` since the ``before`` listing."""
    new = {p: size for p, size in data_files(directories).items() if p not in before}
    return FileStats(files=len(new), bytes=sum(new.values()))
