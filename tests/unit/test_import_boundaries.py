"""No arrow runs from the core to the tooling (decision 0109).

The deployed wheels (lakestream-common and the services) never import ``lakestream.tooling``
nor the libraries only the tooling needs (Typer, rich, plotly); the tooling may import them all.
``tests/infra/test_wheels.py`` checks the same on the built wheels.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.imports import imported_modules

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOYED = [REPO_ROOT / "libs" / "common" / "src", *sorted((REPO_ROOT / "services").glob("*/src"))]
TOOLING_ONLY = {"typer", "click", "rich", "plotly"}


MODULES = sorted(p for root in DEPLOYED for p in root.rglob("*.py"))


@pytest.mark.unit
def test_the_walk_finds_the_core_and_the_services() -> None:
    names = {p.relative_to(REPO_ROOT).as_posix() for p in MODULES}
    assert "libs/common/src/lakestream/common/jobs/entry.py" in names
    assert "services/dlq_replayer/src/lakestream/dlq_replayer/job.py" in names


@pytest.mark.unit
@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_deployed_code_imports_no_tooling(path: Path) -> None:
    imported = imported_modules(path)
    tooling = sorted(
        m for m in imported if m == "lakestream.tooling" or m.startswith("lakestream.tooling.")
    )
    assert not tooling, f"imports {tooling}: the core must not depend on lakestream-tooling"
    for_people = sorted({m.split(".")[0] for m in imported} & TOOLING_ONLY)
    assert not for_people, f"imports {for_people}: only lakestream-tooling may"
