"""The table backends, registered by their ``LAKESTREAM_BACKEND`` name.

A backend is a typed, frozen spec (what it can address) that opens its ``TableBackend``, asking
for the Spark session only when it needs one; the implementation module is imported only when
the backend is opened, so ``delta-spark``'s package and jars are needed only where it is
chosen. Adding a backend is one more ``@register_backend("<name>")`` spec.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from lakestream.common.registry import Registry

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from lakestream.common.settings import Settings
    from lakestream.common.tables.backend import TableBackend


class BackendSpec(ABC):
    """A table backend as the settings choose it."""

    name: ClassVar[str]
    catalog_names: ClassVar[bool] = False
    """Whether it addresses tables by Unity Catalog name (``LAKESTREAM_CATALOG``)."""

    @abstractmethod
    def open(self, spark: Callable[[], SparkSession]) -> TableBackend:
        """The backend; ``spark`` gives the session, called only when the backend needs one."""


_BACKENDS: Registry[BackendSpec] = Registry("backend", "LAKESTREAM_BACKEND")
register_backend = _BACKENDS.register
"""Class decorator: register a BackendSpec under the ``LAKESTREAM_BACKEND`` value ``name``."""
registered_backends = _BACKENDS.entries
"""Every registered backend by name."""
unknown_backend = _BACKENDS.unknown
"""The error for a ``LAKESTREAM_BACKEND`` no backend is registered under."""


def backend_spec(name: str) -> BackendSpec:
    """The spec registered as ``name``."""
    return _BACKENDS.get(name)()


def open_backend(settings: Settings, spark: Callable[[], SparkSession]) -> TableBackend:
    """The table backend the settings name (``LAKESTREAM_BACKEND``)."""
    return backend_spec(settings.backend).open(spark)


@register_backend("delta-rs")
@dataclass(frozen=True)
class DeltaRsSpec(BackendSpec):
    """The embedded backend (the ``deltalake`` package): opening it starts no Spark."""

    def open(self, spark: Callable[[], SparkSession]) -> TableBackend:
        """A ``DeltaRsBackend``."""
        from lakestream.common.tables.deltars import DeltaRsBackend

        return DeltaRsBackend()


@register_backend("delta-spark")
@dataclass(frozen=True)
class DeltaSparkSpec(BackendSpec):
    """Spark's own Delta Lake (Databricks, or a Spark with the Delta jars)."""

    catalog_names: ClassVar[bool] = True

    def open(self, spark: Callable[[], SparkSession]) -> TableBackend:
        """A ``DeltaSparkBackend`` on the session."""
        from lakestream.common.tables.deltaspark import DeltaSparkBackend

        return DeltaSparkBackend(spark())
