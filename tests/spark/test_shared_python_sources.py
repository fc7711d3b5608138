"""Starting a stream over a Python data source leaves the source's shared worker env unchanged.

Spark 4.1's streaming source runner writes into the Java map that every task of every query over
the same registered source carries; a structural change there while another query serializes a
task corrupts that task (``java.io.OptionalDataException``, decision 0097).
"""

from __future__ import annotations

import pytest
from pyspark.sql import SparkSession
from pyspark.sql.datasource import DataSource

from lakestream.common.settings import Settings
from lakestream.common.sources import base
from lakestream.common.sources.base import register_source, registered_sources
from lakestream.common.sources.files import FilesSourceSpec
from lakestream.common.spark.python_sources import STREAMING_RUNNER_ENV_KEYS
from lakestream.common.spark.session import get_spark
from lakestream.common.tables.cdf_source import DeltaChangeFeedSource
from tests.lake import Lake, event

pytestmark = pytest.mark.spark


def _shared_env(spark: SparkSession) -> dict[str, str]:
    manager = spark._jsparkSession.sessionState().dataSourceManager()
    source = manager.lookupDataSource(DeltaChangeFeedSource.name())
    return dict(source.dataSourceCls().envVars())


def test_a_change_feed_stream_does_not_add_keys_to_the_registered_sources_env(lake: Lake) -> None:
    get_spark(Settings())  # registers afresh on the running session: a new shared map
    before = _shared_env(lake.spark)
    assert set(STREAMING_RUNNER_ENV_KEYS) <= before.keys()
    lake.land(event("e1"))
    lake.run("bronze", "silver")
    assert lake.count("silver/temp_humidity") == 1
    assert _shared_env(lake.spark) == before


class MemoryDataSource(DataSource):
    """A Python data source of a source registered only in this test."""

    @classmethod
    def name(cls) -> str:
        return "lakestream_test_memory"


def test_the_session_registers_the_data_sources_of_every_registered_source(
    spark: SparkSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base._SOURCES, "_entries", base.registered_sources())

    @register_source("memory")
    class MemorySourceSpec(FilesSourceSpec):
        data_sources = (MemoryDataSource,)

    get_spark(Settings())
    manager = spark._jsparkSession.sessionState().dataSourceManager()
    wanted = [d.name() for s in registered_sources().values() for d in s.data_sources]
    assert {"eventhubs", "lakestream_test_memory"} <= set(wanted)
    assert [name for name in wanted if not manager.dataSourceExists(name)] == []
