"""Offline Terraform checks: formatting and `terraform test` of the provider-free modules."""

from __future__ import annotations

import re

import pytest

from tests.infra._tf import MODULES, PROVIDER_FREE_MODULES, TF_ROOT, load_hcl
from tests.infra.conftest import TerraformRunner

pytestmark = pytest.mark.infra


def test_terraform_fmt_is_clean(tf: TerraformRunner) -> None:
    result = tf(["fmt", "-check", "-recursive", "-diff", "-no-color"], cwd=TF_ROOT)
    assert result.returncode == 0, f"terraform fmt -check found unformatted files:\n{result.output}"


@pytest.mark.parametrize("module", PROVIDER_FREE_MODULES)
def test_provider_free_module_declares_no_provider(module: str) -> None:
    """`terraform test` only works offline if the module needs no provider at all."""
    for path in sorted((MODULES / module).glob("*.tf")):
        doc = load_hcl(path)
        assert "provider" not in doc, f"{path} configures a provider"
        assert "resource" not in doc and "data" not in doc, f"{path} declares resources"
        for terraform_block in doc.get("terraform", []):
            assert "required_providers" not in terraform_block, f"{path} requires providers"


@pytest.mark.parametrize("module", PROVIDER_FREE_MODULES)
def test_terraform_test_passes_offline(tf: TerraformRunner, module: str) -> None:
    directory = MODULES / module
    test_files = sorted((directory / "tests").glob("*.tftest.hcl"))
    assert test_files, f"modules/{module} has no tests/*.tftest.hcl"
    expected_runs = sum(len(load_hcl(p).get("run", [])) for p in test_files)

    init = tf(["init", "-backend=false", "-input=false", "-no-color"], cwd=directory)
    assert init.returncode == 0, init.output
    result = tf(["test", "-no-color"], cwd=directory, timeout=300)

    assert result.returncode == 0, f"terraform test failed in modules/{module}:\n{result.output}"
    summary = re.search(r"(\d+) passed, (\d+) failed", result.stdout)
    assert summary is not None, result.output
    assert (int(summary.group(1)), int(summary.group(2))) == (expected_runs, 0), result.output


def test_tenant_tests_cover_every_rejection_rule() -> None:
    """Each precondition of the tenants output has an expect_failures run exercising it."""
    runs = load_hcl(MODULES / "tenants" / "tests" / "tenants.tftest.hcl")["run"]
    rejecting = [
        name for entry in runs for name, body in entry.items() if "expect_failures" in body
    ]
    for rule in ("empty", "invalid_tenant_id", "partitions", "file_name", "event_types"):
        assert any(rule in name for name in rejecting), f"no expect_failures run for {rule}"
