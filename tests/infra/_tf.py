"""Helpers shared by the infrastructure tests: paths, the HCL loader and Terraform runs."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

REPO_ROOT = Path(__file__).resolve().parents[2]
TF_ROOT = REPO_ROOT / "infra" / "terraform"
MODULES = TF_ROOT / "modules"
# One root module for every environment; envs/<env>/ holds only that environment's values.
ENVS = TF_ROOT / "envs"
ENV_NAMES = ("dev", "staging", "prod")
TENANTS_DIR = REPO_ROOT / "config" / "tenants"
AREAS = ("landing", "bronze", "silver", "gold", "dlq", "audit", "checkpoints")
PROVIDER_FREE_MODULES = ("naming", "tenants")

HclDoc = dict[str, Any]


def _strip(value: Any) -> Any:
    """Undo python-hcl2 quoting: labels and strings come back as '"text"' in some versions."""
    if isinstance(value, str):
        if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
            return value[1:-1]
        return value
    if isinstance(value, list):
        return [_strip(v) for v in value]
    if isinstance(value, dict):
        return {
            _strip(k): _strip(v)
            for k, v in value.items()
            if k not in ("__is_block__", "__comments__", "__inline_comments__")
        }
    return value


def load_hcl_text(text: str) -> HclDoc:
    """Parse HCL text into plain Python values (strings unquoted, expressions as '${...}')."""
    try:
        from hcl2 import SerializationOptions

        options = SerializationOptions(
            strip_string_quotes=True, explicit_blocks=False, with_comments=False
        )
        doc = hcl2.loads(text, serialization_options=options)
    except ImportError:  # python-hcl2 < 8
        doc = hcl2.loads(text)
    parsed: HclDoc = _strip(doc)
    return parsed


@cache
def load_hcl(path: Path) -> HclDoc:
    """Parse one .tf / .tfvars / .tftest.hcl file."""
    return load_hcl_text(path.read_text(encoding="utf-8"))


def env_files(env: str) -> dict[str, Path]:
    """The value files of one environment: committed sizing, the local values' example, backend."""
    return {
        "env": ENVS / env / "env.tfvars",
        "example": ENVS / env / "terraform.tfvars.example",
        "backend": ENVS / env / "backend.hcl",
    }


def env_values(env: str) -> dict[str, Any]:
    """Every value an environment sets: its env.tfvars plus its terraform.tfvars.example."""
    files = env_files(env)
    return {**load_hcl(files["example"]), **load_hcl(files["env"])}


def tf_files(directory: Path) -> list[Path]:
    """The .tf files of one Terraform module (not recursive)."""
    return sorted(directory.glob("*.tf"))


def all_tf_files() -> list[Path]:
    """Every .tf file under infra/terraform."""
    return sorted(p for p in TF_ROOT.rglob("*.tf") if ".terraform" not in p.parts)


@dataclass(frozen=True)
class Block:
    """One labelled block (resource, data, module, variable, output) of a module."""

    kind: str
    labels: tuple[str, ...]
    body: dict[str, Any]
    path: Path

    @property
    def address(self) -> str:
        return ".".join(self.labels)


def blocks(kind: str, files: Sequence[Path]) -> Iterator[Block]:
    """Blocks of a kind: resources/data come as {type: {name: body}}, the others as {name: body}."""
    for path in files:
        for entry in load_hcl(path).get(kind, []):
            for first, inner in entry.items():
                if kind in ("resource", "data"):
                    for name, body in inner.items():
                        yield Block(kind, (first, name), body, path)
                else:
                    yield Block(kind, (first,), inner, path)


def resources(module: str | Path, rtype: str | None = None) -> list[Block]:
    """Resources of one module directory (by name under modules/ or as a path)."""
    directory = MODULES / module if isinstance(module, str) else module
    found = list(blocks("resource", tf_files(directory)))
    return [b for b in found if rtype is None or b.labels[0] == rtype]


def resource(module: str, rtype: str, name: str) -> dict[str, Any]:
    """The body of exactly one resource."""
    matches = [b for b in resources(module, rtype) if b.labels[1] == name]
    assert len(matches) == 1, f"{module}: expected one {rtype}.{name}, found {len(matches)}"
    return matches[0].body


def variables(directory: Path) -> dict[str, dict[str, Any]]:
    """Variable blocks of one module directory by name."""
    return {b.labels[0]: b.body for b in blocks("variable", tf_files(directory))}


def module_calls(directory: Path) -> dict[str, dict[str, Any]]:
    """Module blocks of one module directory by name."""
    return {b.labels[0]: b.body for b in blocks("module", tf_files(directory))}


def block(body: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The single nested block `name` of a body (python-hcl2 returns blocks as lists)."""
    value = body[name]
    if isinstance(value, list):
        assert len(value) == 1, f"expected one {name} block, found {len(value)}"
        value = value[0]
    assert isinstance(value, dict), f"{name} is not a block"
    return value


def nested_blocks(body: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """All nested blocks `name` of a body, static and `dynamic "name" { content {...} }` ones."""
    value = body.get(name, [])
    found: list[dict[str, Any]] = list(value) if isinstance(value, list) else [value]
    for dyn in body.get("dynamic", []):
        if name in dyn:
            found.append(block(dyn[name], "content"))
    return found


# ---------------------------------------------------------------------------
# Running Terraform
# ---------------------------------------------------------------------------


def terraform_binary() -> str | None:
    """Path of the terraform binary, or None."""
    return shutil.which("terraform")


def terraform_env(data_dir: Path, cli_config: Path) -> dict[str, str]:
    """Environment for a hermetic Terraform run: no prompts, no update checks, state under tmp."""
    env = dict(os.environ)
    env.update(
        {
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "TF_DATA_DIR": str(data_dir),
            "TF_CLI_CONFIG_FILE": str(cli_config),
            "NO_COLOR": "1",
        }
    )
    return env


@dataclass(frozen=True)
class Run:
    """Outcome of one command."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return f"$ {' '.join(self.args)}\n{self.stdout}\n{self.stderr}"


def run(args: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float = 120.0) -> Run:
    """Run a command and capture its output (text)."""
    proc = subprocess.run(
        list(args),
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(tuple(args), proc.returncode, proc.stdout, proc.stderr)
