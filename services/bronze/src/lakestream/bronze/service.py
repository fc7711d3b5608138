"""Wiring of the bronze service: raw-body source -> bronze transform."""

from __future__ import annotations

from pyspark.sql import DataFrame

from lakestream.bronze import __version__
from lakestream.bronze.transform import transform
from lakestream.common.runtime.service import Flow, Runtime, Service
from lakestream.common.sources import check_batch_input, check_source, open_source
from lakestream.common.tables.schemas import TableSpec, bronze_events


def _source(runtime: Runtime) -> DataFrame:
    return open_source(runtime.spark, runtime.settings)


def _probe(runtime: Runtime) -> None:
    check_source(runtime.settings)


def _tables(runtime: Runtime) -> list[TableSpec]:
    return [bronze_events(runtime.layout)]


def _flows(runtime: Runtime) -> list[Flow]:
    return [
        Flow("events", _source, transform, _tables, probe=_probe, verify_input=check_batch_input)
    ]


SERVICE = Service(
    name="bronze",
    layer="bronze",
    version=__version__,
    order=10,
    flows=_flows,
    description="landing files -> bronze/events + DLQ",
)
