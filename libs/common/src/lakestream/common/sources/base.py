"""What every source offers, and the registry that picks one by ``LAKESTREAM_SOURCE``.

A source is a typed, frozen spec built from the settings it reads (``from_settings``) that
knows how to open bronze's raw-body stream, probe itself between batches, measure its backlog
for ``status`` and deliver the self-test's workload. A source module registers its spec with
``@register_source("<name>")``; adding a source is one new module imported by
``lakestream.common.sources``, nothing else.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from lakestream.common.registry import Registry

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.datasource import DataSource

    from lakestream.common.runtime.batch import BatchContext
    from lakestream.common.settings import Settings


@dataclass
class Backlog:
    """What waits upstream of a layer that no committed batch has read."""

    unit: str
    total: int | None
    parts: dict[str, int] = field(default_factory=dict)
    oldest_age_s: float | None = None
    note: str = ""


class SourceSpec(ABC):
    """A source of raw event bodies, typed and validated from its own settings."""

    name: ClassVar[str]
    data_sources: ClassVar[tuple[type[DataSource], ...]] = ()
    """Spark Python data sources every session registers for this source."""

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> SourceSpec:
        """The spec from the settings this source reads."""

    @abstractmethod
    def stream(self, spark: SparkSession) -> DataFrame:
        """Bronze's streaming read: ``body`` (binary), ``source`` coordinates, bound tenants."""

    @abstractmethod
    def probe(self) -> None:
        """Raise SourceUnavailableError when the source is gone while a job runs (between
        batches); a source that retries and fails by itself does nothing here."""

    @abstractmethod
    def verify_batch(self, ctx: BatchContext, read: set[str]) -> None:
        """Raise SourceUnavailableError when a batch lost planned input before its read;
        ``read`` holds the inputs the batch's rows came from."""

    @abstractmethod
    def backlog(self, checkpoint: str, now: datetime) -> Backlog | None:
        """What waits after the checkpoint's committed batch (None: its offsets are unreadable)."""

    @abstractmethod
    def deliver(self, bodies: list[bytes], run_id: str, tenant_id: str) -> str:
        """Write the self-test's bodies of ``tenant_id`` to the source; where they went."""


_SOURCES: Registry[SourceSpec] = Registry(
    "source", "LAKESTREAM_SOURCE", builtins="lakestream.common.sources"
)
register_source = _SOURCES.register
"""Class decorator: register a SourceSpec under the ``LAKESTREAM_SOURCE`` value ``name``."""
registered_sources = _SOURCES.entries
"""Every registered source by name, the built-in ones included."""
unknown_source = _SOURCES.unknown
"""The error for a ``LAKESTREAM_SOURCE`` no source is registered under."""


def source_for(settings: Settings) -> SourceSpec:
    """The spec of the configured source (``LAKESTREAM_SOURCE``), built from the settings."""
    return _SOURCES.get(settings.source).from_settings(settings)
