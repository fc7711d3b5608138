"""Fixtures of the infrastructure tests (Terraform binary, providers, uv)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.infra._tf import REPO_ROOT, TF_ROOT, Run, run, terraform_binary, terraform_env

TerraformRunner = Callable[..., Run]

PROVIDER_INIT_TIMEOUT_S = 60.0


@pytest.fixture(scope="session")
def terraform() -> str:
    """The terraform binary; skips the binary checks (with the reason) when it is missing."""
    path = terraform_binary()
    if path is None:
        pytest.skip("terraform binary not found on PATH: Terraform-binary checks skipped")
    return path


@pytest.fixture(scope="session")
def tf_scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Scratch directory for Terraform data dirs, state and an empty CLI config."""
    scratch = tmp_path_factory.mktemp("terraform")
    (scratch / "terraformrc").write_text("", encoding="utf-8")
    return scratch


@pytest.fixture(scope="session")
def tf(terraform: str, tf_scratch: Path) -> TerraformRunner:
    """Run `terraform <args>` in a directory, with its data dir under tmp (the repo stays clean).

    Runs in the same directory share one data dir, so `init` then `apply` work as usual.
    """
    data_dirs: dict[Path, Path] = {}

    def _run(args: Sequence[str], cwd: Path, timeout: float = 120.0) -> Run:
        data_dir = data_dirs.setdefault(cwd.resolve(), tf_scratch / f"data-{len(data_dirs)}")
        env = terraform_env(data_dir, tf_scratch / "terraformrc")
        return run([terraform, *args], cwd=cwd, env=env, timeout=timeout)

    return _run


@dataclass(frozen=True)
class ProviderWorkspace:
    """A scratch copy of infra/terraform whose providers could be installed."""

    root: Path
    env: dict[str, str]


def _first_error(text: str, limit: int = 400) -> str:
    """The first `Error:` paragraph of Terraform's output, on one line."""
    lines = [line.strip(" │╷╵") for line in text.splitlines()]
    for i, line in enumerate(lines):
        if line.startswith("Error:"):
            paragraph: list[str] = []
            for following in lines[i:]:
                if not following and len(paragraph) > 1:
                    break
                if following:
                    paragraph.append(following)
            return " ".join(paragraph)[:limit]
    meaningful = [line for line in lines if line]
    return meaningful[-1][:limit] if meaningful else "no output"


@pytest.fixture(scope="session")
def provider_workspace(
    terraform: str, tf_scratch: Path, tmp_path_factory: pytest.TempPathFactory
) -> ProviderWorkspace:
    """Try `terraform init -backend=false` once per session; skip with the reason if it fails.

    The tree is copied (with config/ linked next to it, as in the repo) so that init's lock
    file and .terraform directories never land in the repository.
    """
    work = tmp_path_factory.mktemp("providers")
    shutil.copytree(
        TF_ROOT, work / "infra" / "terraform", ignore=shutil.ignore_patterns(".terraform*")
    )
    (work / "config").symlink_to(REPO_ROOT / "config", target_is_directory=True)
    cache = tf_scratch / "plugin-cache"
    cache.mkdir(exist_ok=True)
    env = terraform_env(tf_scratch / "init-probe", tf_scratch / "terraformrc")
    env["TF_PLUGIN_CACHE_DIR"] = str(cache)
    probe_dir = work / "infra" / "terraform" / "envs"
    try:
        result = run(
            [terraform, "init", "-backend=false", "-input=false", "-no-color"],
            cwd=probe_dir,
            env=env,
            timeout=PROVIDER_INIT_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(
            f"azurerm/azuread/databricks providers cannot be installed here: "
            f"terraform init -backend=false timed out after {PROVIDER_INIT_TIMEOUT_S:.0f}s"
        )
    if result.returncode != 0:
        pytest.skip(
            "azurerm/azuread/databricks providers cannot be installed here "
            f"(terraform init -backend=false failed: {_first_error(result.stderr + result.stdout)})"
        )
    return ProviderWorkspace(root=work / "infra" / "terraform", env=env)


@pytest.fixture(scope="session")
def uv() -> str:
    """uv, as bootstrapped by `make setup` (.tools/bin/uv) or on PATH; skip when missing."""
    bootstrapped = REPO_ROOT / ".tools" / "bin" / "uv"
    if bootstrapped.is_file():
        return str(bootstrapped)
    found = shutil.which("uv")
    if found is None:
        pytest.skip("uv not found (.tools/bin/uv or PATH; run `make setup`): checkov scan skipped")
    return found
