"""The GitHub Actions workflows (ci, deploy) and their helper scripts."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.infra._tf import REPO_ROOT

pytestmark = pytest.mark.infra

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
SCRIPTS = REPO_ROOT / ".github" / "scripts"
SERVICES = ("bronze", "silver", "gold", "dlq_replayer")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@([0-9a-f]{40}|v\d+\.\d+\.\d+)$")


def load(name: str) -> dict[Any, Any]:
    """A workflow file. YAML 1.1 reads the key `on` as True: map it back."""
    doc: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def script(name: str) -> ModuleType:
    """Import a helper script from .github/scripts."""
    spec = importlib.util.spec_from_file_location(f"ci_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    """Steps of a job."""
    return list(job.get("steps", []))


def runs(job: dict[str, Any]) -> str:
    """Every `run:` of a job, joined."""
    return "\n".join(s.get("run", "") for s in steps(job))


@pytest.fixture(scope="module")
def ci() -> dict[Any, Any]:
    """ci.yml."""
    return load("ci.yml")


@pytest.fixture(scope="module")
def deploy() -> dict[Any, Any]:
    """deploy.yml."""
    return load("deploy.yml")


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_every_action_is_pinned_and_permissions_are_read_only_by_default(name: str) -> None:
    workflow = load(name)
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        for step in steps(job):
            if "uses" in step:
                assert PINNED.match(step["uses"]), step["uses"]


def test_ci_triggers_and_jobs(ci: dict[Any, Any]) -> None:
    assert set(ci["on"]) == {"pull_request", "push"}
    assert ci["on"]["push"]["branches"] == ["main"]
    jobs = ci["jobs"]
    assert set(jobs) == {"changes", "lint", "test-all", "test-services", "wheels"}
    assert "make lint typecheck" in runs(jobs["lint"])
    assert "make test" in runs(jobs["test-all"]).splitlines()
    assert "select_tests.py" in runs(jobs["test-services"])
    for package in ["lakestream-common", *(f"lakestream-{s.replace('_', '-')}" for s in SERVICES)]:
        assert package in runs(jobs["wheels"])
    assert "uv build --package" in runs(jobs["wheels"])


def test_ci_path_filters_run_everything_for_common_and_one_service_otherwise(
    ci: dict[Any, Any],
) -> None:
    jobs = ci["jobs"]
    (paths_filter,) = [s for s in steps(jobs["changes"]) if "paths-filter" in s.get("uses", "")]
    filters = yaml.safe_load(paths_filter["with"]["filters"])
    assert {"libs/**", "config/**", "uv.lock", "pyproject.toml", ".github/**"} <= set(
        filters["common"]
    )
    assert not any(p.startswith("services/") for p in filters["common"])
    for service in SERVICES:
        assert filters[service] == [f"services/{service}/**"]
    assert jobs["test-all"]["if"] == "needs.changes.outputs.common == 'true'"
    assert "needs.changes.outputs.common != 'true'" in jobs["test-services"]["if"]
    assert jobs["test-all"]["needs"] == jobs["test-services"]["needs"] == "changes"


def test_makefile_test_target_is_the_readme_command() -> None:
    assert "make test" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^test:", (REPO_ROOT / "Makefile").read_text(encoding="utf-8"), re.M)


def test_deploy_triggers_on_service_tags_only(deploy: dict[Any, Any]) -> None:
    assert set(deploy["on"]) == {"push"}
    assert set(deploy["on"]["push"]) == {"tags"}
    assert sorted(deploy["on"]["push"]["tags"]) == sorted(f"{s}-v*" for s in SERVICES)
    check = deploy["jobs"]["check"]
    assert "check_tag_version.py" in runs(check)
    assert set(check["outputs"]) >= {"service", "version"}


@pytest.mark.parametrize(("job_name", "target"), [("staging", "staging"), ("prod", "prod")])
def test_deploy_jobs_use_oidc_validate_then_deploy_the_tagged_service(
    deploy: dict[Any, Any], job_name: str, target: str
) -> None:
    job = deploy["jobs"][job_name]
    assert job["environment"] == target
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    (login,) = [s for s in steps(job) if s.get("uses", "").startswith("azure/login@")]
    assert set(login["with"]) >= {"client-id", "tenant-id"}
    assert "creds" not in login["with"] and "client-secret" not in login["with"]
    text = yaml.safe_dump(job)
    assert "secrets." not in text and "DATABRICKS_TOKEN" not in text
    assert job["env"]["DATABRICKS_AUTH_TYPE"] == "azure-cli"
    commands = [s["run"] for s in steps(job) if "run" in s]
    assert commands == [
        f"databricks bundle validate -t {target}",
        f"databricks bundle deploy -t {target}",
    ]
    directory = job["defaults"]["run"]["working-directory"]
    assert directory == "services/${{ needs.check.outputs.service }}"


def test_prod_waits_for_staging(deploy: dict[Any, Any]) -> None:
    assert deploy["jobs"]["staging"]["needs"] == "check"
    assert set(deploy["jobs"]["prod"]["needs"]) == {"check", "staging"}


def test_tag_must_match_the_service_pyproject_version(tmp_path: Path) -> None:
    check_tag_version = script("check_tag_version")
    service = tmp_path / "services" / "silver"
    service.mkdir(parents=True)
    (service / "pyproject.toml").write_text(
        '[project]\nname = "lakestream-silver"\nversion = "1.4.2"\n', encoding="utf-8"
    )
    release = check_tag_version.check("silver-v1.4.2", tmp_path)
    assert (release.service, release.package, release.version) == (
        "silver",
        "lakestream-silver",
        "1.4.2",
    )
    with pytest.raises(ValueError, match=r"says 1\.4\.3 but .* has version 1\.4\.2"):
        check_tag_version.check("silver-v1.4.3", tmp_path)
    with pytest.raises(ValueError, match="no service 'gold'"):
        check_tag_version.check("gold-v1.4.2", tmp_path)
    for malformed in ["silver-1.4.2", "silver-v1.4", "v1.4.2", "Silver-v1.4.2"]:
        with pytest.raises(ValueError, match="is not <service>-v"):
            check_tag_version.check(malformed, tmp_path)


def test_tag_script_prints_github_outputs_for_the_real_services(
    capsys: pytest.CaptureFixture[str],
) -> None:
    check_tag_version = script("check_tag_version")
    release = check_tag_version.check(f"bronze-v{_version('bronze')}")
    assert check_tag_version.main([f"bronze-v{release.version}"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "service=bronze",
        "package=lakestream-bronze",
        f"version={release.version}",
    ]
    assert check_tag_version.main(["bronze-v999.0.0"]) == 1
    assert "bump the pyproject" in capsys.readouterr().err


def _version(service: str) -> str:
    text = (REPO_ROOT / "services" / service / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"', text, re.M)
    assert match
    return match.group(1)


def test_select_tests_keeps_common_tests_and_the_changed_services(tmp_path: Path) -> None:
    select_tests = script("select_tests")
    for folder, names in {
        "tests/unit": ["test_settings.py"],
        "tests/spark": ["test_chain.py", "test_silver_dedup.py", "test_gold_late.py"],
        "tests/e2e": ["test_dlq_cli.py"],
    }.items():
        (tmp_path / folder).mkdir(parents=True)
        for name in names:
            (tmp_path / folder / name).write_text("", encoding="utf-8")
    chosen = select_tests.select(["silver"], tmp_path)
    assert "tests/unit/test_settings.py" in chosen
    assert "tests/spark/test_chain.py" in chosen
    assert "tests/spark/test_silver_dedup.py" in chosen
    assert "tests/spark/test_gold_late.py" not in chosen
    assert "tests/e2e/test_dlq_cli.py" not in chosen
    assert "tests/infra/test_bundles.py" in chosen
    assert "tests/e2e/test_dlq_cli.py" in select_tests.select(["dlq_replayer"], tmp_path)
    with pytest.raises(ValueError, match="unknown service"):
        select_tests.select(["platinum"], tmp_path)


def test_workflow_shell_steps_parse(ci: dict[Any, Any], deploy: dict[Any, Any]) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash not found")
    for workflow in (ci, deploy):
        for job in workflow["jobs"].values():
            for step in steps(job):
                if "run" in step:
                    result = subprocess.run(
                        [bash, "-n"], input=step["run"], text=True, capture_output=True, check=False
                    )
                    assert result.returncode == 0, (step["run"], result.stderr)
