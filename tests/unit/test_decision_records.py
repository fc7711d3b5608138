"""Decision records (docs/decisions): a Date and a Status under every title, unique numbers,
statuses that name later records that exist, and an index in the folder's README that lists
every record with its title and status (the format rule in docs/decisions/README.md)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

DECISIONS = Path(__file__).resolve().parents[2] / "docs" / "decisions"

RECORD_NAME = re.compile(r"(\d{4})-[a-z0-9]+(?:-[a-z0-9]+)*\.md")
TITLE = re.compile(r"# (\d{4})(?: \u2014)? (\S.*)")
DATE = re.compile(r"Date: (\d{4}-\d{2}-\d{2})")
STATUS = re.compile(
    r"Status: (accepted|accepted, amended by (\d{4}(?:, \d{4})*)|superseded by (\d{4}))"
)
INDEX_ROW = re.compile(r"\| \[(\d{4})\]\(([^)\s]+)\) \| (.+) \| (.+) \|")
SECTIONS = ("## Context", "## Decision", "## Consequences")
DASH = "\u2014"


@dataclass(frozen=True)
class Record:
    """One record as its file states it; ``problems`` lists what breaks the format."""

    number: str
    name: str
    title: str | None
    status: str | None
    refers_to: tuple[str, ...]
    problems: tuple[str, ...]


def read_record(path: Path) -> Record:
    """Parse one record file: title, then Date and Status lines, then the three sections."""
    name = path.name
    number = name[:4]
    lines = path.read_text(encoding="utf-8").splitlines()
    problems: list[str] = []
    title_match = TITLE.fullmatch(lines[0]) if lines else None
    title = title_match.group(2) if title_match else None
    if title_match is None:
        problems.append(f"{name}: the first line is not '# {number} {DASH} <title>'")
    elif title_match.group(1) != number:
        problems.append(f"{name}: its title is numbered {title_match.group(1)}")
    head = [line for line in lines[1:] if line.strip()][:2]
    head += [""] * (2 - len(head))
    date_match = DATE.fullmatch(head[0])
    if date_match is None:
        problems.append(f"{name}: no 'Date: YYYY-MM-DD' line under the title (found {head[0]!r})")
    else:
        try:
            date.fromisoformat(date_match.group(1))
        except ValueError:
            problems.append(f"{name}: {date_match.group(1)} is not a date")
    status_match = STATUS.fullmatch(head[1])
    status: str | None = None
    refers_to: tuple[str, ...] = ()
    if status_match is None:
        problems.append(
            f"{name}: no 'Status: accepted | accepted, amended by NNNN | superseded by NNNN' line"
            f" under the Date line (found {head[1]!r})"
        )
    else:
        status = status_match.group(1)
        refers_to = tuple((status_match.group(2) or status_match.group(3) or "").split(", "))
        refers_to = tuple(n for n in refers_to if n)
    positions = [lines.index(s) if s in lines else -1 for s in SECTIONS]
    if -1 in positions or positions != sorted(positions):
        problems.append(f"{name}: needs the sections {', '.join(SECTIONS)}, in that order")
    return Record(number, name, title, status, refers_to, tuple(problems))


def read_index(readme: Path) -> list[tuple[str, str, str, str]]:
    """The index rows of the README: (number, linked file, title, status)."""
    rows = []
    for line in readme.read_text(encoding="utf-8").splitlines():
        match = INDEX_ROW.fullmatch(line.strip())
        if match:
            rows.append((match.group(1), match.group(2), match.group(3), match.group(4)))
    return rows


def problems(directory: Path) -> list[str]:
    """Every way the records in ``directory`` and its README break the format rule."""
    found: list[str] = []
    records: list[Record] = []
    for path in sorted(directory.glob("*.md")):
        if path.name == "README.md":
            continue
        if RECORD_NAME.fullmatch(path.name) is None:
            found.append(f"{path.name}: not named NNNN-short-title.md")
            continue
        records.append(read_record(path))
    for record in records:
        found.extend(record.problems)
    numbers = Counter(r.number for r in records)
    found.extend(
        f"number {n} is used by {', '.join(r.name for r in records if r.number == n)}"
        for n, count in sorted(numbers.items())
        if count > 1
    )
    for record in records:
        for other in record.refers_to:
            if other not in numbers:
                found.append(f"{record.name}: its status names {other}, which is no record")
            elif other <= record.number:
                found.append(
                    f"{record.name}: its status names {other}, which is not a later record"
                )
    readme = directory / "README.md"
    if not readme.is_file():
        return [*found, "README.md is missing"]
    rows = read_index(readme)
    by_name: dict[str, list[tuple[str, str, str, str]]] = {}
    for row in rows:
        by_name.setdefault(row[1], []).append(row)
        if not (directory / row[1]).is_file():
            found.append(f"README.md: the index links {row[1]}, which does not exist")
        elif not row[1].startswith(row[0] + "-"):
            found.append(f"README.md: the index row {row[0]} links {row[1]}")
    for record in records:
        listed = by_name.get(record.name, [])
        if len(listed) != 1:
            found.append(f"README.md: the index lists {record.name} {len(listed)} times, not once")
            continue
        _, _, title, status = listed[0]
        if record.title is not None and title != record.title:
            found.append(
                f"README.md: the index titles {record.number} {title!r}, not {record.title!r}"
            )
        if record.status is not None and status != record.status:
            found.append(
                f"README.md: the index says {record.number} is {status!r}, not {record.status!r}"
            )
    return found


def test_the_decision_records_follow_the_format() -> None:
    assert sorted(DECISIONS.glob("0*.md")), f"no records in {DECISIONS}"
    assert problems(DECISIONS) == []


# The checker itself, on a small folder of its own: it accepts a good one and names each fault.

GOOD = {
    "0001-first.md": ("First", "2026-11-25", "superseded by 0003"),
    "0002-second.md": ("Second", "2026-11-26", "accepted, amended by 0003"),
    "0003-third.md": ("Third", "2026-12-01", "accepted"),
}
BODY = "\n## Context\nWhy.\n\n## Decision\nWhat.\n\n## Consequences\nThen.\n"
AGAIN = f"# 0003 {DASH} Again\n\nDate: 2026-12-02\nStatus: accepted\n{BODY}"
INDEX = (
    "# Decision records\n\n| record | title | status |\n|---|---|---|\n"
    "| [0001](0001-first.md) | First | superseded by 0003 |\n"
    "| [0002](0002-second.md) | Second | accepted, amended by 0003 |\n"
    "| [0003](0003-third.md) | Third | accepted |\n"
)


def write_folder(directory: Path) -> Path:
    for name, (title, day, status) in GOOD.items():
        head = f"# {name[:4]} {DASH} {title}\n\nDate: {day}\nStatus: {status}\n"
        (directory / name).write_text(head + BODY, encoding="utf-8")
    (directory / "README.md").write_text(INDEX, encoding="utf-8")
    return directory


def edit(directory: Path, name: str, old: str, new: str) -> None:
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def add(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


def test_a_good_folder_has_no_problems(tmp_path: Path) -> None:
    assert problems(write_folder(tmp_path)) == []


def test_several_amending_records_are_accepted(tmp_path: Path) -> None:
    write_folder(tmp_path)
    edit(tmp_path, "0001-first.md", "superseded by 0003", "accepted, amended by 0002, 0003")
    edit(tmp_path, "README.md", "| superseded by 0003 |", "| accepted, amended by 0002, 0003 |")
    assert problems(tmp_path) == []


FAULTS: dict[str, tuple[Callable[[Path], None], str]] = {
    "no status": (
        lambda d: edit(d, "0003-third.md", "Status: accepted\n", ""),
        "0003-third.md: no 'Status:",
    ),
    "free-text status": (
        lambda d: edit(d, "0003-third.md", "Status: accepted", "Status: proposed"),
        "0003-third.md: no 'Status:",
    ),
    "no date": (
        lambda d: edit(d, "0002-second.md", "Date: 2026-11-26\n", ""),
        "0002-second.md: no 'Date: YYYY-MM-DD'",
    ),
    "impossible date": (
        lambda d: edit(d, "0002-second.md", "2026-11-26", "2026-13-01"),
        "0002-second.md: 2026-13-01 is not a date",
    ),
    "date in another form": (
        lambda d: edit(d, "0002-second.md", "2026-11-26", "26.11.2026"),
        "0002-second.md: no 'Date: YYYY-MM-DD'",
    ),
    "superseded by no record": (
        lambda d: edit(d, "0001-first.md", "superseded by 0003", "superseded by 0009"),
        "0001-first.md: its status names 0009, which is no record",
    ),
    "amended by an earlier record": (
        lambda d: edit(d, "0002-second.md", "amended by 0003", "amended by 0001"),
        "0002-second.md: its status names 0001, which is not a later record",
    ),
    "a number used twice": (
        lambda d: add(d, "0003-again.md", AGAIN),
        "number 0003 is used by 0003-again.md, 0003-third.md",
    ),
    "a record missing from the index": (
        lambda d: edit(d, "README.md", "| [0003](0003-third.md) | Third | accepted |\n", ""),
        "README.md: the index lists 0003-third.md 0 times",
    ),
    "an index status that differs": (
        lambda d: edit(d, "README.md", "| Third | accepted |", "| Third | superseded by 0001 |"),
        "README.md: the index says 0003 is 'superseded by 0001'",
    ),
    "an index row of no record": (
        lambda d: edit(
            d,
            "README.md",
            "| Third | accepted |\n",
            "| Third | accepted |\n| [0004](0004-fourth.md) | Fourth | accepted |\n",
        ),
        "README.md: the index links 0004-fourth.md, which does not exist",
    ),
    "a title numbered otherwise": (
        lambda d: edit(d, "0003-third.md", "# 0003", "# 0004"),
        "0003-third.md: its title is numbered 0004",
    ),
    "a section missing": (
        lambda d: edit(d, "0003-third.md", "## Consequences\n", ""),
        "0003-third.md: needs the sections",
    ),
    "a file that is not named as a record": (
        lambda d: add(d, "notes.md", "# Notes\n"),
        "notes.md: not named NNNN-short-title.md",
    ),
}


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_each_fault_is_named(fault: str, tmp_path: Path) -> None:
    make, expected = FAULTS[fault]
    write_folder(tmp_path)
    make(tmp_path)
    found = problems(tmp_path)
    assert any(expected in problem for problem in found), found
