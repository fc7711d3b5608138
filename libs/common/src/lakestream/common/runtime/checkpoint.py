"""Structured Streaming checkpoints: check them before a start, report them, repair a bad tail.

A checkpoint holds ``metadata`` (the query id), ``offsets/<n>`` (the write-ahead log: what batch
``n`` reads, written before it runs), ``commits/<n>`` (written after batch ``n`` returned) and
``sources/<i>/`` (a file source's log of files seen). Every line after the version line is JSON.
Batches write idempotently (app transactions keyed by batch id), so a batch whose commit file is
lost simply runs again, and a batch whose offsets file is lost never ran. Only local checkpoints
are inspected; on ``abfss://`` Spark's own errors apply.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lakestream.common.audit.tables import audit
from lakestream.common.errors import LakestreamError
from lakestream.common.layout import TableLayout
from lakestream.common.runtime.service import Runtime

QUARANTINE = "_quarantine"
"""Directory inside a checkpoint where ``repair`` moves bad files (Spark never reads it)."""


class CheckpointError(LakestreamError):
    """A checkpoint is unreadable, or missing while its tables hold committed batches."""


@dataclass(frozen=True)
class Damage:
    """One unreadable checkpoint file."""

    file: Path
    problem: str


@dataclass
class CheckpointState:
    """What a local checkpoint holds and which of its files cannot be read."""

    path: Path
    offsets: list[int] = field(default_factory=list)
    commits: list[int] = field(default_factory=list)
    damage: list[Damage] = field(default_factory=list)

    @property
    def started(self) -> bool:
        """True when the checkpoint has planned at least one batch."""
        return bool(self.offsets)

    def latest(self, log: str) -> int | None:
        """Highest batch id in ``offsets`` or ``commits``."""
        ids = self.offsets if log == "offsets" else self.commits
        return max(ids) if ids else None


def _problem(path: Path, first_line_is_version: bool = True) -> str | None:
    """Why ``path`` cannot be parsed as a checkpoint log file, or None."""
    try:
        lines = path.read_bytes().decode("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return f"unreadable: {exc}"
    if first_line_is_version:
        if not lines or not lines[0].startswith("v") or not lines[0][1:].isdigit():
            return "missing its version line (v1)"
        lines = lines[1:]
        if not lines:
            return "empty after the version line"
    for number, line in enumerate(lines, start=2 if first_line_is_version else 1):
        if line == "-":
            continue
        try:
            json.loads(line)
        except ValueError:
            return f"line {number} is not JSON"
    return None


def batch_files(directory: Path) -> dict[int, Path]:
    """The batch files of one checkpoint log directory by batch id (``.compact`` included)."""
    if not directory.is_dir():
        return {}
    found = {}
    for path in directory.iterdir():
        stem = path.name.removesuffix(".compact")
        if stem.isdigit():
            found[int(stem)] = path
    return found


def inspect(path: str) -> CheckpointState:
    """Read a local checkpoint's logs and check every file Spark reads on restart."""
    root = Path(path)
    state = CheckpointState(root)
    offsets, commits = batch_files(root / "offsets"), batch_files(root / "commits")
    state.offsets, state.commits = sorted(offsets), sorted(commits)
    metadata = root / "metadata"
    if metadata.exists() and _problem(metadata, first_line_is_version=False):
        state.damage.append(Damage(metadata, "not a JSON query id"))
    checked = [*offsets.values(), *commits.values()]
    sources = root / "sources"
    if sources.is_dir():
        for source in sources.iterdir():
            checked += batch_files(source).values()
    for file in sorted(checked):
        problem = _problem(file)
        if problem:
            state.damage.append(Damage(file, problem))
    return state


def planned_offsets(path: str) -> list[Any] | None:
    """Source offsets of the latest batch a local checkpoint planned.

    ``[]`` before the first batch; ``None`` for a remote or unreadable checkpoint.
    """
    if "://" in path:
        return None
    offsets = batch_files(Path(path) / "offsets")
    if not offsets:
        return []
    latest = offsets[max(offsets)]
    if _problem(latest):
        return None
    lines = latest.read_text(encoding="utf-8").splitlines()[2:]
    return [None if line == "-" else json.loads(line) for line in lines]


def _version(offsets: list[Any] | None) -> int | None:
    """The table version of a change-feed source's offsets (None for another source)."""
    if offsets is None:
        return None
    if not offsets:
        return -1
    first = offsets[0]
    return int(first["version"]) if isinstance(first, dict) and "version" in first else None


def planned_version(path: str) -> int | None:
    """The upstream version a local change-feed checkpoint planned up to (-1 before any batch).

    None for a remote or unreadable checkpoint, or one of another kind of source.
    """
    return _version(planned_offsets(path))


def committed_offsets(path: str) -> list[Any] | None:
    """Source end offsets of the latest batch a local checkpoint committed.

    ``[]`` before the first committed batch; ``None`` for a remote checkpoint or when the
    committed batch's offsets file is missing or unreadable.
    """
    committed = committed_batch(path)
    if committed is None:
        return None if "://" in path else []
    file = Path(path) / "offsets" / str(committed)
    if not file.is_file() or _problem(file):
        return None
    lines = file.read_text(encoding="utf-8").splitlines()[2:]
    return [None if line == "-" else json.loads(line) for line in lines]


def committed_version(path: str) -> int | None:
    """The upstream version a local change-feed checkpoint committed up to (-1 before any)."""
    return _version(committed_offsets(path))


def reached(path: str, version: int) -> bool:
    """True when a local change-feed checkpoint committed a batch that read up to ``version``."""
    if committed_batch(path) is None:
        return version < 0 and planned_version(path) == -1
    done = committed_version(path)
    return done is not None and done >= version


def committed_batch(path: str) -> int | None:
    """Highest batch id a local checkpoint committed (None before the first, or when remote)."""
    if "://" in path:
        return None
    return max(batch_files(Path(path) / "commits"), default=None)


def audited_batches(layout: TableLayout) -> dict[str, list[int]]:
    """Batch ids the audit table records as SUCCEEDED, per service (one read of the table)."""
    found: dict[str, set[int]] = {}
    for row in audit(layout, None):
        found.setdefault(str(row["service"]), set()).add(int(row["batch_id"]))
    return {service: sorted(ids) for service, ids in found.items()}


def verify(runtime: Runtime, service: str, flow: str) -> None:
    """Refuse to start a flow on a damaged checkpoint, or on a lost one whose tables hold data.

    Starting a fresh checkpoint over tables that already hold its batches would re-read the
    source from the beginning under batch ids the tables have seen, so nothing would be written.
    """
    location = runtime.layout.checkpoint(service, flow)
    if "://" in location or runtime.layout.by_name:
        return
    state = inspect(location)
    command = f"lakestream checkpoint repair --layer {service}"
    if state.damage:
        lines = "; ".join(f"{d.file}: {d.problem}" for d in state.damage)
        raise CheckpointError(
            f"checkpoint of {service}.{flow} is damaged ({lines}); run `{command}` "
            "(see docs/reliability.md)"
        )
    if not state.started:
        done = audited_batches(runtime.layout).get(service, [])
        if done:
            raise CheckpointError(
                f"checkpoint {location} of {service}.{flow} is missing, but audit/batches "
                f"records {len(done)} committed batches (last {done[-1]}); starting over would "
                "re-read the source under batch ids already committed. Restore the checkpoint "
                "directory (soft-deleted blobs on ADLS) - see docs/reliability.md, lost checkpoint"
            )


def repair_plan(state: CheckpointState, audited: list[int]) -> tuple[list[Path], list[str]]:
    """Files ``repair`` may move aside without losing or repeating a batch, and what it cannot fix.

    A damaged ``commits/<n>`` makes batch n run again (idempotent); without ``metadata`` Spark
    writes a new query id, which no write depends on. A damaged ``offsets/<n>`` is
    safe to drop only when Spark does not read it (below the last two) or when batch n is the
    last one and never completed (no commit file, no SUCCEEDED audit row): it then never ran.
    """
    movable, refused = [], []
    last = state.latest("offsets")
    committed = set(state.commits) - {
        int(d.file.name) for d in state.damage if d.file.parent.name == "commits"
    }
    for damage in state.damage:
        kind = damage.file.parent.name
        if kind == "commits" or damage.file == state.path / "metadata":
            movable.append(damage.file)
            continue
        if kind == "offsets" and last is not None:
            batch = int(damage.file.name)
            unfinished = batch == last and batch not in committed and batch not in audited
            if batch < last - 1 or unfinished:
                movable.append(damage.file)
                continue
        refused.append(
            f"{damage.file}: {damage.problem} - Spark needs this file to resume exactly; restore "
            "the checkpoint from a backup (docs/reliability.md, lost checkpoint)"
        )
    return movable, refused


def quarantine(state: CheckpointState, files: list[Path]) -> list[Path]:
    """Move ``files`` (and their Hadoop ``.crc`` siblings) under ``_quarantine/<time>/``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target_root = state.path / QUARANTINE / stamp
    moved = []
    for file in files:
        for member in (file, file.with_name(f".{file.name}.crc")):
            if member.exists():
                target = target_root / member.relative_to(state.path)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(member, target)
                moved.append(target)
    return moved
