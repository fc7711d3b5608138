"""Offline checks of the Databricks Asset Bundles (the databricks CLI cannot be installed here).

One bundle per service (`services/<svc>/databricks.yml`), the maintenance bundle (only the common
wheel: `lakestream-maintain`, `lakestream-selftest`, `lakestream-reconcile`) and a root bundle
with all of them.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from lakestream.common.jobs.entry import maintain_parser, reconcile_parser, selftest_parser
from lakestream.dlq_replayer.job import replay_parser
from tests.infra._tf import REPO_ROOT

pytestmark = pytest.mark.infra

SERVICES = {
    "bronze": "lakestream-bronze",
    "silver": "lakestream-silver",
    "gold": "lakestream-gold",
    "dlq_replayer": "lakestream-dlq-replayer",
}
STREAMING = {"bronze", "silver", "gold"}
COMMON = "lakestream-common"
TARGETS = {"dev": "development", "staging": "production", "prod": "production"}
VAR_REF = re.compile(r"\$\{var\.([A-Za-z0-9_]+)\}")
DEPLOY_WORKFLOW = REPO_ROOT / ".github" / "workflows" / "deploy.yml"


@dataclass(frozen=True)
class Node:
    """A value of a bundle file and the file it was read from (relative paths resolve there)."""

    value: Any
    file: Path


@dataclass
class Bundle:
    """A bundle root file with every file it includes."""

    root: Path
    config: dict[str, Any]
    files: dict[Path, dict[str, Any]]

    @property
    def directory(self) -> Path:
        """Bundle root directory."""
        return self.root.parent

    def jobs(self) -> dict[str, Node]:
        """Every job of every included file."""
        found: dict[str, Node] = {}
        for file, doc in self.files.items():
            for key, job in ((doc.get("resources") or {}).get("jobs") or {}).items():
                assert key not in found, f"job {key} defined twice"
                found[key] = Node(job, file)
        return found

    def strings(self) -> Iterator[Node]:
        """Every string value of every file of the bundle."""
        for file, doc in self.files.items():
            yield from (Node(s, file) for s in _strings(doc))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def load_bundle(root: Path) -> Bundle:
    """Load ``databricks.yml`` and every file its ``include`` globs match."""
    config = yaml.safe_load(root.read_text(encoding="utf-8"))
    files = {root: config}
    for pattern in config.get("include", []):
        matched = sorted(root.parent.glob(pattern))
        assert matched, f"{root}: include {pattern} matches no file"
        for path in matched:
            files[path] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Bundle(root, config, files)


def project_scripts(directory: Path) -> tuple[str, dict[str, str]]:
    """(distribution name, console scripts) from a project's pyproject.toml."""
    with (directory / "pyproject.toml").open("rb") as handle:
        project = tomllib.load(handle)["project"]
    return project["name"], project.get("scripts", {})


def service_scripts(service: str) -> tuple[str, dict[str, str]]:
    """(distribution name, console scripts) of a service."""
    return project_scripts(REPO_ROOT / "services" / service)


def service_requirements(service: str) -> set[str]:
    """lakestream distributions a service requires (its bundle ships their wheels too)."""
    with (REPO_ROOT / "services" / service / "pyproject.toml").open("rb") as handle:
        dependencies = tomllib.load(handle)["project"]["dependencies"]
    names = {re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0] for d in dependencies}
    return {n for n in names if n.startswith("lakestream-")}


def deploy_inputs() -> set[str]:
    """Bundle variables the deploy workflow supplies as ``BUNDLE_VAR_<name>``."""
    workflow = yaml.safe_load(DEPLOY_WORKFLOW.read_text(encoding="utf-8"))
    names: set[str] = set()
    for job in workflow["jobs"].values():
        for key in (job.get("env") or {}) | (workflow.get("env") or {}):
            if key.startswith("BUNDLE_VAR_"):
                names.add(key.removeprefix("BUNDLE_VAR_"))
    return names


def wheel_builds(bundle: Bundle) -> list[tuple[str, Path]]:
    """(distribution, resolved output directory) of every `uv build` in the artifacts."""
    builds = []
    for artifact in bundle.config.get("artifacts", {}).values():
        base = (bundle.directory / artifact["path"]).resolve()
        for line in artifact["build"].splitlines():
            words = shlex.split(line)
            if words[:2] == ["uv", "build"]:
                package = words[words.index("--package") + 1]
                out = words[words.index("--out-dir") + 1]
                builds.append((package, (base / out).resolve()))
    return builds


def wheel_libraries(bundle: Bundle) -> list[Path]:
    """Every ``libraries: - whl:`` path, resolved against its file."""
    paths = []
    for node in bundle.jobs().values():
        for task in node.value["tasks"]:
            for library in task.get("libraries", []):
                paths.append((node.file.parent / library["whl"]).resolve())
    return paths


SERVICE_BUNDLES = {svc: REPO_ROOT / "services" / svc / "databricks.yml" for svc in SERVICES}
MAINTENANCE_BUNDLE = REPO_ROOT / "services" / "maintenance" / "databricks.yml"
ALL_BUNDLES = {
    **SERVICE_BUNDLES,
    "maintenance": MAINTENANCE_BUNDLE,
    "root": REPO_ROOT / "databricks.yml",
}


@pytest.fixture(scope="module", params=list(ALL_BUNDLES))
def bundle(request: pytest.FixtureRequest) -> Bundle:
    """Each bundle, loaded with its includes."""
    return load_bundle(ALL_BUNDLES[request.param])


@pytest.fixture(scope="module", params=list(SERVICE_BUNDLES))
def service_bundle(request: pytest.FixtureRequest) -> tuple[str, Bundle]:
    """(service, its own bundle)."""
    return request.param, load_bundle(SERVICE_BUNDLES[request.param])


def test_bundle_names_targets_and_modes(bundle: Bundle) -> None:
    assert bundle.config["bundle"]["name"].startswith("lakestream")
    targets = bundle.config["targets"]
    assert {name: t.get("mode") for name, t in targets.items()} == TARGETS
    assert [name for name, t in targets.items() if t.get("default")] == ["dev"]
    assert "service_principal_name" in bundle.config["run_as"]


def test_every_variable_is_declared_and_has_a_value_in_every_target(bundle: Bundle) -> None:
    declared: dict[str, Any] = bundle.config["variables"]
    used = {name for node in bundle.strings() for name in VAR_REF.findall(node.value)}
    assert used <= set(declared), f"undeclared: {sorted(used - set(declared))}"
    assert set(declared) <= used, f"declared but unused: {sorted(set(declared) - used)}"
    supplied = deploy_inputs()
    for target_name, target in bundle.config["targets"].items():
        values = target.get("variables") or {}
        assert set(values) <= set(declared), f"{target_name}: unknown {set(values) - set(declared)}"
        for name, spec in declared.items():
            has_value = "default" in spec or name in values or name in supplied
            assert has_value, f"target {target_name}: variable {name} has no value"


def test_referenced_files_exist(bundle: Bundle) -> None:
    for artifact in bundle.config["artifacts"].values():
        assert (bundle.directory / artifact["path"] / "pyproject.toml").is_file()
    for path in bundle.config["sync"]["paths"]:
        assert (bundle.directory / path).resolve() == REPO_ROOT / "config"
    outputs = {out for _, out in wheel_builds(bundle)}
    for library in wheel_libraries(bundle):
        assert library.parent in outputs, f"{library} is not where an artifact builds wheels"
    for artifact in bundle.config["artifacts"].values():
        for file in artifact["files"]:
            assert (bundle.directory / file["source"]).resolve().parent in outputs


def test_wheel_tasks_name_a_declared_package_and_entry_point(bundle: Bundle) -> None:
    declared = dict(service_scripts(svc) for svc in SERVICES)
    declared.update([project_scripts(REPO_ROOT / "libs" / "common")])
    tasks = [t for node in bundle.jobs().values() for t in node.value["tasks"]]
    assert tasks
    for task in tasks:
        wheel_task = task["python_wheel_task"]
        package = wheel_task["package_name"]
        assert package in declared, package
        assert wheel_task["entry_point"] in declared[package]
        libraries = {p.name.split("-")[0] for p in wheel_libraries(bundle)}
        assert package.replace("-", "_") in libraries
        assert COMMON.replace("-", "_") in libraries


def test_a_service_bundle_holds_its_own_job_and_no_other_services_code(
    service_bundle: tuple[str, Bundle],
) -> None:
    service, bundle = service_bundle
    distribution, scripts = service_scripts(service)
    shipped = {COMMON, distribution, *service_requirements(service)}
    assert {package for package, _ in wheel_builds(bundle)} == shipped
    wheels = {p.name.split("-")[0] for p in wheel_libraries(bundle)}
    assert wheels == {d.replace("-", "_") for d in shipped}
    for file in bundle.files:
        assert file.is_relative_to(bundle.directory)
    others = [REPO_ROOT / "services" / s for s in SERVICES if s != service]
    for node in bundle.strings():
        if "/" in node.value and "$" not in node.value and "{" not in node.value:
            for word in node.value.split():
                resolved = (node.file.parent / word).resolve()
                assert not any(resolved.is_relative_to(o) for o in others), node.value
    (task,) = [t for node in bundle.jobs().values() for t in node.value["tasks"]]
    assert task["python_wheel_task"]["package_name"] == distribution
    assert task["python_wheel_task"]["entry_point"] in scripts


def test_the_dlq_replayer_ships_the_bronze_and_silver_wheels_whose_rules_it_reruns() -> None:
    assert service_requirements("dlq_replayer") == {COMMON, SERVICES["bronze"], SERVICES["silver"]}
    for path in (SERVICE_BUNDLES["dlq_replayer"], ALL_BUNDLES["root"]):
        bundle = load_bundle(path)
        (job,) = [n.value for k, n in bundle.jobs().items() if k == "dlq_replay"]
        (task,) = job["tasks"]
        installed = {Path(lib["whl"]).name.split("-")[0] for lib in task["libraries"]}
        assert installed == {
            "lakestream_common",
            "lakestream_bronze",
            "lakestream_silver",
            "lakestream_dlq_replayer",
        }
        outputs = {
            package for package, out in wheel_builds(bundle) if out.name == "bundle-dlq-replayer"
        }
        assert outputs == {COMMON, SERVICES["bronze"], SERVICES["silver"], SERVICES["dlq_replayer"]}
    for streaming in sorted(STREAMING):
        assert service_requirements(streaming) == {COMMON}, streaming


def test_root_bundle_deploys_every_layer() -> None:
    bundle = load_bundle(ALL_BUNDLES["root"])
    packages = {
        t["python_wheel_task"]["package_name"]
        for n in bundle.jobs().values()
        for t in n.value["tasks"]
    }
    assert packages == {COMMON, *SERVICES.values()}
    assert {p for p, _ in wheel_builds(bundle)} == {COMMON, *SERVICES.values()}


@pytest.mark.parametrize("service", sorted(STREAMING))
def test_streaming_jobs_run_continuously_from_the_cluster_policy(service: str) -> None:
    bundle = load_bundle(SERVICE_BUNDLES[service])
    ((key, node),) = bundle.jobs().items()
    job = node.value
    assert job["continuous"]["pause_status"] == "${var.pause_status}"
    assert job["continuous"]["task_retry_mode"] == "ON_FAILURE"
    assert job["max_concurrent_runs"] == 1
    assert job["email_notifications"]["on_failure"] == ["${var.failure_email}"]
    assert {p["level"] for p in job["permissions"]} == {"CAN_MANAGE_RUN"}
    (cluster,) = job["job_clusters"]
    spec = cluster["new_cluster"]
    assert spec["policy_id"] == "${var.cluster_policy_id}"
    assert spec["data_security_mode"] == "SINGLE_USER"
    env = spec["spark_env_vars"]
    assert env["LAKESTREAM_BACKEND"] == "delta-spark"
    assert env["LAKESTREAM_CATALOG"] == "${var.catalog}"
    assert env["AZURE_CLIENT_SECRET"] == "{{secrets/${var.secret_scope}/azure-client-secret}}"
    (task,) = job["tasks"]
    assert "max_retries" not in task, (
        "continuous jobs retry with back-off; task retries are refused"
    )
    assert task["job_cluster_key"] == cluster["job_cluster_key"]
    parameters = task["python_wheel_task"]["parameters"]
    assert parameters == [
        "--env=${var.env}",
        "--root=${var.storage_root}",
        "--config-dir=${workspace.file_path}/config",
    ]
    assert key == service


def test_bronze_reads_event_hubs_with_its_consumer_group() -> None:
    env = next(iter(load_bundle(SERVICE_BUNDLES["bronze"]).jobs().values())).value
    variables = env["job_clusters"][0]["new_cluster"]["spark_env_vars"]
    assert variables["LAKESTREAM_SOURCE"] == "eventhubs"
    assert variables["LAKESTREAM_EVENTHUBS_NAMESPACE"] == "${var.eventhubs_namespace}"
    assert variables["LAKESTREAM_EVENTHUBS_CONSUMER_GROUP"] == "bronze"


def test_dlq_replay_is_an_on_demand_dry_run_by_default() -> None:
    bundle = load_bundle(SERVICE_BUNDLES["dlq_replayer"])
    job = bundle.jobs()["dlq_replay"].value
    assert "continuous" not in job and "schedule" not in job and "trigger" not in job
    (task,) = job["tasks"]
    assert task["max_retries"] == 0
    assert task["python_wheel_task"]["parameters"][0] == "replay"
    assert "--dry-run" in task["python_wheel_task"]["parameters"]
    parsed = replay_parser().parse_args(task["python_wheel_task"]["parameters"])
    assert (parsed.command, parsed.status, parsed.dry_run) == ("replay", "pending", True)
    env = job["job_clusters"][0]["new_cluster"]["spark_env_vars"]
    assert {"LAKESTREAM_ENV", "LAKESTREAM_ROOT", "LAKESTREAM_CONFIG_DIR"} <= set(env)


def test_maintenance_runs_lakestream_maintain_daily_with_only_the_common_wheel() -> None:
    bundle = load_bundle(MAINTENANCE_BUNDLE)
    assert {package for package, _ in wheel_builds(bundle)} == {COMMON}
    assert {p.name.split("-")[0] for p in wheel_libraries(bundle)} == {COMMON.replace("-", "_")}
    job = bundle.jobs()["maintenance"].value
    assert "continuous" not in job and "trigger" not in job
    assert job["schedule"] == {
        "quartz_cron_expression": "0 0 3 * * ?",
        "timezone_id": "UTC",
        "pause_status": "${var.pause_status}",
    }
    assert job["max_concurrent_runs"] == 1
    assert job["email_notifications"]["on_failure"] == ["${var.failure_email}"]
    env = job["job_clusters"][0]["new_cluster"]["spark_env_vars"]
    assert env["LAKESTREAM_BACKEND"] == "delta-spark"
    assert env["LAKESTREAM_CATALOG"] == "${var.catalog}"
    (task,) = job["tasks"]
    wheel_task = task["python_wheel_task"]
    assert (wheel_task["package_name"], wheel_task["entry_point"]) == (
        COMMON,
        "lakestream-maintain",
    )
    options = wheel_task["parameters"]
    assert "--retention-hours=${var.retention_hours}" in options
    assert int(bundle.config["variables"]["retention_hours"]["default"]) >= 168
    deployed = {"${var.retention_hours}": "168", "${workspace.file_path}": str(REPO_ROOT)}
    sample = list(options)
    for variable, value in deployed.items():
        sample = [o.replace(variable, value) for o in sample]
    parsed = maintain_parser().parse_args(sample)
    assert (parsed.layer, parsed.compact, parsed.vacuum) == ("all", True, True)
    assert (parsed.dry_run, parsed.force_retention, parsed.retention_hours) == (False, False, 168)


def test_selftest_is_an_on_demand_job_of_the_common_wheel_against_the_real_hub() -> None:
    for path in (MAINTENANCE_BUNDLE, ALL_BUNDLES["root"]):
        job = load_bundle(path).jobs()["selftest"].value
        assert "continuous" not in job and "schedule" not in job and "trigger" not in job
        (task,) = job["tasks"]
        assert task["max_retries"] == 0
        wheel_task = task["python_wheel_task"]
        assert (wheel_task["package_name"], wheel_task["entry_point"]) == (
            COMMON,
            "lakestream-selftest",
        )
        options = wheel_task["parameters"]
        assert "--wait-for-jobs" in options
        sample = [o.replace("${workspace.file_path}", str(REPO_ROOT)) for o in options]
        parsed = selftest_parser().parse_args(sample)
        assert (parsed.run_layers, parsed.wait) == (False, 1800)
        assert "--env=${var.env}" in options and "--root=${var.storage_root}" in options
        env = job["job_clusters"][0]["new_cluster"]["spark_env_vars"]
        assert env["LAKESTREAM_BACKEND"] == "delta-spark"
        assert env["LAKESTREAM_CATALOG"] == "${var.catalog}"
        assert env["LAKESTREAM_SOURCE"] == "eventhubs"
        assert env["LAKESTREAM_EVENTHUBS_HUB"] == "${var.eventhubs_hub}"


def test_reconcile_is_an_on_demand_job_on_spark_and_unity_catalog() -> None:
    for path in (MAINTENANCE_BUNDLE, ALL_BUNDLES["root"]):
        job = load_bundle(path).jobs()["reconcile"].value
        assert "continuous" not in job and "schedule" not in job and "trigger" not in job
        assert job["email_notifications"]["on_failure"] == ["${var.failure_email}"]
        (task,) = job["tasks"]
        assert task["max_retries"] == 0
        wheel_task = task["python_wheel_task"]
        assert (wheel_task["package_name"], wheel_task["entry_point"]) == (
            COMMON,
            "lakestream-reconcile",
        )
        options = wheel_task["parameters"]
        sample = [o.replace("${workspace.file_path}", str(REPO_ROOT)) for o in options]
        assert reconcile_parser().parse_args(sample).since is None
        assert "--env=${var.env}" in options and "--root=${var.storage_root}" in options
        env = job["job_clusters"][0]["new_cluster"]["spark_env_vars"]
        assert env["LAKESTREAM_BACKEND"] == "delta-spark"
        assert env["LAKESTREAM_CATALOG"] == "${var.catalog}"
