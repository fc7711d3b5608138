"""The tenant derivation (modules/tenants) evaluated by Terraform itself on the real config."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.infra._tf import ENVS, MODULES, TENANTS_DIR, module_calls, variables
from tests.infra.conftest import TerraformRunner

pytestmark = pytest.mark.infra

FIXTURES = MODULES / "tenants" / "tests" / "fixtures"
SERVICES = ("bronze", "replay")


def _derive(tf: TerraformRunner, work: Path, config_dir: Path) -> dict[str, Any]:
    """Apply a throw-away root that calls modules/tenants and return its outputs."""
    root = work / "root"
    root.mkdir(parents=True)
    source = os.path.relpath(MODULES / "tenants", root)
    (root / "main.tf").write_text(
        f"""
module "tenants" {{
  source     = "{source}"
  config_dir = "{config_dir}"
}}

output "derived" {{
  value = {{
    tenant_ids             = module.tenants.tenant_ids
    tenants                = module.tenants.tenants
    hubs                   = module.tenants.hubs
    dedicated_hubs         = module.tenants.dedicated_hubs
    consumer_groups        = module.tenants.consumer_groups
    tenant_consumer_groups = module.tenants.tenant_consumer_groups
    landing_directories    = module.tenants.landing_directories
  }}
}}
""",
        encoding="utf-8",
    )
    init = tf(["init", "-backend=false", "-input=false", "-no-color"], cwd=root)
    assert init.returncode == 0, init.output
    apply = tf(["apply", "-auto-approve", "-no-color"], cwd=root)
    assert apply.returncode == 0, apply.output
    out = tf(["output", "-json"], cwd=root)
    assert out.returncode == 0, out.output
    derived: dict[str, Any] = json.loads(out.stdout)["derived"]["value"]
    return derived


def _tenant_docs(config_dir: Path) -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for path in sorted(config_dir.glob("*.yml")):
        if path.name.startswith(("_", ".")):
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        docs[doc["tenant_id"]] = doc
    return docs


def _config_dirs() -> list[Any]:
    dirs: list[Any] = [pytest.param(FIXTURES / "basic", id="fixture-basic")]
    dirs.append(
        pytest.param(
            TENANTS_DIR,
            id="config-tenants",
            marks=pytest.mark.skipif(
                not any(TENANTS_DIR.glob("*.yml")),
                reason=f"no tenant YAML in {TENANTS_DIR} yet: only the fixtures are checked",
            ),
        )
    )
    return dirs


@pytest.mark.parametrize("config_dir", _config_dirs())
def test_every_tenant_has_its_hub_and_consumer_groups(
    tf: TerraformRunner, tmp_path: Path, config_dir: Path
) -> None:
    derived = _derive(tf, tmp_path, config_dir)
    docs = _tenant_docs(config_dir)

    assert derived["tenant_ids"] == sorted(docs), "every tenant YAML must become a tenant"
    consumer_groups = derived["consumer_groups"]
    for tenant_id, doc in docs.items():
        ingestion = doc.get("ingestion") or {}
        dedicated = bool(ingestion.get("dedicated_hub", False))
        hub = f"events-{tenant_id}" if dedicated else "events"
        routing = derived["tenant_consumer_groups"][tenant_id]
        assert routing["hub"] == hub, f"{tenant_id} must be read from {hub}"
        for service in SERVICES:
            key = f"{hub}/{service}"
            assert key in consumer_groups, f"{tenant_id}: consumer group {key} missing"
            assert consumer_groups[key]["name"] == service
            assert consumer_groups[key]["tenant_id"] == (tenant_id if dedicated else None)
        if dedicated:
            assert derived["dedicated_hubs"][hub]["partitions"] == ingestion.get("partitions", 4)
        assert derived["landing_directories"][tenant_id] == tenant_id

    dedicated_hubs = {
        f"events-{t}" for t, d in docs.items() if (d.get("ingestion") or {}).get("dedicated_hub")
    }
    assert set(derived["hubs"]) == {"events"} | dedicated_hubs
    assert len(consumer_groups) == len(derived["hubs"]) * len(SERVICES)


def test_adding_a_tenant_yaml_adds_its_hub_without_terraform_edits(
    tf: TerraformRunner, tmp_path: Path
) -> None:
    source = TENANTS_DIR if any(TENANTS_DIR.glob("*.yml")) else FIXTURES / "basic"
    config_dir = tmp_path / "tenants"
    shutil.copytree(source, config_dir)
    before = _derive(tf, tmp_path / "before", config_dir)

    (config_dir / "wayne.yml").write_text(
        "tenant_id: wayne\n"
        "display_name: Wayne Enterprises\n"
        "allowed_event_types: [temp_humidity]\n"
        "ingestion:\n"
        "  dedicated_hub: true\n"
        "  partitions: 8\n",
        encoding="utf-8",
    )
    after = _derive(tf, tmp_path / "after", config_dir)

    assert "wayne" not in before["tenant_ids"]
    assert "wayne" in after["tenant_ids"]
    assert set(after["hubs"]) - set(before["hubs"]) == {"events-wayne"}
    assert after["dedicated_hubs"]["events-wayne"] == {"tenant_id": "wayne", "partitions": 8}
    assert set(after["consumer_groups"]) - set(before["consumer_groups"]) == {
        "events-wayne/bronze",
        "events-wayne/replay",
    }
    assert after["landing_directories"]["wayne"] == "wayne"


def test_envs_read_the_repo_tenant_directory_by_default() -> None:
    """config_dir defaults to <modules/tenants>/../../../../config/tenants, the repo's one."""
    tenants_dir = MODULES / "tenants"
    assert (tenants_dir / "../../../../config/tenants").resolve() == TENANTS_DIR
    assert '"${path.module}/../../../../config/tenants"' in (tenants_dir / "main.tf").read_text(
        encoding="utf-8"
    )
    assert variables(ENVS)["config_dir"]["default"] is None
    platform = module_calls(ENVS)["platform"]
    assert platform["config_dir"] == "${var.config_dir}"
    tenants = module_calls(MODULES / "platform")["tenants"]
    assert tenants["config_dir"] == "${var.config_dir}"
    assert tenants["source"] == "../tenants"
