"""What a service declares (its flows) and how services are discovered (entry points)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, cast

from pyspark.sql import DataFrame, SparkSession

from lakestream.common.config import Registry
from lakestream.common.layout import TableLayout
from lakestream.common.settings import Settings
from lakestream.common.tables.backend import TableBackend
from lakestream.common.tables.schemas import TableSpec

if TYPE_CHECKING:
    from lakestream.common.runtime.batch import BatchContext, BatchResult

SERVICE_GROUP = "lakestream.services"


@dataclass(frozen=True)
class FeedBound:
    """How far a change-feed query reads its upstream table.

    ``after``: the version its checkpoint reached; ``max_versions``: commits per batch at most;
    ``until``: no commit after this one (the end of a ``--once`` run).
    """

    after: int | None = None
    max_versions: int | None = None
    until: int | None = None


@dataclass
class Runtime:
    """Everything a running service shares across its flows and batches."""

    settings: Settings
    spark: SparkSession
    registry: Registry
    backend: TableBackend
    run_id: str
    fault_hook: Callable[[str, BatchContext], None] | None = None
    failures: dict[str, str] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)
    feeds: dict[str, FeedBound] = field(default_factory=dict)
    """How the change-feed query being started reads, per upstream location."""

    def fault_point(self, point: str, ctx: BatchContext) -> None:
        """Named point in a batch where fault-injection tests may crash the process.

        Points: ``before_write:<table>``, ``after_write:<table>``, ``before_audit``,
        ``after_audit`` (streaming layers); ``after_write:<table>``, ``before_status``,
        ``before_audit`` (DLQ replay).
        """
        if self.fault_hook is not None:
            self.fault_hook(point, ctx)

    @property
    def layout(self) -> TableLayout:
        """Table layout of the settings' root and environment."""
        return self.settings.layout


@dataclass(frozen=True)
class Flow:
    """One streaming query of a service: where it reads, what it does, which tables it needs."""

    name: str
    source: Callable[[Runtime], DataFrame]
    transform: Callable[[DataFrame, BatchContext], BatchResult]
    tables: Callable[[Runtime], list[TableSpec]]
    probe: Callable[[Runtime], None] | None = None
    """Raises SourceUnavailableError when the source is gone; run between batches."""
    verify_input: Callable[[BatchContext, set[str]], None] | None = None
    """Given the ``file`` values of the batch's ``BatchResult.input`` (gathered by the job that
    counts the input) before any write: raises SourceUnavailableError when the batch lacks
    input its source planned."""
    upstream: Callable[[Runtime], TableSpec] | None = None
    """The table whose change feed ``source`` reads (see ``change_feed_of``)."""


def change_feed_of(table: Callable[[Runtime], TableSpec]) -> Callable[[Runtime], DataFrame]:
    """A flow source: the change feed of ``table``, read as the runtime's ``feeds`` bound it."""

    def source(runtime: Runtime) -> DataFrame:
        spec = table(runtime)
        bound = runtime.feeds.get(spec.location, FeedBound())
        return runtime.backend.change_feed(
            runtime.spark, spec, bound.until, bound.max_versions, bound.after
        )

    return source


@dataclass(frozen=True)
class Service:
    """A deployable layer: a name, a version, an order in the chain and its flows."""

    name: str
    layer: str
    version: str
    order: int
    flows: Callable[[Runtime], list[Flow]]
    description: str = field(default="")


def discover_services() -> dict[str, Service]:
    """Services registered under the ``lakestream.services`` entry-point group, in chain order."""
    found: dict[str, Service] = {}
    for ep in entry_points(group=SERVICE_GROUP):
        service = ep.load()
        if not isinstance(service, Service):
            raise TypeError(f"entry point {ep.name} = {ep.value} is not a lakestream Service")
        found[service.name] = service
    return dict(sorted(found.items(), key=lambda item: item[1].order))


@dataclass(frozen=True)
class DeclaredFlow:
    """A flow's name and, for a change-feed flow, its upstream table's location."""

    name: str
    upstream: str | None


def declared_flows(service: Service, settings: Settings, registry: Registry) -> list[DeclaredFlow]:
    """The flows ``service`` declares, with their upstream tables, without starting anything.

    Declaring flows takes only the settings and the registry: the runtime handed over has no
    Spark session and no backend.
    """
    runtime = Runtime(
        settings, cast(SparkSession, None), registry, cast(TableBackend, None), "declared"
    )
    return [
        DeclaredFlow(f.name, f.upstream(runtime).location if f.upstream else None)
        for f in service.flows(runtime)
    ]
