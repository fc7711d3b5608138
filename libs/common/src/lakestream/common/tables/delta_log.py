"""Reading a local Delta table's commit files (``_delta_log/<version>.json``) directly.

The embedded backend plans its Spark reads and finds its own commits from these files: one
commit's actions are exactly what it added, removed or recorded as changes, and a version number
read here never shifts while other writers commit (decision 0104).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lakestream.common.tables.backend import TXN_METADATA_KEY

LOG_DIR = "_delta_log"
_VERSION_DIGITS = 20


def is_local(location: str) -> bool:
    """True for a table on the local file system (a plain path or a ``file:`` URI)."""
    return "://" not in location or location.startswith("file:")


def local_path(location: str) -> Path:
    """The file-system path of a local table location."""
    return (
        Path(unquote(urlparse(location).path)) if location.startswith("file:") else Path(location)
    )


@dataclass(frozen=True)
class DataFile:
    """One data file a commit names: where it is, its partition values and its row count."""

    path: Path
    partition_values: dict[str, str | None]
    size: int
    num_records: int | None


@dataclass
class Commit:
    """The actions of one commit that change data (``dataChange`` true)."""

    version: int
    timestamp_ms: int
    info: dict[str, Any] = field(default_factory=dict)
    added: list[DataFile] = field(default_factory=list)
    removed: list[DataFile] = field(default_factory=list)
    changes: list[DataFile] = field(default_factory=list)
    """``cdc`` files: when present they alone are the commit's change feed."""

    @property
    def txn_key(self) -> str | None:
        """The ``lakestream.txn`` marker of the commit's metadata, if any."""
        value = self.info.get(TXN_METADATA_KEY)
        return str(value) if value is not None else None


def commit_file(table: Path, version: int) -> Path:
    """Path of commit ``version``'s JSON file."""
    return table / LOG_DIR / f"{version:0{_VERSION_DIGITS}d}.json"


def _file(table: Path, action: dict[str, Any]) -> DataFile:
    raw = str(action["path"])
    path = Path(unquote(urlparse(raw).path)) if "://" in raw else table / unquote(raw)
    stats = action.get("stats")
    records = json.loads(stats).get("numRecords") if isinstance(stats, str) and stats else None
    return DataFile(
        path=path,
        partition_values=dict(action.get("partitionValues") or {}),
        size=int(action.get("size") or 0),
        num_records=int(records) if records is not None else None,
    )


def read_commit(table: Path, version: int) -> Commit | None:
    """Commit ``version`` of the table at ``table``, or None when its file does not exist."""
    path = commit_file(table, version)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    commit = Commit(version, int(path.stat().st_mtime * 1000))
    for line in text.splitlines():
        if not line.strip():
            continue
        action: dict[str, Any] = json.loads(line)
        if "commitInfo" in action:
            commit.info = action["commitInfo"] or {}
            if "timestamp" in commit.info:
                commit.timestamp_ms = int(commit.info["timestamp"])
        elif "add" in action and action["add"].get("dataChange", True):
            commit.added.append(_file(table, action["add"]))
        elif "remove" in action and action["remove"].get("dataChange", True):
            commit.removed.append(_file(table, action["remove"]))
        elif "cdc" in action:
            commit.changes.append(_file(table, action["cdc"]))
    return commit


def latest_version(table: Path) -> int:
    """The newest commit version in the table's log (-1 when it has none)."""
    newest = -1
    with os.scandir(table / LOG_DIR) as entries:
        for entry in entries:
            stem = entry.name.removesuffix(".json")
            if len(stem) == _VERSION_DIGITS and stem.isdigit() and entry.name.endswith(".json"):
                newest = max(newest, int(stem))
    return newest


def find_commit(table: Path, key: str, newest: int, oldest: int) -> int | None:
    """The version in ``newest..oldest`` (searched downwards) whose commit carries ``key``."""
    for version in range(newest, max(oldest, 0) - 1, -1):
        commit = read_commit(table, version)
        if commit is not None and commit.txn_key == key:
            return version
    return None
