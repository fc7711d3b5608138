"""`terraform init -backend=false && terraform validate` of the env root and provider modules.

Needs the azurerm, azuread and databricks providers; where `terraform init` cannot fetch them
(as on the offline build machines) every test here is skipped with the reason.
"""

from __future__ import annotations

import pytest

from tests.infra._tf import MODULES, PROVIDER_FREE_MODULES, run
from tests.infra.conftest import ProviderWorkspace

pytestmark = [pytest.mark.infra, pytest.mark.needs_terraform_providers]

PROVIDER_MODULES = sorted(
    p.name for p in MODULES.iterdir() if p.is_dir() and p.name not in PROVIDER_FREE_MODULES
)


def _init_and_validate(workspace: ProviderWorkspace, terraform: str, relative: str) -> None:
    directory = workspace.root / relative
    init = run(
        [terraform, "init", "-backend=false", "-input=false", "-no-color"],
        cwd=directory,
        env={**workspace.env, "TF_DATA_DIR": str(directory / ".terraform")},
        timeout=300,
    )
    assert init.returncode == 0, init.output
    validate = run(
        [terraform, "validate", "-no-color"],
        cwd=directory,
        env={**workspace.env, "TF_DATA_DIR": str(directory / ".terraform")},
        timeout=300,
    )
    assert validate.returncode == 0, validate.output


def test_env_root_validates(provider_workspace: ProviderWorkspace, terraform: str) -> None:
    """One root serves dev, staging and prod (their values are not read by validate)."""
    _init_and_validate(provider_workspace, terraform, "envs")


@pytest.mark.parametrize("module", PROVIDER_MODULES)
def test_module_validates(
    provider_workspace: ProviderWorkspace, terraform: str, module: str
) -> None:
    _init_and_validate(provider_workspace, terraform, f"modules/{module}")
