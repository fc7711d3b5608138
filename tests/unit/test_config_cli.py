"""``lakestream config validate`` through typer's CliRunner, mounted as the umbrella CLI does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from lakestream.tooling.cli.config_cmd import config_app

SHIPPED = Path(__file__).resolve().parents[2] / "config"


def run(*args: str) -> tuple[int, str]:
    app = typer.Typer()
    app.add_typer(config_app, name="config")
    result = CliRunner().invoke(app, ["config", *args])
    return result.exit_code, result.output


@pytest.mark.unit
def test_validate_shipped_config() -> None:
    code, output = run("validate", "--config-dir", str(SHIPPED))
    assert code == 0, output
    assert "config OK: 3 tenants, 2 contracts, 1 products" in output


@pytest.mark.unit
def test_validate_broken_copy(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(SHIPPED, config)
    contract = config / "contracts/temp_humidity/v2.yml"
    contract.write_text(contract.read_text().replace("max: 80", "max: -70"))
    product = config / "products/device_minute.yml"
    product.write_text(product.read_text().replace("window: 1 minute", "window: 1 fortnight"))
    code, output = run("validate", "--config-dir", str(config))
    assert code == 1, output
    assert f"{contract}: fields.temperature_c.max: max (-70) is below min (-60) (fix: " in output
    assert f"{product}: window: " in output
    assert "2 problems in" in output
    assert "Traceback" not in output


@pytest.mark.unit
def test_validate_missing_dir(tmp_path: Path) -> None:
    code, output = run("validate", "--config-dir", str(tmp_path / "nowhere"))
    assert code == 2
    assert "Invalid value for '--config-dir'" in output


@pytest.mark.unit
def test_validate_defaults_to_config_in_cwd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SHIPPED.parent)
    code, output = run("validate")
    assert code == 0, output
    assert "config OK" in output
