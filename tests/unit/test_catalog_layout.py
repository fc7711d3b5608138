"""Tables by Unity Catalog name or by path; the settings that choose them; Delta jar confs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lakestream.common.config import load_registry
from lakestream.common.errors import ConfigError
from lakestream.common.layout import TableLayout
from lakestream.common.settings import load_settings
from lakestream.common.spark.session import DELTA_CATALOG, DELTA_EXTENSION, package_confs
from lakestream.common.tables.backend import Txn
from lakestream.common.tables.deltaspark import sql_ref, txn_metadata
from lakestream.common.tables.schemas import (
    audit_batches,
    bronze_events,
    dlq_events,
    gold_device_minute,
    silver_events,
)

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No LAKESTREAM_* variable from the caller, no .env file."""
    for name in list(os.environ):
        if name.upper().startswith("LAKESTREAM_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def names(layout: TableLayout) -> list[str]:
    """Locations of every table of DESIGN.md (silver for temp_humidity)."""
    latest = load_registry(REPO / "config").latest("temp_humidity")
    specs = [
        bronze_events(layout),
        silver_events(layout, latest),
        gold_device_minute(layout),
        dlq_events(layout),
        audit_batches(layout),
    ]
    return [s.location for s in specs]


def test_paths_by_default() -> None:
    layout = TableLayout("abfss://lake@acct.dfs.core.windows.net", "prod")
    assert not layout.by_name
    assert names(layout) == [
        "abfss://lake@acct.dfs.core.windows.net/prod/bronze/events",
        "abfss://lake@acct.dfs.core.windows.net/prod/silver/temp_humidity",
        "abfss://lake@acct.dfs.core.windows.net/prod/gold/device_minute",
        "abfss://lake@acct.dfs.core.windows.net/prod/dlq/events",
        "abfss://lake@acct.dfs.core.windows.net/prod/audit/batches",
    ]
    assert not bronze_events(layout).by_name


def test_catalog_names_use_one_schema_per_area() -> None:
    layout = TableLayout("abfss://checkpoints@acct.dfs.core.windows.net", "dev", "lakestream_dev")
    assert names(layout) == [
        "lakestream_dev.bronze.events",
        "lakestream_dev.silver.temp_humidity",
        "lakestream_dev.gold.device_minute",
        "lakestream_dev.dlq.events",
        "lakestream_dev.audit.batches",
    ]
    assert bronze_events(layout).by_name
    assert layout.checkpoint("bronze", "main") == (
        "abfss://checkpoints@acct.dfs.core.windows.net/dev/_checkpoints/bronze/main"
    )


def test_catalog_and_schema_prefix_table_names_with_their_area() -> None:
    layout = TableLayout("/lake", "dev", "main", "lakestream")
    assert names(layout) == [
        "main.lakestream.bronze_events",
        "main.lakestream.silver_temp_humidity",
        "main.lakestream.gold_device_minute",
        "main.lakestream.dlq_events",
        "main.lakestream.audit_batches",
    ]


def test_sql_reference_quotes_names_and_wraps_paths() -> None:
    by_name = bronze_events(TableLayout("/lake", "dev", "lakestream_dev"))
    by_path = bronze_events(TableLayout("/lake", "dev"))
    assert sql_ref(by_name) == "`lakestream_dev`.`bronze`.`events`"
    assert sql_ref(by_path) == "delta.`/lake/dev/bronze/events`"
    assert (
        txn_metadata(Txn("lakestream.silver.main", 7)) == "lakestream.txn=lakestream.silver.main:7"
    )


def test_settings_choose_catalog_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKESTREAM_BACKEND", "delta-spark")
    monkeypatch.setenv("LAKESTREAM_CATALOG", "lakestream_prod")
    monkeypatch.setenv("LAKESTREAM_CATALOG_SCHEMA", "")
    settings = load_settings(root="abfss://checkpoints@acct.dfs.core.windows.net", env="prod")
    assert settings.catalog_schema is None
    assert settings.layout.by_name
    assert settings.layout.bronze_events == "lakestream_prod.bronze.events"
    assert settings.layout.checkpoint("silver") == (
        "abfss://checkpoints@acct.dfs.core.windows.net/prod/_checkpoints/silver/main"
    )


def test_local_root_stays_absolute_path_layout(tmp_path: Path) -> None:
    settings = load_settings(root=str(tmp_path / "lake"), env="test")
    assert settings.layout.bronze_events == str(
        (tmp_path / "lake").resolve() / "test/bronze/events"
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"catalog": "lakestream_dev"}, "need LAKESTREAM_BACKEND=delta-spark"),
        ({"backend": "delta-spark", "catalog_schema": "s"}, "needs LAKESTREAM_CATALOG"),
        ({"backend": "delta-spark", "catalog": "bad-name"}, "string should match pattern"),
    ],
)
def test_invalid_catalog_settings_are_refused(given: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=f"(?i){message}"):
        load_settings(**given)


def test_spark_packages_enable_delta_only_when_delta_is_among_them() -> None:
    assert package_confs(None) == {}
    assert package_confs("org.example:other_2.13:1.0") == {
        "spark.jars.packages": "org.example:other_2.13:1.0"
    }
    assert package_confs("io.delta:delta-spark_4.1_2.13:4.1.0") == {
        "spark.jars.packages": "io.delta:delta-spark_4.1_2.13:4.1.0",
        "spark.sql.extensions": DELTA_EXTENSION,
        "spark.sql.catalog.spark_catalog": DELTA_CATALOG,
    }


def test_spark_packages_setting_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LAKESTREAM_SPARK_PACKAGES", "io.delta:delta-spark_4.1_2.13:4.1.0")
    assert load_settings().spark_packages == "io.delta:delta-spark_4.1_2.13:4.1.0"
