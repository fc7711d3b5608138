"""Sources and table backends are typed specs in registries, picked by their settings' names."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from pyspark.sql import DataFrame, SparkSession

from lakestream.common.audit import status
from lakestream.common.errors import ConfigError, LakestreamError
from lakestream.common.runtime.service import Runtime
from lakestream.common.selftest import check
from lakestream.common.selftest.workload import Expected, Workload
from lakestream.common.settings import Settings, load_settings
from lakestream.common.sources import base, check_source, open_source
from lakestream.common.sources.base import (
    Backlog,
    SourceSpec,
    register_source,
    registered_sources,
    source_for,
)
from lakestream.common.sources.eventhubs import EventHubsDataSource, EventHubsSourceSpec
from lakestream.common.sources.files import FilesSourceSpec
from lakestream.common.sources.kafka import KafkaSourceSpec
from lakestream.common.tables.backends import (
    DeltaRsSpec,
    DeltaSparkSpec,
    backend_spec,
    open_backend,
    registered_backends,
)
from lakestream.common.tables.deltars import DeltaRsBackend

pytestmark = pytest.mark.unit


def no_spark() -> SparkSession:
    raise AssertionError("this backend must not ask for a Spark session")


def test_the_built_in_sources_and_backends_are_registered() -> None:
    assert registered_sources() == {
        "files": FilesSourceSpec,
        "eventhubs": EventHubsSourceSpec,
        "kafka": KafkaSourceSpec,
    }
    assert registered_backends() == {"delta-rs": DeltaRsSpec, "delta-spark": DeltaSparkSpec}


@pytest.mark.parametrize("name", sorted(registered_sources()))
def test_every_registered_source_builds_a_frozen_spec_from_settings(name: str) -> None:
    spec = source_for(Settings(source=name, eventhubs_namespace="ns", eventhubs_hub="h"))
    assert type(spec) is registered_sources()[name]
    assert spec.name == name
    assert dataclasses.is_dataclass(spec)
    field = dataclasses.fields(spec)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(spec, field, None)


def test_each_spec_reads_its_own_settings() -> None:
    settings = Settings(
        source_path="/in",
        max_files_per_trigger=7,
        eventhubs_namespace="ns",
        eventhubs_hub="hub",
        eventhubs_bound_tenants="acme, globex",
        eventhubs_max_events_per_trigger=9,
        source_max_retries=5,
    )
    assert FilesSourceSpec.from_settings(settings) == FilesSourceSpec("/in", 7)
    hub = EventHubsSourceSpec.from_settings(settings)
    assert (hub.namespace, hub.hub, hub.bound_tenants) == ("ns", "hub", ("acme", "globex"))
    assert (hub.max_events_per_trigger, hub.max_retries) == (9, 5)
    kafka = KafkaSourceSpec.from_settings(settings)
    assert (kafka.hub, kafka.max_offsets_per_trigger) == ("hub", 9)
    assert EventHubsSourceSpec.data_sources == (EventHubsDataSource,)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "source",
            "ftp",
            "no source is registered as 'ftp': expected one of 'eventhubs', 'files', 'kafka'",
        ),
        (
            "backend",
            "parquet",
            "no backend is registered as 'parquet': expected one of 'delta-rs', 'delta-spark'",
        ),
    ],
)
def test_an_unknown_component_names_the_variable_and_the_registered_ones(
    option: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(**{option: value})
    assert [p.field for p in info.value.problems] == [f"LAKESTREAM_{option.upper()}"]
    assert message in str(info.value)


def test_source_for_and_backend_spec_refuse_a_name_that_is_not_registered() -> None:
    settings = Settings().model_copy(update={"source": "ftp"})
    with pytest.raises(LakestreamError, match="LAKESTREAM_SOURCE: no source is registered"):
        source_for(settings)
    with pytest.raises(LakestreamError, match="LAKESTREAM_BACKEND: no backend"):
        backend_spec("parquet")


def test_the_embedded_backend_opens_without_spark_and_only_the_native_takes_catalog_names() -> None:
    assert isinstance(open_backend(Settings(), no_spark), DeltaRsBackend)
    assert [n for n, b in registered_backends().items() if b.catalog_names] == ["delta-spark"]
    with pytest.raises(ConfigError, match="need LAKESTREAM_BACKEND=delta-spark"):
        load_settings(catalog="lakestream_dev")


@dataclasses.dataclass
class Calls:
    """What the test source was asked to do."""

    seen: list[str] = dataclasses.field(default_factory=list)


@pytest.fixture
def memory_source(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    """A source registered here, in the test module, and nowhere else."""
    monkeypatch.setattr(base._SOURCES, "_entries", base.registered_sources())
    calls = Calls()

    @register_source("memory")
    @dataclasses.dataclass(frozen=True)
    class MemorySourceSpec(SourceSpec):
        limit: int

        @classmethod
        def from_settings(cls, settings: Settings) -> MemorySourceSpec:
            return cls(settings.max_files_per_trigger)

        def stream(self, spark: SparkSession) -> DataFrame:
            calls.seen.append(f"stream {self.limit}")
            return cast(DataFrame, None)

        def probe(self) -> None:
            calls.seen.append("probe")

        def verify_batch(self, ctx: Any, read: set[str]) -> None:
            calls.seen.append("verify")

        def backlog(self, checkpoint: str, now: datetime) -> Backlog:
            return Backlog("bodies", 3)

        def deliver(self, bodies: list[bytes], run_id: str, tenant_id: str) -> str:
            calls.seen.append(f"deliver {len(bodies)} of {tenant_id}")
            return "memory"

    yield calls


def test_a_source_registered_in_one_module_is_picked_up_everywhere(
    memory_source: Calls, tmp_path: Path
) -> None:
    settings = load_settings(source="memory", max_files_per_trigger=11)
    assert "'memory'" in _unknown_source_message()
    open_source(cast(SparkSession, None), settings)
    check_source(settings)
    now = datetime.now(UTC)
    assert status._source_backlog(settings, str(tmp_path), now) == Backlog("bodies", 3)
    runtime = cast(Runtime, type("R", (), {"settings": settings})())
    workload = Workload("run1", [b"{}", b"{}"], Expected())
    assert check.send(runtime, workload) == "memory"
    assert memory_source.seen == ["stream 11", "probe", "deliver 2 of selftest"]


def _unknown_source_message() -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(source="ftp")
    return str(info.value)


def test_status_reports_an_unreadable_source_backlog(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    unreadable: Callable[..., None] = lambda *_: None  # noqa: E731
    monkeypatch.setattr(FilesSourceSpec, "backlog", unreadable)
    with pytest.raises(status.StatusUnreadableError, match="committed offsets unreadable"):
        status._source_backlog(Settings(), str(tmp_path), datetime.now(UTC))
