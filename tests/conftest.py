"""Shared fixtures: the repository's config, one SparkSession per test session, a fresh lake."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from lakestream.common.config import Registry, load_registry
from lakestream.common.settings import Settings
from lakestream.common.spark.session import get_spark
from tests.lake import Lake

REPO = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO / "config"


@pytest.fixture(scope="session")
def repo() -> Path:
    """Repository root."""
    return REPO


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The shipped sample configuration."""
    return load_registry(CONFIG_DIR)


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """The one local SparkSession of the test session."""
    session = get_spark(Settings(spark_master="local[2]", shuffle_partitions=2))
    yield session
    session.stop()


@pytest.fixture
def lake(tmp_path: Path, spark: SparkSession, registry: Registry) -> Lake:
    """A fresh storage root with the shipped config, ready to land files and run layers."""
    return Lake(tmp_path, spark, registry)
