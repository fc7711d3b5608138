"""Test files CI runs when only some services changed: theirs plus the common ones.

A test file belongs to a service when its name contains the service's token (``bronze``,
``silver``, ``gold``, ``dlq``); files naming no service are common (library, cross-layer chain,
unit tests) and always run. The bundle and wheel checks run for any service change.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TOKENS = {"bronze": "bronze", "silver": "silver", "gold": "gold", "dlq_replayer": "dlq"}
PER_SERVICE_INFRA = ("tests/infra/test_bundles.py", "tests/infra/test_wheels.py")
SCANNED = ("tests/unit", "tests/spark", "tests/e2e")


def select(services: list[str], repo_root: Path = REPO_ROOT) -> list[str]:
    """Test paths (relative to the repository root) for a change to ``services``."""
    unknown = sorted(set(services) - set(TOKENS))
    if unknown:
        raise ValueError(f"unknown service(s): {', '.join(unknown)}")
    wanted = {TOKENS[s] for s in services}
    chosen: list[str] = []
    for folder in SCANNED:
        for path in sorted((repo_root / folder).glob("test_*.py")):
            owners = {token for token in TOKENS.values() if token in path.stem}
            if not owners or owners & wanted:
                chosen.append(path.relative_to(repo_root).as_posix())
    if services:
        chosen.extend(PER_SERVICE_INFRA)
    return chosen


def main(argv: list[str]) -> int:
    """``select_tests.py <filter>...``: the test paths of the services among the changed filters."""
    print(" ".join(select([a for a in argv if a in TOKENS])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
