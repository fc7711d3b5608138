"""Check a release tag ``<service>-v<version>`` against ``services/<service>/pyproject.toml``.

Prints ``service=…``, ``package=…`` and ``version=…`` lines (for ``$GITHUB_OUTPUT``) and exits 0
when the tag names a service whose pyproject version is exactly ``<version>``; otherwise prints
why to stderr and exits 1.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TAG = re.compile(r"^(?P<service>[a-z][a-z0-9_]*)-v(?P<version>\d+\.\d+\.\d+\S*)$")


@dataclass(frozen=True)
class Release:
    """What a tag deploys."""

    service: str
    package: str
    version: str


def check(tag: str, repo_root: Path = REPO_ROOT) -> Release:
    """The release a tag names; ValueError when the tag and the pyproject disagree."""
    match = TAG.match(tag)
    if match is None:
        raise ValueError(f"tag {tag!r} is not <service>-v<major>.<minor>.<patch>")
    service, version = match["service"], match["version"]
    pyproject = repo_root / "services" / service / "pyproject.toml"
    if not pyproject.is_file():
        known = sorted(p.parent.name for p in (repo_root / "services").glob("*/pyproject.toml"))
        raise ValueError(f"tag {tag!r}: no service {service!r} (services: {', '.join(known)})")
    with pyproject.open("rb") as handle:
        project = tomllib.load(handle)["project"]
    if project["version"] != version:
        raise ValueError(
            f"tag {tag!r} says {version} but {pyproject.relative_to(repo_root)} has "
            f"version {project['version']}: bump the pyproject or fix the tag"
        )
    return Release(service, project["name"], version)


def main(argv: list[str]) -> int:
    """``check_tag_version.py <tag>``."""
    if len(argv) != 1:
        print("usage: check_tag_version.py <service>-v<version>", file=sys.stderr)
        return 2
    try:
        release = check(argv[0])
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"service={release.service}")
    print(f"package={release.package}")
    print(f"version={release.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
