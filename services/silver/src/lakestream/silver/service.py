"""Wiring of the silver service: bronze change feed -> silver transform."""

from __future__ import annotations

from pyspark.sql import DataFrame

from lakestream.common.runtime.service import Flow, Runtime, Service
from lakestream.common.tables.schemas import TableSpec, bronze_events, silver_events
from lakestream.silver import __version__
from lakestream.silver.transform import transform


def _source(runtime: Runtime) -> DataFrame:
    return runtime.backend.change_feed(runtime.spark, bronze_events(runtime.layout))


def _tables(runtime: Runtime) -> list[TableSpec]:
    registry = runtime.registry
    silver = [silver_events(runtime.layout, registry.latest(t)) for t in registry.event_types()]
    return [bronze_events(runtime.layout), *silver]


def _flows(runtime: Runtime) -> list[Flow]:
    return [Flow("events", _source, transform, _tables)]


SERVICE = Service(
    name="silver",
    layer="silver",
    version=__version__,
    order=20,
    flows=_flows,
    description="bronze change feed -> silver/<event_type> + DLQ",
)
