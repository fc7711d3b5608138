"""Runtime settings: defaults, LAKESTREAM_* environment, .env, overrides and precise errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lakestream.common.errors import ConfigError
from lakestream.common.layout import TableLayout
from lakestream.common.settings import Settings, TriggerMode, load_settings

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No LAKESTREAM_* variable from the caller, and a working directory without a .env file."""
    for name in list(os.environ):
        if name.upper().startswith("LAKESTREAM_"):
            monkeypatch.delenv(name)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def test_defaults() -> None:
    settings = load_settings()
    assert settings.env == "local"
    assert settings.root == "./.lakestream"
    assert settings.backend == "delta-rs"
    assert settings.source == "files"
    assert settings.source_path is None
    assert settings.config_dir == Path("config")
    assert settings.trigger is TriggerMode.PROCESSING_TIME
    assert settings.trigger_interval == "5 seconds"
    assert settings.max_body_bytes == 1_048_576
    assert settings.max_files_per_trigger == 64
    assert settings.spark_master == "local[*]"
    assert settings.shuffle_partitions == 4


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKESTREAM_ENV", "staging")
    monkeypatch.setenv("LAKESTREAM_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("LAKESTREAM_TRIGGER", "available-now")
    monkeypatch.setenv("LAKESTREAM_TRIGGER_INTERVAL", " 1 minute ")
    monkeypatch.setenv("LAKESTREAM_BACKEND", "delta-spark")
    settings = load_settings()
    assert settings.env == "staging"
    assert settings.max_body_bytes == 2048
    assert settings.trigger is TriggerMode.AVAILABLE_NOW
    assert settings.trigger_interval == "1 minute"
    assert settings.backend == "delta-spark"


def test_overrides_win_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKESTREAM_ENV", "fromenv")
    monkeypatch.setenv("LAKESTREAM_MAX_BODY_BYTES", "2048")
    settings = load_settings(env="cli", max_body_bytes=4096)
    assert (settings.env, settings.max_body_bytes) == ("cli", 4096)


def test_none_overrides_fall_back_to_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKESTREAM_ENV", "fromenv")
    assert load_settings(env=None, root=None).env == "fromenv"


def test_dotenv_file_is_read_and_environment_wins(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    (clean_env / ".env").write_text("LAKESTREAM_ENV=dotenv\nLAKESTREAM_SHUFFLE_PARTITIONS=7\n")
    first = load_settings()
    assert (first.env, first.shuffle_partitions) == ("dotenv", 7)
    monkeypatch.setenv("LAKESTREAM_ENV", "fromenv")
    assert load_settings().env == "fromenv"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LAKESTREAM_MAX_BODY_BYTES", "abc"),
        ("LAKESTREAM_MAX_BODY_BYTES", "0"),
        ("LAKESTREAM_MAX_BODY_BYTES", str(64 * 1_048_576 + 1)),
        ("LAKESTREAM_TRIGGER_INTERVAL", "soon"),
        ("LAKESTREAM_TRIGGER_INTERVAL", "5"),
        ("LAKESTREAM_TRIGGER", "sometimes"),
        ("LAKESTREAM_BACKEND", "parquet"),
        ("LAKESTREAM_ENV", "Prod!"),
        ("LAKESTREAM_MAX_FILES_PER_TRIGGER", "0"),
        ("LAKESTREAM_SHUFFLE_PARTITIONS", "-1"),
        ("LAKESTREAM_SHUFFLE_PARTITIONS", "99999999999"),
        ("LAKESTREAM_MAX_FILES_PER_TRIGGER", "9" * 20),
        ("LAKESTREAM_EVENTHUBS_MAX_EVENTS_PER_TRIGGER", "9" * 30),
        ("LAKESTREAM_EVENTHUBS_RECEIVE_TIMEOUT", "inf"),
        ("LAKESTREAM_EVENTHUBS_RECEIVE_TIMEOUT", "nan"),
        ("LAKESTREAM_EVENTHUBS_RECEIVE_TIMEOUT", "1e400"),
        ("LAKESTREAM_TRIGGER_INTERVAL", "99999999999999999999 hours"),
        ("LAKESTREAM_TRIGGER_INTERVAL", "25 hours"),
        ("LAKESTREAM_ENV", "a" * 40),
    ],
)
def test_bad_environment_variable_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    problems = info.value.problems
    assert [p.field for p in problems] == [variable]
    assert problems[0].message
    assert problems[0].hint
    assert "LAKESTREAM_" in problems[0].file
    assert variable in str(info.value)


def test_every_bad_variable_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKESTREAM_MAX_BODY_BYTES", "abc")
    monkeypatch.setenv("LAKESTREAM_TRIGGER_INTERVAL", "soon")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert sorted(p.field for p in info.value.problems) == [
        "LAKESTREAM_MAX_BODY_BYTES",
        "LAKESTREAM_TRIGGER_INTERVAL",
    ]


def test_bad_override_is_a_config_error_too() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(trigger_interval="whenever")
    assert [p.field for p in info.value.problems] == ["LAKESTREAM_TRIGGER_INTERVAL"]


@pytest.mark.parametrize(
    "interval", ["5 seconds", "1 second", "250 milliseconds", "1 minute", "2 hours", "0.5 seconds"]
)
def test_valid_trigger_intervals(interval: str) -> None:
    assert load_settings(trigger_interval=interval).trigger_interval == interval


def test_local_layout_is_absolute_under_root_and_env(tmp_path: Path) -> None:
    settings = load_settings(root=str(tmp_path / "lake"), env="dev")
    base = f"{(tmp_path / 'lake').resolve()}/dev"
    layout = settings.layout
    assert layout == TableLayout(str((tmp_path / "lake").resolve()), "dev")
    assert layout.base == base
    assert layout.bronze_events == f"{base}/bronze/events"
    assert layout.silver("temp_humidity") == f"{base}/silver/temp_humidity"
    assert layout.gold_device_minute == f"{base}/gold/device_minute"
    assert layout.dlq_events == f"{base}/dlq/events"
    assert layout.audit_batches == f"{base}/audit/batches"
    assert layout.checkpoint("bronze") == f"{base}/_checkpoints/bronze/main"
    assert settings.landing_path == f"{base}/landing"


def test_relative_root_is_made_absolute(clean_env: Path) -> None:
    layout = load_settings(root="rel", env="x").layout
    assert layout.base == f"{(clean_env / 'rel').resolve()}/x"


def test_remote_root_is_kept_verbatim() -> None:
    settings = load_settings(root="abfss://lake@acct.dfs.core.windows.net/data/", env="prod")
    assert settings.layout.base == "abfss://lake@acct.dfs.core.windows.net/data/prod"
    assert settings.layout.bronze_events == (
        "abfss://lake@acct.dfs.core.windows.net/data/prod/bronze/events"
    )


def test_source_path_overrides_landing(tmp_path: Path) -> None:
    settings = load_settings(root=str(tmp_path), source_path="/data/in")
    assert settings.landing_path == "/data/in"


def test_settings_is_a_direct_constructor_too() -> None:
    assert Settings(env="a1").env == "a1"
