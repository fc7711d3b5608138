"""Each layer owns its rules (issue 17): bronze the envelope, silver the contract checks and
upcasts, gold the aggregation. ``libs/common`` holds none of them and imports no service; the DLQ
replayer re-runs bronze's and silver's rules from their own modules; a transform imports only
the batch contract (``lakestream.common.runtime.batch``), its own service and pyspark.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from tests.imports import imported_modules

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMON = REPO_ROOT / "libs" / "common" / "src" / "lakestream" / "common"
SERVICES = REPO_ROOT / "services"
LAYERS = ("bronze", "silver", "gold", "dlq_replayer")
RULES = {
    "parse_envelope": "services/bronze/src/lakestream/bronze/envelope.py",
    "validate_payloads": "services/silver/src/lakestream/silver/validation.py",
    "field_rules": "services/silver/src/lakestream/silver/validation.py",
    "aggregate": "services/gold/src/lakestream/gold/transform.py",
}
"""Each layer rule and the one module that defines it."""
REPLAYED = {"lakestream.bronze.envelope", "lakestream.silver.validation"}
"""The layer rule modules the DLQ replayer imports (and nothing else of another service)."""
CONTRACT = "lakestream.common.runtime.batch"


def _defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "lakestream" and parts[1] in LAYERS else None


CODE = sorted(
    p
    for root in (REPO_ROOT / "libs", SERVICES)
    for p in root.glob("*/src/**/*.py")
    if "/build/" not in p.as_posix()
)
COMMON_CODE = [p for p in CODE if p.is_relative_to(COMMON)]


@pytest.mark.unit
def test_the_walk_finds_common_and_every_layer() -> None:
    names = {p.relative_to(REPO_ROOT).as_posix() for p in CODE}
    assert "libs/common/src/lakestream/common/runtime/batch.py" in names
    assert set(RULES.values()) <= names
    assert COMMON_CODE


@pytest.mark.unit
@pytest.mark.parametrize("path", COMMON_CODE, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_common_imports_no_layer(path: Path) -> None:
    layers = sorted(m for m in imported_modules(path) if _layer(m))
    assert not layers, f"imports {layers}: the core must not depend on a service"


@pytest.mark.unit
def test_the_layer_rule_modules_are_gone_from_common() -> None:
    for name in ("envelope.py", "validation.py", "aggregation.py"):
        assert not list(COMMON.rglob(name)), f"{name} belongs in its service"


@pytest.mark.unit
@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_layer_rule_is_defined_once_in_its_service(rule: str) -> None:
    defined = [p.relative_to(REPO_ROOT).as_posix() for p in CODE if rule in _defined(p)]
    assert defined == [RULES[rule]]


@pytest.mark.unit
@pytest.mark.parametrize("layer", LAYERS)
def test_a_service_imports_another_only_for_the_rules_the_replayer_reruns(layer: str) -> None:
    package = SERVICES / layer / "src" / "lakestream" / layer
    imported = {m for p in package.rglob("*.py") for m in imported_modules(p)}
    others = {m for m in imported if _layer(m) not in (None, layer)}
    assert others == (REPLAYED if layer == "dlq_replayer" else set())


@pytest.mark.unit
@pytest.mark.parametrize("layer", ("bronze", "silver", "gold"))
def test_a_transform_imports_only_the_batch_contract(layer: str) -> None:
    path = SERVICES / layer / "src" / "lakestream" / layer / "transform.py"
    lakestream = {m for m in imported_modules(path) if m.split(".")[0] == "lakestream"}
    own = {m for m in lakestream if _layer(m) == layer}
    assert lakestream - own == {CONTRACT}
    third_party = {
        m.split(".")[0]
        for m in imported_modules(path)
        if m.split(".")[0] not in sys.stdlib_module_names
    }
    assert third_party <= {"lakestream", "pyspark", "__future__"}
