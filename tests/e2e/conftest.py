"""Helpers for running the installed console scripts as real processes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(repo: Path) -> Cli:
    """Run a console script of the venv (from the repo root) and capture its output."""

    def run(script: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / script), *args],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run
