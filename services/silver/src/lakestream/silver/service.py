"""Wiring of the silver service: bronze change feed -> silver transform."""

from __future__ import annotations

from lakestream.common.runtime.service import Flow, Runtime, Service, change_feed_of
from lakestream.common.tables.schemas import TableSpec, bronze_events, silver_events
from lakestream.silver import __version__
from lakestream.silver.transform import transform


def _bronze(runtime: Runtime) -> TableSpec:
    return bronze_events(runtime.layout)


def _tables(runtime: Runtime) -> list[TableSpec]:
    registry = runtime.registry
    silver = [silver_events(runtime.layout, registry.latest(t)) for t in registry.event_types()]
    return [bronze_events(runtime.layout), *silver]


def _flows(runtime: Runtime) -> list[Flow]:
    return [Flow("events", change_feed_of(_bronze), transform, _tables, upstream=_bronze)]


SERVICE = Service(
    name="silver",
    layer="silver",
    version=__version__,
    order=20,
    flows=_flows,
    description="bronze change feed -> silver/<event_type> + DLQ",
)
