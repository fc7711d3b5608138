"""docs/architecture.md's module map names exactly the packages and modules the tree holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
ROOTS = [*REPO.glob("libs/*/src/lakestream/*"), *REPO.glob("services/*/src/lakestream/*")]
CORE = REPO / "libs/common/src/lakestream/common"


def module_map() -> list[str]:
    """The table rows of the architecture page's "Module map" section."""
    text = (REPO / "docs/architecture.md").read_text(encoding="utf-8")
    section = text.split("## Module map", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `")]


def named_modules(row: str) -> list[str]:
    """Dotted names in a row's first cell; ``.x`` after a name is short for its parent's ``x``."""
    names: list[str] = []
    for name in re.findall(r"`([.\w]+)`", row.split("|")[1]):
        if name.startswith("."):
            name = names[-1].rsplit(".", 1)[0] + name
        names.append(name)
    return names


def source_of(dotted: str) -> Path | None:
    """The package directory or module file of ``lakestream.<...>``, or None."""
    for root in ROOTS:
        parts = dotted.split(".")
        if parts[:2] != ["lakestream", root.name]:
            continue
        path = root.joinpath(*parts[2:])
        if (path / "__init__.py").is_file():
            return path
        if path.with_suffix(".py").is_file():
            return path.with_suffix(".py")
    return None


def test_every_module_the_map_names_exists() -> None:
    missing = [n for row in module_map() for n in named_modules(row) if source_of(n) is None]
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_package_and_core_module_is_in_the_map() -> None:
    named = {n for row in module_map() for n in named_modules(row)}
    expected = {f"lakestream.{root.name}" for root in ROOTS if root.name != "common"}
    expected |= {
        f"lakestream.common.{p.stem}"
        for p in CORE.iterdir()
        if p.name != "__init__.py" and (p.suffix == ".py" or (p / "__init__.py").is_file())
    }
    assert not expected - named, f"missing from the module map: {sorted(expected - named)}"


def test_each_service_row_names_every_module_of_the_service() -> None:
    rows = {named_modules(row)[0]: row for row in module_map()}
    for service in REPO.glob("services/*/src/lakestream/*"):
        row = rows[f"lakestream.{service.name}"]
        files = {p.name for p in service.glob("*.py") if p.name != "__init__.py"}
        unnamed = {f for f in files if f"`{f}`" not in row}
        assert not unnamed, f"lakestream.{service.name}: the map does not name {sorted(unnamed)}"
