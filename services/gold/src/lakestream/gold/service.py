"""Wiring of the gold service: silver change feed -> device_minute product."""

from __future__ import annotations

from lakestream.common.runtime.service import Flow, Runtime, Service, change_feed_of
from lakestream.common.tables.schemas import TableSpec, gold_device_minute, silver_events
from lakestream.gold import __version__
from lakestream.gold.transform import PRODUCT, transform


def _silver(runtime: Runtime) -> TableSpec:
    event_type = runtime.registry.products[PRODUCT].source_event_type
    return silver_events(runtime.layout, runtime.registry.latest(event_type))


def _tables(runtime: Runtime) -> list[TableSpec]:
    return [_silver(runtime), gold_device_minute(runtime.layout)]


def _flows(runtime: Runtime) -> list[Flow]:
    return [Flow(PRODUCT, change_feed_of(_silver), transform, _tables, upstream=_silver)]


SERVICE = Service(
    name="gold",
    layer="gold",
    version=__version__,
    order=30,
    flows=_flows,
    description="silver change feed -> gold/device_minute",
)
