"""Runtime settings (``LAKESTREAM_*`` environment variables and ``.env``), validated by pydantic."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lakestream.common.errors import ConfigError, Problem
from lakestream.common.layout import TableLayout

_INTERVAL = re.compile(r"^(\d+(\.\d+)?)\s*(millisecond|second|minute|hour)s?$")
_UNIT_SECONDS = {"millisecond": 0.001, "second": 1, "minute": 60, "hour": 3600}
_MAX_INTERVAL_S = 24 * 3600
_IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]{0,254}$"


class TriggerMode(StrEnum):
    """How a streaming query is triggered."""

    AVAILABLE_NOW = "available-now"
    ONCE = "once"
    PROCESSING_TIME = "processing-time"


class Settings(BaseSettings):
    """Everything a job needs to know about where and how it runs."""

    model_config = SettingsConfigDict(
        env_prefix="LAKESTREAM_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        validate_default=True,
    )

    # Where tables live and which backend writes them (tables/backends.py reads ``backend``).
    env: str = Field(default="local", pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    root: str = "./.lakestream"
    backend: str = "delta-rs"
    catalog: str | None = Field(default=None, pattern=_IDENTIFIER)
    catalog_schema: str | None = Field(default=None, pattern=_IDENTIFIER)
    config_dir: Path = Path("config")
    # Which source bronze reads (sources/base.py) and its retries.
    source: str = "files"
    source_max_retries: int = Field(default=3, ge=0, le=20)
    source_retry_backoff: float = Field(default=1.0, gt=0, le=300)
    # The ``files`` source (FilesSourceSpec).
    source_path: str | None = None
    max_files_per_trigger: int = Field(default=64, ge=1, le=1_000_000)
    # The ``eventhubs`` source and the ``kafka`` source on its Kafka endpoint
    # (EventHubsSourceSpec, KafkaSourceSpec).
    eventhubs_namespace: str | None = None
    eventhubs_hub: str | None = None
    eventhubs_consumer_group: str = "$Default"
    eventhubs_connection_string_env: str | None = None
    eventhubs_secret_scope: str | None = None
    eventhubs_secret_key: str | None = None
    eventhubs_starting_position: str = "earliest"
    eventhubs_max_events_per_trigger: int | None = Field(default=None, ge=1, le=100_000_000)
    eventhubs_receive_timeout: float = Field(default=60.0, gt=0, le=3600, allow_inf_nan=False)
    eventhubs_bound_tenants: str | None = None
    eventhubs_entra_tenant_id: str | None = None
    eventhubs_client_id: str | None = None
    # How the layers run.
    trigger: TriggerMode = TriggerMode.PROCESSING_TIME
    trigger_interval: str = "5 seconds"
    max_body_bytes: int = Field(default=1_048_576, ge=1, le=64 * 1_048_576)
    max_versions_per_trigger: int = Field(default=8, ge=1, le=1_000_000)
    # ``lakestream status`` thresholds.
    status_max_backlog: int = Field(default=0, ge=0, le=10**12)
    status_stuck_after_seconds: float = Field(default=900.0, gt=0, le=30 * 86400)
    status_window_seconds: float = Field(default=3600.0, gt=0, le=366 * 86400)
    # The Spark session.
    spark_master: str = "local[*]"
    spark_packages: str | None = None
    shuffle_partitions: int = Field(default=4, ge=1, le=100_000)

    @field_validator("backend")
    @classmethod
    def _backend(cls, value: str) -> str:
        from lakestream.common.tables.backends import registered_backends, unknown_backend

        if value not in registered_backends():
            raise ValueError(unknown_backend(value))
        return value

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        from lakestream.common.sources.base import registered_sources, unknown_source

        if value not in registered_sources():
            raise ValueError(unknown_source(value))
        return value

    @field_validator("trigger_interval")
    @classmethod
    def _interval(cls, value: str) -> str:
        match = _INTERVAL.match(value.strip())
        if not match:
            raise ValueError("expected an interval like '5 seconds' or '1 minute'")
        if float(match.group(1)) * _UNIT_SECONDS[match.group(3)] > _MAX_INTERVAL_S:
            raise ValueError("expected an interval of at most 24 hours")
        return value.strip()

    @field_validator("eventhubs_starting_position")
    @classmethod
    def _starting_position(cls, value: str) -> str:
        from lakestream.common.eventhubs.position import StartingPosition

        StartingPosition.parse(value)
        return value.strip()

    @model_validator(mode="after")
    def _catalog_names(self) -> Settings:
        from lakestream.common.tables.backends import backend_spec, registered_backends

        if self.catalog_schema is not None and self.catalog is None:
            raise ValueError("LAKESTREAM_CATALOG_SCHEMA needs LAKESTREAM_CATALOG")
        if self.catalog is not None and not backend_spec(self.backend).catalog_names:
            names = "/".join(n for n, b in registered_backends().items() if b.catalog_names)
            raise ValueError(f"tables addressed by catalog name need LAKESTREAM_BACKEND={names}")
        return self

    @property
    def layout(self) -> TableLayout:
        """Table layout under ``<root>/<env>`` (a local root is made absolute), or catalog names."""
        root = self.root if "://" in self.root else TableLayout.local(self.root, self.env).root
        return TableLayout(root, self.env, self.catalog, self.catalog_schema)

    @property
    def landing_path(self) -> str:
        """Landing directory of the ``files`` source."""
        return self.source_path or self.layout.landing

    @property
    def bound_tenants(self) -> list[str]:
        """Tenants the Event Hubs source is bound to (``LAKESTREAM_EVENTHUBS_BOUND_TENANTS``)."""
        raw = self.eventhubs_bound_tenants or ""
        return [t.strip() for t in raw.split(",") if t.strip()]


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus explicit overrides (CLI options win).

    Raises ConfigError naming the variable and the fix instead of a pydantic traceback.
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = [
            Problem(
                file="settings (LAKESTREAM_* environment / .env / command line)",
                field=f"LAKESTREAM_{'_'.join(str(p) for p in err['loc']).upper()}",
                message=err["msg"],
                hint="set a valid value or unset it to use the default",
            )
            for err in exc.errors()
        ]
        raise ConfigError(problems) from None
